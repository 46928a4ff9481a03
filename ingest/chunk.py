"""Passages for retrieval: section-aware, sentence-aligned, one per table row.

A chunk never crosses a section (so never a top-level one); long paragraphs split at
sentence ends. Tables give one chunk per row, rendered with column names, and an
overview chunk; box items give one chunk each.
"""
from __future__ import annotations

import re

from core.text import SENTENCE_BOUNDARY
from core.types import QA, Chunk, Document, Indicator, content_id
from ingest.parse import Block
from ingest.tables import render_row



_CLAUSE_END = re.compile(r"(?<=[，、：,:])")


def _pieces(text: str, start: int, pattern: re.Pattern[str]) -> list[tuple[str, int]]:
    out, pos = [], start
    for s in pattern.split(text):
        if s:
            out.append((s, pos))
            pos += len(s)
    return out


def _sentences(text: str, start: int, size: int = 0) -> list[tuple[str, int]]:
    """Sentences of ``text``; with ``size``, one longer than that is cut at clauses, then hard."""
    out = []
    for sentence, pos in _pieces(text, start, SENTENCE_BOUNDARY):
        if not size or len(sentence) <= size:
            out.append((sentence, pos))
            continue
        for clause, cpos in _pieces(sentence, pos, _CLAUSE_END):
            out += [(clause[i:i + size], cpos + i) for i in range(0, len(clause), size)]
    return out


def _pack(pieces: list[tuple[str, int]], size: int) -> list[tuple[str, int, int]]:
    """Greedily pack consecutive pieces (sentences or paragraphs) up to ``size`` characters."""
    out: list[tuple[str, int, int]] = []
    cur: list[tuple[str, int]] = []
    length = 0
    for text, start in pieces:
        if cur and length + len(text) > size:
            out.append(("".join(t for t, _ in cur), cur[0][1], cur[-1][1] + len(cur[-1][0])))
            cur, length = [], 0
        cur.append((text, start))
        length += len(text)
    if cur:
        out.append(("".join(t for t, _ in cur), cur[0][1], cur[-1][1] + len(cur[-1][0])))
    return out


def _make(doc: Document, path: list[str], text: str, start: int, end: int, kind: str, **extra: object) -> Chunk:
    return Chunk(
        id=content_id(doc.id, kind, start, end, text),
        doc_id=doc.id,
        doc_title=doc.meta.title,
        section_path=list(path),
        text=text,
        start=start,
        end=end,
        kind=kind,
        ref=str(extra.pop("ref", "")),
        meta=dict(extra),
    )


def _paragraph_chunks(doc: Document, blocks: list[Block], size: int) -> list[Chunk]:
    chunks: list[Chunk] = []
    run: list[Block] = []

    def flush() -> None:
        if not run:
            return
        pieces: list[tuple[str, int]] = []
        for b in run:
            # A paragraph break inside a chunk is kept as a newline so the text stays readable.
            sents = _sentences(b.text, b.start, size) if len(b.text) > size else [(b.text, b.start)]
            if pieces:
                last_text, last_start = pieces[-1]
                pieces[-1] = (last_text + "\n", last_start)
            pieces.extend(sents)
        for text, s, e in _pack(pieces, size):
            chunks.append(_make(doc, run[0].section_path, text.strip(), s, e, "text"))
        run.clear()

    for b in blocks:
        if run and b.section_path != run[0].section_path:
            flush()
        run.append(b)
    flush()
    return chunks


def _meta_chunk(doc: Document) -> Chunk | None:
    m = doc.meta
    facts = [
        ("标题", m.title), ("文号", m.doc_number), ("发文机关", "、".join(m.issuers)),
        ("成文日期", m.issue_date), ("印发", f"{m.printer} {m.print_date}".strip()),
        ("规划期", m.period), ("地区", m.region), ("状态", m.status), ("主送", m.addressees),
        ("来源", m.publisher), ("发布日期", m.publish_date), ("索引号", m.index_no),
        ("编制依据", "、".join(f"《{b}》" for b in m.basis)),
    ]
    text = "；".join(f"{k}：{v}" for k, v in facts if v)
    return _make(doc, ["文件信息"], f"文件信息：{text}。", 0, 0, "meta") if text else None


def _qa_chunks(doc: Document, qas: list[QA], size: int) -> list[Chunk]:
    """One chunk per Q/A (more when the answer is long), each headed by its question."""
    chunks = []
    for qa in qas:
        room = max(size - len(qa.question) - 4, size // 2)
        for text, _, _ in _pack(_sentences(qa.answer, 0, room), room):
            chunks.append(_make(doc, qa.section_path, f"问：{qa.question}\n答：{text.strip()}", qa.start, qa.end,
                                "qa", ref=qa.id))
    return chunks


def chunk_document(doc: Document, blocks: list[Block], indicators: list[Indicator], size: int,
                   qas: list[QA] | None = None) -> list[Chunk]:
    chunks: list[Chunk] = []
    meta = _meta_chunk(doc)
    if meta:
        chunks.append(meta)
    spans = [(q.start, q.end) for q in qas or []]
    # Text inside a Q/A is indexed once, as the Q/A's own chunk.
    paragraphs = [b for b in blocks if b.kind == "paragraph" and not any(s <= b.start < e for s, e in spans)]
    chunks.extend(_paragraph_chunks(doc, paragraphs, size))
    chunks.extend(_qa_chunks(doc, qas or [], size))
    for b in blocks:
        if b.kind == "box_item":
            title = b.meta.get("title", "")
            number = b.meta.get("number", "")
            head = f"{number} {title}".strip()
            body = b.text if not title or b.text.startswith(title) else f"{head}：{b.text}" if b.text else head
            if not body.strip() or (not b.text and not title):
                continue
            for text, s, e in _pack(_sentences(body, b.start, max(size, 400)), max(size, 400)):
                chunks.append(_make(doc, b.section_path, text, s, min(e, b.end), "box_item"))
        elif b.kind == "table":
            rows = [i for i in indicators if b.start <= i.start <= b.end]
            overview = "\n".join(render_row(i).split(" › ", 1)[-1] for i in rows)
            caption = f"{b.meta.get('table_id', '')} {b.meta.get('caption', '')}".strip()
            chunks.append(_make(doc, b.section_path, f"{caption}\n{overview}", b.start, b.end, "table_overview",
                                table_id=b.meta.get("table_id", "")))
            for ind in rows:
                path = b.section_path + ([ind.group] if ind.group else [])
                chunks.append(_make(doc, path, render_row(ind), ind.start, ind.end, "table_row", ref=ind.id,
                                    table_id=ind.table_id))
    return chunks
