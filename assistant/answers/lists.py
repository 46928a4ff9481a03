"""Lists from the tables: rows by attribute, rows of a group, the items of a box (专栏)."""
from __future__ import annotations

import re

from assistant.answers.config import AnswerConfig
from assistant.answers.library import Library
from assistant.citations import CiteBook
from assistant.facts import bigrams, coverage
from core.quantities import format_value
from core.types import Answer, Chunk, Indicator

_GROUP_NUMBER = re.compile(r"^[一二三四五六七八九十]+、")
_BOX_NUMBER = re.compile(r"专栏\s*(\d+)")
ATTRIBUTES = ("约束性", "预期性")


class TableLists:
    def __init__(self, lib: Library, cfg: AnswerConfig):
        self.lib, self.cfg = lib, cfg

    def run(self, text: str, doc_id: str) -> Answer | None:
        inds = self.lib.inds.get(doc_id, [])
        attribute = next((a for a in ATTRIBUTES if a in text), None)
        if inds and attribute:
            rows = [i for i in inds if i.attribute == attribute]
            if rows:
                return self._rows(rows, f"{rows[0].table_id}{rows[0].caption}中，{attribute}指标共{len(rows)}项：", False,
                                  doc_id)
        return self._group(inds, text, doc_id) or self._box(doc_id, text)

    def _group(self, inds: list[Indicator], text: str, doc_id: str) -> Answer | None:
        groups = sorted({i.group for i in inds if i.group})
        qb = bigrams(text)
        scored = [(coverage(bigrams(_GROUP_NUMBER.sub("", g)), qb), g) for g in groups]
        scored = [s for s in scored if s[0] >= 0.99]
        if not scored or "指标" not in text:
            return None
        group = max(scored)[1]
        rows = [i for i in inds if i.group == group]
        return self._rows(rows, f"{rows[0].table_id}{rows[0].caption}中“{group}”类指标共{len(rows)}项：", True, doc_id)

    def _rows(self, rows: list[Indicator], head: str, with_attribute: bool, doc_id: str) -> Answer:
        """Numbered rows with their targets, each citing its row."""
        target = self.lib.schema(doc_id).target
        book = CiteBook()
        lines = [head]
        for k, i in enumerate(rows, start=1):
            n = book.add(self.lib.row_chunk[i.id])
            v = i.values.get(target) if target else None
            attr = f"，{i.attribute}" if with_attribute and i.attribute else ""
            lines.append(f"{k}. {i.name}" + (f"（{target}{format_value(v)}{attr}）" if v else "") + f"[{n}]")
        return Answer(text="\n".join(lines), citations=book.items, grounded=True, kind="list",
                      meta={"followup": {"kind": "list", "indicators": [i.id for i in rows]}})

    def _box(self, doc_id: str, text: str) -> Answer | None:
        boxes = [s for s in self.lib.records.sections if s.doc_id == doc_id and s.kind == "box"]
        qb = bigrams(text)
        num = _BOX_NUMBER.search(text)
        best, score = None, 0.0
        for b in boxes:
            s = 2.0 if num and re.sub(r"\s", "", b.number) == re.sub(r"\s", "", num.group(0)) else coverage(bigrams(b.title), qb)
            if s > score:
                best, score = b, s
        if best is None or score < self.cfg.box_floor:
            return None
        titles: dict[str, Chunk] = {}
        for c in self.lib.doc_chunks[doc_id]:
            if c.kind == "box_item" and c.section_path[: len(best.path)] == best.path and len(c.section_path) > len(best.path):
                titles.setdefault(c.section_path[len(best.path)], c)
        if not titles:
            return None
        book = CiteBook()
        lines = [f"{best.number} {best.title}共列出{len(titles)}个项目："]
        lines += [f"{k}. {t}[{book.add(c)}]" for k, (t, c) in enumerate(titles.items(), start=1)]
        return Answer(text="\n".join(lines), citations=book.items, grounded=True, kind="list",
                      meta={"followup": {"kind": "list"}})
