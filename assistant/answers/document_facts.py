"""Facts about a document itself (文号, dates, issuers, basis, addressees, status) from its metadata."""
from __future__ import annotations

import re

from assistant.answers.library import Library
from assistant.citations import CiteBook
from core.quantities import small_int
from core.text import split_sentences
from core.types import Answer, Chunk, DocumentMeta

MAX_CLAUSE = 200  # a figure-length answer: the clause, not the paragraph

_COLOPHON = re.compile(r"责任科室(?:单位)?：([^\s校]+?)(?:校对|$)")
# "When does it take effect" and "how long is it valid" are answered by the document's own clause
# ("本办法自2024年4月1日起实施，有效期5年"), never by the date it was issued.
_ASKS_EFFECT = re.compile(r"施行|实施|生效|开始|起执行|起算")
_ASKS_VALIDITY = re.compile(r"有效期|截[至止]|到什么时候|到哪天|到期|管多久|管多长|多长时间|多久|几年有效|期限|结束|为止")
_EFFECT = re.compile(r"(?:自|从)[^。；，]{0,24}?(?:之日)?起[^。；，]{0,4}?(?:施行|实施|执行|生效)")
_DAY = r"(?:\d{4}年)?\d{1,2}月\d{1,2}日"
_VALIDITY = re.compile(
    r"有效期(?:为|调整至|延长至|至|到)?[^。；，]{0,3}?(?:\d{4}年|[\d一二三四五六七八九十两]+年)"
    r"|(?:有效|执行|实施)期限?[^。；]{0,16}?(?:[\d一二三四五六七八九十两]+个月|[\d一二三四五六七八九十两]+年|" + _DAY + r")止?"
    rf"|(?:自|从){_DAY}(?:起)?(?:至|到){_DAY}"
    # ... or until an event: "有效期至新型冠状病毒感染肺炎疫情解除"
    r"|(?:有效期|执行期限?)(?:为|至|到|截至)[^。；，]{2,30}?(?:解除|结束|为止)"
    # ... or left open: "上述措施实施期限视疫情情况另行通知", "截止日期将视疫情情况另行公告"
    r"|(?:实施|执行|有效|截止)(?:期限?|日期|时间)[^。；，]{0,8}?视[^。；，]{0,12}?另行(?:通知|公告|明确|规定)")
_JOINT_TITLE = re.compile(r"等(\d+|[一二三四五六七八九十两])(?:个)?(?:部门|单位)")
_OWN = re.compile(r"本(?:办法|通知|条例|细则|规定|方案|意见|决定|规划|规程)|现予公布|重新发布")


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
        clauses = self._clauses(q, doc_id)
        parts += [(f"{title}规定：{sentence}", span) for sentence, span in clauses]
        if (re.search(r"什么时候|哪天|日期|时间|成文|何时", q) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", m.issue_date)
                and (not clauses or re.search(r"印发|发布|成文|发的", q))):
            parts.append((f"{title}于{_date(m.issue_date)}印发", _date(m.issue_date)))
        if re.search(r"单位|部门|机关|谁|联合", q) and not re.search(r"责任科室|哪个部门印发", q) and m.issuers:
            issuers = self._joint_issuers(m, doc_id) or m.issuers
            verb = "联合印发" if len(issuers) > 1 else "印发"
            parts.append((f"{title}由{'、'.join(issuers)}{verb}", issuers[-1]))
        if re.search(r"哪个部门印发|责任科室|校对", q) and m.printer:
            parts.append((f"{title}由{m.printer}印发{self._colophon(doc_id)}", m.printer))
        if re.search(r"依据|根据什么|根据哪", q) and m.basis:
            parts.append((f"{title}根据{'、'.join(f'《{b}》' for b in m.basis)}编制", m.basis[0]))
        if re.search(r"有效|过期|失效|到期|还在执行|还适用|现行|废止", q) and m.status:
            parts.append((f"{title}的状态：{m.status}", m.title))
        if re.search(r"主送|发给|下发给", q) and m.addressees:
            parts.append((f"这份通知主送{m.addressees}", m.addressees))
        return parts

    def _clauses(self, q: str, doc_id: str) -> list[tuple[str, str]]:
        """The document's own sentences on when it takes effect and how long it is valid, when asked."""
        wanted = [p for asks, p in ((_ASKS_EFFECT, _EFFECT), (_ASKS_VALIDITY, _VALIDITY)) if asks.search(q)]
        found: list[tuple[str, str]] = []
        for pattern in wanted:
            hit = self._clause(doc_id, pattern)
            if hit and hit[0] not in (f[0] for f in found):
                found.append(hit)
        return found

    def _clause(self, doc_id: str, pattern: re.Pattern[str]) -> tuple[str, str] | None:
        """(sentence, matched span) of the first sentence matching ``pattern``, preferring one about the
        document itself (an attachment's columns also say 有效期)."""
        matches = [(s, m.group(0)) for c in self.lib.doc_chunks[doc_id] if c.kind != "meta"
                   for s in split_sentences(c.text.replace("\n", "")) if (m := pattern.search(s))]
        best = next((x for x in matches if _OWN.search(x[0])), matches[0] if matches else None)
        return (best[0].rstrip("。；;")[:MAX_CLAUSE], best[1]) if best else None

    def _joint_issuers(self, m: DocumentMeta, doc_id: str) -> list[str]:
        """All N issuers of a title that says "…等N部门" when the metadata names fewer, from the text's
        "A、B、C、D联合制定" sentence; empty when the text lists no such group."""
        said = _JOINT_TITLE.search(m.title)
        n = small_int(said.group(1)) if said else 0
        if n <= len(m.issuers):
            return []
        group = re.compile(r"((?:[^、，。；：\s]{2,24}、){%d}[^、，。；：\s]{2,24}?)(?:联合|共同)?(?:研究)?(?:制定|印发|发布)" % (n - 1))
        for c in self.lib.doc_chunks[doc_id]:
            hit = group.search(c.text.replace("\n", ""))
            if hit:
                return hit.group(1).split("、")
        return []

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
