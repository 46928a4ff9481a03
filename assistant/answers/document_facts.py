"""Facts about a document itself (文号, dates, issuers, basis, addressees, status) from its metadata."""
from __future__ import annotations

import re

from assistant.answers.library import Library
from assistant.citations import CiteBook
from core.types import Answer, Chunk, DocumentMeta

_COLOPHON = re.compile(r"责任科室(?:单位)?：([^\s校]+?)(?:校对|$)")


def _date(iso: str) -> str:
    y, mo, d = (int(x) for x in iso.split("-"))
    return f"{y}年{mo}月{d}日"


class DocumentFacts:
    def __init__(self, lib: Library):
        self.lib = lib

    def _facts(self, q: str, m: DocumentMeta, doc_id: str) -> list[tuple[str, str]]:
        """(sentence, the text that proves it) for every fact the question asks about."""
        title = f"《{m.title}》"
        parts: list[tuple[str, str]] = []
        if re.search(r"文号|字号", q) and m.doc_number:
            parts.append((f"{title}的文号是{m.doc_number}", m.doc_number))
        if re.search(r"什么时候|哪天|日期|时间|成文|何时", q) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", m.issue_date):
            parts.append((f"{title}于{_date(m.issue_date)}印发", _date(m.issue_date)))
        if re.search(r"单位|部门|机关|谁|联合", q) and not re.search(r"责任科室|哪个部门印发", q) and m.issuers:
            verb = "联合印发" if len(m.issuers) > 1 else "印发"
            parts.append((f"{title}由{'、'.join(m.issuers)}{verb}", m.issuers[0]))
        if re.search(r"哪个部门印发|责任科室|校对", q) and m.printer:
            parts.append((f"{title}由{m.printer}印发{self._colophon(doc_id)}", m.printer))
        if re.search(r"依据|根据什么|根据哪", q) and m.basis:
            parts.append((f"{title}根据{'、'.join(f'《{b}》' for b in m.basis)}编制", m.basis[0]))
        if re.search(r"有效|过期|失效|到期|还在执行|还适用|现行|废止", q) and m.status:
            parts.append((f"{title}的状态：{m.status}", m.title))
        if re.search(r"主送|发给|下发给", q) and m.addressees:
            parts.append((f"这份通知主送{m.addressees}", m.addressees))
        return parts

    def _colophon(self, doc_id: str) -> str:
        chunk = next((c for c in self.lib.doc_chunks[doc_id] if "责任科室" in c.text), None)
        mm = _COLOPHON.search(chunk.text.replace("\n", "")) if chunk else None
        return f"，责任科室为{mm.group(1)}" if mm else ""

    def _proof(self, doc_id: str, needle: str) -> Chunk | None:
        chunks = self.lib.doc_chunks[doc_id]
        hit = next((c for c in chunks if c.kind != "meta" and needle.replace("-", "") in c.text.replace("\n", "")), None)
        return hit or next((c for c in chunks if c.kind == "meta"), None)

    def run(self, q: str, doc_id: str) -> Answer | None:
        doc = self.lib.records.documents.get(doc_id)
        if doc is None:
            return None
        book = CiteBook()
        lines = []
        for sentence, needle in self._facts(q, doc.meta, doc_id):
            chunk = self._proof(doc_id, needle)
            if chunk is not None:
                lines.append(f"{sentence}。[{book.add(chunk)}]")
        if not lines:
            return None
        return Answer(text="".join(lines), citations=book.items, grounded=True, kind="document",
                      meta={"followup": {"kind": "document"}})
