"""Figure answers from table rows: the asked columns of the ranked rows, each citing its row.

A row measured in two tables with different figures is shown with both, and a target
the text restates (or states differently) is shown with its passage.
"""
from __future__ import annotations

from assistant import arith
from assistant.answers.base import Query
from assistant.answers.config import AnswerConfig
from assistant.answers.differences import difference_line
from assistant.answers.library import Library
from assistant.answers.lookup import Lookup
from assistant.answers.met import met_line
from assistant.answers.schema import DocSchema
from assistant.citations import CiteBook
from assistant.facts import figure_restates
from core.quantities import format_value
from core.types import Answer, Indicator


class TableValues:
    def __init__(self, lib: Library, cfg: AnswerConfig):
        self.lib, self.cfg = lib, cfg

    def run(self, q: Query, found: Lookup, cols: list[str]) -> Answer:
        clusters: list[list[Indicator]] = []
        for ind in found.indicators:
            if not any(ind in c for c in clusters):
                clusters.append(self.lib.cluster(ind))
        book = CiteBook()
        s = self.lib.schema(found.doc_id)
        lines: list[str] = []
        for cluster in clusters[: self.cfg.max_clusters]:
            lines.extend(self._cluster_lines(cluster, cols, q, s, book))
        text = "\n".join(lines)
        if self.lib.several_documents and lines:
            # With several documents the reader must see whose figure this is.
            text = f"根据《{self.lib.title(found.doc_id)}》：\n{text}"
        meta = {"followup": {"kind": "figure", "indicators": [c[0].id for c in clusters[: self.cfg.max_clusters]],
                             "columns": cols}}
        return Answer(text=text, citations=book.items, grounded=bool(lines), kind="figure", meta=meta)

    def _cluster_lines(self, cluster: list[Indicator], cols: list[str], q: Query, s: DocSchema,
                       book: CiteBook) -> list[str]:
        def cite(i: Indicator) -> int:
            return book.add(self.lib.row_chunk[i.id])

        intent = q.intent
        if intent.met or intent.rate or (intent.diff and s.plan_target and s.plan_target in cols):
            line = met_line(cluster, s, intent.rate, cite)
            if line:
                return [line]
        if intent.diff:
            line = difference_line(cluster, s, cite)
            if line:
                return [line]
        found: dict[str, list[tuple[Indicator, str]]] = {}
        for col in cols:
            for ind in cluster:
                if col in ind.values:
                    found.setdefault(col, []).append((ind, format_value(ind.values[col])))
        lines = [self._value_line(ind, col, value, cols, s, cite) for col, pairs in found.items() for ind, value in pairs]
        lines.extend(self._conflict_note(found, s))
        if s.target in found:
            lines.extend(self._restatements(cluster[0], found[s.target][0][0], s, book))
        if not lines:
            have = "、".join(sorted({k for i in cluster for k in i.values}))
            lines.append(f"{cluster[0].name}在规划中只给出了{have}。[{cite(cluster[0])}]")
        return lines

    @staticmethod
    def _value_line(ind: Indicator, col: str, value: str, cols: list[str], s: DocSchema, cite: object) -> str:
        n = cite(ind)  # type: ignore[operator]
        if s.is_attribute(col):
            return f"{ind.name}是{value}指标（{ind.table_id}{ind.caption}）。[{n}]"
        extra = []
        if col == s.target:
            if ind.attribute:
                extra.append(f"{ind.attribute}指标")
            if s.base and s.base in ind.values and s.base not in cols:
                extra.append(f"{s.base}{format_value(ind.values[s.base])}")
        tail = f"（{'，'.join(extra)}）" if extra else ""
        return f"{ind.name}{col}为{value}{tail}，见{ind.table_id}{ind.caption}。[{n}]"

    def _conflict_note(self, found: dict[str, list[tuple[Indicator, str]]], s: DocSchema) -> list[str]:
        """Two tables giving the base year different figures: say so rather than pick one."""
        values = {v for c in (s.base, s.actual) if c for _, v in found.get(c, [])}
        if len(values) <= 1:
            return []
        year = f"{s.base_year}年" if s.base_year else "基期"
        return [f"注意：规划中两处给出的{year}数字不一致，可能统计口径不同，请以相关部门解释为准，"
                f"可咨询{self.lib.profile.hotline}。"]

    def _restatements(self, head: Indicator, row: Indicator, s: DocSchema, book: CiteBook) -> list[str]:
        """The text may state a target again, sometimes with another figure: show it with its source."""
        target = row.values[s.target]
        for fig in self.lib.figs[head.doc_id]:
            if fig.year != s.target_year or not figure_restates(fig, head):
                continue
            chunk = self.lib.passage_of(fig)
            if chunk is None:
                continue
            n = book.add(chunk)
            clause = fig.clause.rstrip("。；;")
            if arith.dec(str(fig.value)) == arith.dec(target):
                return [f"正文也写明：{clause}。[{n}]"]
            return [f"正文另有表述：{clause}（与表中数字口径不同）。[{n}]"]
        return []
