"""Answers from structured records: indicator values, differences, met/not met, lists, document facts.

Every figure in these answers is copied from a record (or computed from two records with
exact decimals) and cites the table row or passage it came from.
"""
from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from assistant import arith
from assistant.compose import citation
from assistant.facts import bigrams, coverage, figure_restates, match_figures, match_indicators, same_quantity
from assistant.intent import Intent, wanted_columns
from core.types import Answer, Chunk, Citation, Figure, Indicator
from index.store import Records
from ingest.tables import format_value

_STRONG = 0.55
_COL_PHRASE = {"2020年目标": "2020年目标", "2015年基数": "2015年基数", "十二五规划目标": "“十二五”规划目标",
               "2015年完成数": "2015年完成数（“十二五”末）", "属性": "属性"}


class CiteBook:
    """Numbered citations for one answer; the same chunk always gets the same number."""

    def __init__(self, row_chunk: dict[str, Chunk]):
        self.row_chunk = row_chunk
        self.items: list[Citation] = []

    def add(self, chunk: Chunk) -> int:
        for c in self.items:
            if c.chunk_id == chunk.id:
                return c.n
        self.items.append(citation(len(self.items) + 1, chunk, score=1.0))
        return len(self.items)

    def row(self, ind: Indicator) -> int:
        return self.add(self.row_chunk[ind.id])


class FigureAnswers:
    def __init__(self, records: Records):
        self.records = records
        self.row_chunk = {c.ref: c for c in records.chunks if c.kind == "table_row"}
        self.ind_by_id = {i.id: i for i in records.indicators}
        self.inds: dict[str, list[Indicator]] = defaultdict(list)
        for i in records.indicators:
            self.inds[i.doc_id].append(i)
        self.figs: dict[str, list[Figure]] = defaultdict(list)
        for f in records.figures:
            self.figs[f.doc_id].append(f)
        self.passages: dict[str, list[Chunk]] = defaultdict(list)
        for c in records.chunks:
            if c.kind in ("text", "box_item"):
                self.passages[c.doc_id].append(c)
        self._names = {i.name for i in records.indicators}

    # -- lookups -------------------------------------------------------------------------------

    def mentions_indicator(self, text: str) -> bool:
        qb = bigrams(text)
        return any(coverage(bigrams(n), qb) >= 0.75 for n in self._names)

    def _cite_row(self, n: int, ind: Indicator) -> Citation:
        return citation(n, self.row_chunk[ind.id], score=1.0)

    def _passage_of(self, fig: Figure) -> Chunk | None:
        for c in self.passages[fig.doc_id]:
            if c.start <= fig.start < max(c.end, c.start + len(c.text) + 1) and fig.raw.replace("达到", "").replace("达", "") in c.text:
                return c
        return next((c for c in self.passages[fig.doc_id] if fig.sentence[:20] in c.text), None)

    # -- document facts --------------------------------------------------------------------------

    def document_fact(self, q: str, doc_id: str) -> Answer | None:
        doc = self.records.documents.get(doc_id)
        if doc is None:
            return None
        m = doc.meta
        title = f"《{m.title}》"
        parts: list[tuple[str, str]] = []
        if re.search(r"文号|字号", q) and m.doc_number:
            parts.append((f"{title}的文号是{m.doc_number}", m.doc_number))
        if re.search(r"什么时候|哪天|日期|时间|成文|何时", q) and m.issue_date:
            y, mo, d = (int(x) for x in m.issue_date.split("-"))
            parts.append((f"{title}于{y}年{mo}月{d}日印发", f"{y}年{mo}月{d}日"))
        if re.search(r"单位|部门|机关|谁|联合", q) and not re.search(r"责任科室|哪个部门印发", q) and m.issuers:
            parts.append((f"{title}由{'、'.join(m.issuers)}联合印发", m.issuers[0]))
        if re.search(r"哪个部门印发|责任科室|校对", q) and m.printer:
            colophon = next((c for c in self.records.chunks if c.doc_id == doc_id and "责任科室" in c.text), None)
            extra = ""
            if colophon:
                mm = re.search(r"责任科室(?:单位)?：([^\s校]+?)(?:校对|$)", colophon.text.replace("\n", ""))
                extra = f"，责任科室为{mm.group(1)}" if mm else ""
            parts.append((f"{title}由{m.printer}印发{extra}", m.printer))
        if re.search(r"依据|根据什么|根据哪", q) and m.basis:
            parts.append((f"{title}根据{'、'.join(f'《{b}》' for b in m.basis)}编制", m.basis[0]))
        if re.search(r"有效|过期|失效|到期|还在执行|还适用|现行|废止", q) and m.status:
            parts.append((f"{title}的状态：{m.status}", m.title))
        if re.search(r"主送|发给|下发给", q) and m.addressees:
            parts.append((f"这份通知主送{m.addressees}", m.addressees))
        if not parts:
            return None
        cites: list[Citation] = []
        lines = []
        for sentence, needle in parts:
            chunk = next((c for c in self.records.chunks if c.doc_id == doc_id and c.kind != "meta"
                          and needle.replace("-", "") in c.text.replace("\n", "")), None)
            chunk = chunk or next(c for c in self.records.chunks if c.doc_id == doc_id and c.kind == "meta")
            n = next((c.n for c in cites if c.chunk_id == chunk.id), None)
            if n is None:
                n = len(cites) + 1
                cites.append(citation(n, chunk, score=1.0))
            lines.append(f"{sentence}。[{n}]")
        return Answer(text="".join(lines), citations=cites, grounded=True, kind="document",
                      meta={"followup": {"kind": "document"}})

    # -- figure questions ------------------------------------------------------------------------

    def answer(self, resolved: str, q: str, plan: Any, intent: Intent, doc_id: str,
               prev_inds: list[str], prev_cols: list[str], current_text: str = "") -> Answer | None:
        inds = self.inds.get(doc_id, [])
        text = plan.text
        if inds and (intent.unmet_list or (intent.listing and re.search(r"没有?完成|未完成|没达到|未达到", text))):
            return self._unmet(inds, intent)
        if inds and intent.listing and re.search(r"约束性|预期性", text):
            return self._by_attribute(inds, "约束性" if "约束性" in text else "预期性")
        if intent.listing:
            listed = self._list_group(inds, text) or self._list_box(doc_id, text)
            if listed:
                return listed

        # Computed answers (differences, rates) have their own unit; the row's unit doesn't constrain them.
        want_units = set() if (intent.diff or intent.met or intent.rate) else expected_units(q)

        def fits(ind: Indicator) -> bool:
            return unit_fits(ind.unit, want_units, ind.name, q)

        chosen: list[Indicator] = []
        # The current question's own words first: "其中专业技术人才呢？" names a new indicator.
        matches = []
        for candidate_text in dict.fromkeys([current_text or text, text]):
            matches = [m for m in match_indicators(candidate_text, inds) if fits(m.indicator)]  # type: ignore[arg-type]
            if matches and matches[0].score >= _STRONG:
                best = matches[0].score
                chosen = [m.indicator for m in matches if m.score >= max(_STRONG, best - 0.03)][:4]  # type: ignore[misc]
                break
        # An elliptical follow-up ("那2015年的基数呢？") keeps the previous indicators.
        asks_figure = (intent.quantity or intent.diff or intent.met or intent.attribute or intent.rate
                       or bool(plan.years) or bool(re.search(r"目标|基数|完成数|target", q, re.I)))
        if not chosen and prev_inds and (asks_figure or intent.followup):
            chosen = [self.ind_by_id[i] for i in prev_inds if i in self.ind_by_id and fits(self.ind_by_id[i])]
        asks = len(re.findall(r"几|多少|多大", q))
        fmatches = [m for m in match_figures(text, self.figs.get(doc_id, []))
                    if unit_fits(m.figure.unit, want_units, m.figure.clause, q)
                    and not (plan.years and m.figure.year and m.figure.year not in plan.years)]
        best_fig = fmatches[0] if fmatches else None
        ind_score = matches[0].score if matches else 0.0
        if best_fig and best_fig.score >= 0.6 and best_fig.score > ind_score + 0.1 and intent.quantity \
                and not (intent.diff or intent.met or intent.attribute):
            return self._text_figure(fmatches, asks)
        if not chosen:
            if best_fig and best_fig.score >= 0.6 and intent.quantity:
                return self._text_figure(fmatches, asks)
            return None
        if not asks_figure and not prev_inds and ind_score < 0.8:
            return None
        in_range = {int(y) for pair in re.findall(r"(\d{4})\s*[-–~至到]\s*(\d{4})", q) for y in pair}
        odd_years = [y for y in plan.years if y not in (2015, 2020) and y not in in_range]
        if odd_years:
            return self._no_year(chosen[0], odd_years[0])
        cols = wanted_columns(resolved if prev_inds else q, intent)
        if not cols and prev_cols:
            cols = prev_cols
        if not cols:
            cols = ["2020年目标"]
        has_column = any(c in j.values for ind in chosen for j in self._cluster(ind) for c in cols)
        if not has_column and not (intent.met or intent.rate or intent.diff):
            # The table doesn't hold what is asked; a sentence in the text may.
            if best_fig and best_fig.score >= 0.6 and intent.quantity:
                return self._text_figure(fmatches, asks)
            return None
        return self._indicator_answer(chosen, cols, intent)

    def _cluster(self, ind: Indicator) -> list[Indicator]:
        same = [j for j in self.inds[ind.doc_id] if j.id == ind.id or j.name == ind.name or same_quantity(ind, j)]
        return sorted(same, key=lambda j: (j.table_id != ind.table_id, j.table_id))

    def _indicator_answer(self, chosen: list[Indicator], cols: list[str], intent: Intent) -> Answer:
        clusters: list[list[Indicator]] = []
        for ind in chosen:
            if not any(ind in c for c in clusters):
                clusters.append(self._cluster(ind))
        book = CiteBook(self.row_chunk)
        lines: list[str] = []
        for cluster in clusters[:3]:
            lines.extend(self._cluster_lines(cluster, cols, intent, book))
        text = "\n".join(lines)
        if len(self.records.documents) > 1 and lines:
            # With several documents the reader must see whose figure this is.
            text = f"根据《{self.records.documents[chosen[0].doc_id].meta.title}》：\n{text}"
        cites = book.items
        meta = {"followup": {"kind": "figure", "indicators": [c[0].id for c in clusters[:3]], "columns": cols}}
        return Answer(text=text, citations=cites, grounded=bool(lines), kind="figure", meta=meta)

    def _cluster_lines(self, cluster: list[Indicator], cols: list[str], intent: Intent, book: CiteBook) -> list[str]:
        cite = book.row
        head = cluster[0]
        name = head.name
        lines: list[str] = []
        if intent.met or intent.rate or (intent.diff and "十二五规划目标" in cols):
            row = next((i for i in cluster if "十二五规划目标" in i.values and "2015年完成数" in i.values), None)
            if row:
                return [self._twelfth_line(row, intent, cite(row))]
        if intent.diff:
            row = next((i for i in cluster if "2015年基数" in i.values and "2020年目标" in i.values), None)
            if row:
                base, target = row.values["2015年基数"], row.values["2020年目标"]
                d = arith.difference(base, target)
                if d is not None:
                    verb = "增加" if d > 0 else ("减少" if d < 0 else "持平，变化")
                    unit = target.unit or ""
                    attr = f"，{row.attribute}指标" if row.attribute else ""
                    return [f"{name}2020年目标比2015年基数{verb}{arith.fmt(abs(d))}{unit}"
                            f"（2015年基数{format_value(base)} → 2020年目标{format_value(target)}{attr}）。[{cite(row)}]"]
        seen_values: dict[str, list[tuple[Indicator, str]]] = {}
        for col in cols:
            for ind in cluster:
                if col in ind.values:
                    seen_values.setdefault(col, []).append((ind, format_value(ind.values[col])))
        for col, found in seen_values.items():
            for ind, value in found:
                label = _COL_PHRASE.get(col, col)
                if col == "属性":
                    lines.append(f"{ind.name}是{value}指标（{ind.table_id}{ind.caption}）。[{cite(ind)}]")
                    continue
                extra = []
                if col == "2020年目标":
                    if ind.attribute:
                        extra.append(f"{ind.attribute}指标")
                    if "2015年基数" in ind.values and "2015年基数" not in cols:
                        extra.append(f"2015年基数{format_value(ind.values['2015年基数'])}")
                tail = f"（{'，'.join(extra)}）" if extra else ""
                lines.append(f"{ind.name}{label}为{value}{tail}，见{ind.table_id}{ind.caption}。[{cite(ind)}]")
        values_2015 = {v for c in ("2015年基数", "2015年完成数") for _, v in seen_values.get(c, [])}
        if len(values_2015) > 1:
            lines.append("注意：规划中两处给出的2015年数字不一致，可能统计口径不同，请以相关部门解释为准，可咨询12333。")
        if "2020年目标" in seen_values:
            lines.extend(self._restatements(head, seen_values["2020年目标"][0][0], book))
        if not lines:
            have = "、".join(sorted({k for i in cluster for k in i.values}))
            lines.append(f"{name}在规划中只给出了{have}。[{cite(head)}]")
        return lines

    def _restatements(self, head: Indicator, row: Indicator, book: CiteBook) -> list[str]:
        """The text may state a target again, sometimes with another figure: show it with its source."""
        target = row.values["2020年目标"]
        for fig in self.figs[head.doc_id]:
            if fig.year != 2020 or not figure_restates(fig, head):
                continue
            chunk = self._passage_of(fig)
            if chunk is None:
                continue
            n = book.add(chunk)
            clause = fig.clause.rstrip("。；;")
            if arith.dec(str(fig.value)) == arith.dec(target):
                return [f"正文也写明：{clause}。[{n}]"]
            return [f"正文另有表述：{clause}（与表中数字口径不同）。[{n}]"]
        return []

    def _twelfth_line(self, row: Indicator, intent: Intent, n: int) -> str:
        target, actual = row.values["十二五规划目标"], row.values["2015年完成数"]
        t, a = format_value(target), format_value(actual)
        verdict = arith.met_target(target, actual)
        if intent.rate:
            rate = arith.completion_rate(target, actual)
            return f"{row.name}“十二五”规划目标{t}，2015年完成{a}，完成率约{rate}%。[{n}]"
        if verdict.met is None:
            status = "无法从数字判断是否完成"
        elif verdict.met:
            status = "已完成"
        else:
            status = "未完成"
        gap = ""
        d = arith.difference(target, actual)
        if d is not None and target.comparator is None and actual.comparator is None and d != 0:
            gap = f"，比目标{'多' if d > 0 else '少'}{arith.fmt(abs(d))}{target.unit or ''}"
        return f"“十二五”时期{row.name}目标{status}：规划目标{t}，2015年完成数{a}{gap}。[{n}]"

    def _no_year(self, ind: Indicator, year: int) -> Answer:
        have = "、".join(f"{k}{format_value(v)}" for k, v in ind.values.items() if k != "属性")
        c = self._cite_row(1, ind)
        text = (f"抱歉，规划中没有{year}年的{ind.name}数据，只给出了{have}。[1]"
                f"如需{year}年的实际数字，请咨询12333。")
        return Answer(text=text, citations=[c], grounded=False, kind="refusal",
                      meta={"followup": {"kind": "figure", "indicators": [ind.id], "columns": []}})

    def _text_figure(self, matches: list[Any], asks: int = 1) -> Answer | None:
        best = matches[0].score
        # "建设几个基地、设立几个工作站？" asks for two figures, often in two sentences.
        floor, limit = (0.5, 3) if asks > 1 else (0.8, 2)
        chosen: list[Figure] = []
        for m in matches:
            if m.score < floor * best or len(chosen) >= limit:
                break
            if all(m.figure.sentence != f.sentence for f in chosen):
                chosen.append(m.figure)
        cites: list[Citation] = []
        lines = []
        for fig in chosen:
            chunk = self._passage_of(fig)
            if chunk is None:
                continue
            n = next((c.n for c in cites if c.chunk_id == chunk.id), 0) or len(cites) + 1
            if n == len(cites) + 1:
                cites.append(citation(n, chunk, score=1.0))
            lines.append(f"{fig.sentence}[{n}]")
        if not lines:
            return None
        title = chosen[0].section_path[0] if chosen[0].section_path else ""
        lead = f"根据规划“{title}”部分：" if title else "根据规划："
        return Answer(text=lead + "\n".join(lines), citations=cites, grounded=True, kind="figure",
                      meta={"followup": {"kind": "text_figure"}})

    # -- lists -----------------------------------------------------------------------------------

    def _unmet(self, inds: list[Indicator], intent: Intent) -> Answer | None:
        rows = [i for i in inds if "十二五规划目标" in i.values and "2015年完成数" in i.values]
        if not rows:
            return None
        unmet = [i for i in rows if arith.met_target(i.values["十二五规划目标"], i.values["2015年完成数"]).met is False]
        cites = [self._cite_row(n, i) for n, i in enumerate(unmet, start=1)]
        lines = [f"“十二五”时期{len(rows)}项主要发展指标中，有{len(unmet)}项未完成："]
        for n, i in enumerate(unmet, start=1):
            lines.append(f"{n}. {i.name}：目标{format_value(i.values['十二五规划目标'])}，"
                         f"2015年完成{format_value(i.values['2015年完成数'])}[{n}]")
        return Answer(text="\n".join(lines), citations=cites, grounded=True, kind="list",
                      meta={"followup": {"kind": "list", "indicators": [i.id for i in unmet]}})

    def _by_attribute(self, inds: list[Indicator], attribute: str) -> Answer | None:
        rows = [i for i in inds if i.attribute == attribute]
        if not rows:
            return None
        return self._row_list(rows, f"{rows[0].table_id}{rows[0].caption}中，{attribute}指标共{len(rows)}项：",
                              with_attribute=False)

    def _list_group(self, inds: list[Indicator], text: str) -> Answer | None:
        groups = sorted({i.group for i in inds if i.group})
        qb = bigrams(text)
        scored = [(coverage(bigrams(re.sub(r"^[一二三四五六七八九十]+、", "", g)), qb), g) for g in groups]
        scored = [s for s in scored if s[0] >= 0.99]
        if not scored or not re.search(r"指标", text):
            return None
        group = max(scored)[1]
        rows = [i for i in inds if i.group == group]
        return self._row_list(rows, f"{rows[0].table_id}{rows[0].caption}中“{group}”类指标共{len(rows)}项：",
                              with_attribute=True)

    def _row_list(self, rows: list[Indicator], head: str, with_attribute: bool) -> Answer:
        """Numbered indicator rows with their 2020 targets, each citing its row."""
        cites = [self._cite_row(n, i) for n, i in enumerate(rows, start=1)]
        lines = [head]
        for n, i in enumerate(rows, start=1):
            target = i.values.get("2020年目标")
            attr = f"，{i.attribute}" if with_attribute and i.attribute else ""
            lines.append(f"{n}. {i.name}" + (f"（2020年目标{format_value(target)}{attr}）" if target else "") + f"[{n}]")
        return Answer(text="\n".join(lines), citations=cites, grounded=True, kind="list",
                      meta={"followup": {"kind": "list", "indicators": [i.id for i in rows]}})

    def _list_box(self, doc_id: str, text: str) -> Answer | None:
        boxes = [s for s in self.records.sections if s.doc_id == doc_id and s.kind == "box"]
        qb = bigrams(text)
        best, score = None, 0.0
        for b in boxes:
            num = re.search(r"专栏\s*(\d+)", text)
            s = 2.0 if num and b.number == f"专栏{num.group(1)}" else coverage(bigrams(b.title), qb)
            if s > score:
                best, score = b, s
        if best is None or score < 0.75:
            return None
        items = [c for c in self.records.chunks if c.doc_id == doc_id and c.kind == "box_item"
                 and c.section_path[:len(best.path)] == best.path and len(c.section_path) > len(best.path)]
        titles: list[tuple[str, Chunk]] = []
        for c in items:
            t = c.section_path[len(best.path)]
            if t not in [x for x, _ in titles]:
                titles.append((t, c))
        if not titles:
            return None
        cites = [citation(n, c, score=1.0) for n, (_, c) in enumerate(titles, start=1)]
        lines = [f"{best.number} {best.title}共列出{len(titles)}个项目："]
        lines += [f"{n}. {t}[{n}]" for n, (t, _) in enumerate(titles, start=1)]
        return Answer(text="\n".join(lines), citations=cites, grounded=True, kind="list",
                      meta={"followup": {"kind": "list"}})


_UNIT_CUES = [
    (re.compile(r"多少(个)?人|几个人|多少名|几名|多少人次"), {"万人", "人", "名", "人次", "万人次"}),
    (re.compile(r"多少钱|多少元|几块|多少万元|多少亿|金额"), {"元", "万元", "亿元"}),
    (re.compile(r"多少张|几张"), {"张", "万张"}),
    (re.compile(r"比例|比重|百分之|占比|多少%|率是多少|几成"), {"%"}),
    (re.compile(r"几个|多少个"), {"个", "所", "家", "项"}),
]
# What a per-unit or limit question asks about, and the words a passage needs to answer it.
_PER_UNIT = [
    (re.compile(r"每人|每个人|人均"), re.compile(r"每人|人均|每个人")),
    (re.compile(r"每月|每个月"), re.compile(r"月")),
    (re.compile(r"去哪里?办|哪里办|在哪办|什么材料|带什么|要带|办理流程|什么手续|怎么办理|如何办理|怎么申请|如何申请"),
     re.compile(r"材料|流程|手续|窗口|地址|申请条件|办理地点")),
    (re.compile(r"每户"), re.compile(r"每户|户均")),
    (re.compile(r"最多|最高|上限|额度|封顶"), re.compile(r"最高|最多|上限|额度|封顶|不超过")),
    (re.compile(r"起付"), re.compile(r"起付")),
    (re.compile(r"档次"), re.compile(r"档次")),
    (re.compile(r"缴费比例|费率"), re.compile(r"缴费比例|费率")),
    (re.compile(r"几岁|多少岁"), re.compile(r"岁")),
    (re.compile(r"多长时间|多久|几天"), re.compile(r"\d+\s*(个)?(工作日|日|天|月|年)")),
]


def expected_units(q: str) -> set[str]:
    """The units a question's wording can be answered in; empty when it doesn't say."""
    for pattern, units in _UNIT_CUES:
        if pattern.search(q):
            return units
    return set()


def unit_fits(unit: str | None, wanted: set[str], fact_text: str, q: str) -> bool:
    """A total can't answer a per-person question, nor a rate a question about yuan."""
    if wanted and (unit or "") not in wanted:
        return False
    return answers_detail(q, fact_text)


def answers_detail(q: str, fact_text: str) -> bool:
    """A question about a per-person amount, a limit or a bracket needs a passage that states that detail."""
    return all(needs.search(fact_text) for asks, needs in _PER_UNIT if asks.search(q))
