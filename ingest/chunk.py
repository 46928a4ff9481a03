"""Passages for retrieval: section-aware, sentence-aligned, one per table row.

A chunk starts in one section; long paragraphs split at sentence ends. Short sections (a
regulation's 第一条 / 第二条, a web page's 1、/ 2、 items) are packed together with their siblings and
sub-sections, each later heading kept as a line of the text: a question's words and its answer
often sit in two short sections, and a passage of 60 characters ranks poorly. Tables give one chunk per row, rendered with column names, and an
overview chunk; box items give one chunk each.
"""
from __future__ import annotations

import re

from core.text import SENTENCE_BOUNDARY
from core.types import QA, Chunk, Document, Indicator, Section, content_id
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


_PREAMBLE = "前言"  # the section ingest/parse.py gives the text before the first heading


def _nested(a: list[str], b: list[str], parents: set[tuple[str, ...]]) -> bool:
    """Sections ``a`` and ``b`` are siblings, or one lies within the other; two top-level sections only
    when neither has sub-sections (articles, not chapters). The preamble (title, addressee) joins none."""
    if _PREAMBLE in (a[:1] + b[:1]):
        return a == b
    if b[: len(a)] == a or a[: len(b)] == b:
        return True
    return a[:-1] == b[:-1] and (len(a) > 1 or not ({tuple(a), tuple(b)} & parents))


def _heading_blocks(doc: Document, sections: list[Section], blocks: list[Block]) -> list[Block]:
    """A paragraph for each heading that is all there is of its section (a page's numbered steps "1.先扫二维码…"
    read as headings): without it, the step's text would be in no passage."""
    parents = {tuple(s.path[:i]) for s in sections for i in range(1, len(s.path))}
    out = []
    for s in sections:
        if s.kind != "heading" or tuple(s.path) in parents or any(s.start <= b.start < s.end for b in blocks):
            continue
        line = doc.text[s.start:s.end].split("\n", 1)[0].strip()
        if line:
            out.append(Block("paragraph", list(s.path), s.start, s.start + len(line), line))
    return out


def _pack_sections(doc: Document, chunks: list[Chunk], size: int, breaks: list[int],
                   parents: set[tuple[str, ...]], headings: set[int]) -> list[Chunk]:
    """Consecutive text chunks of nested or sibling sections joined while they fit in ``size`` characters.

    ``breaks`` are offsets of content indexed apart (tables, Q/A, boxes): text is never joined across them.
    ``headings`` are the starts of chunks that are a heading line themselves (no heading is added to them).
    """
    out: list[Chunk] = []
    for c in chunks:
        prev = out[-1] if out else None
        last = prev.meta.get("last_path", prev.section_path) if prev else []
        new = c.section_path and c.section_path != last and c.start not in headings
        head = c.section_path[-1] if new else ""
        joined = f"{head}\n{c.text}" if head else c.text
        if (prev is None or not _nested(last, c.section_path, parents)
                or len(prev.text) + len(joined) + 1 > size or any(prev.end <= b < c.start for b in breaks)):
            out.append(c)
            continue
        text = f"{prev.text}\n{joined}"
        merged = _make(doc, prev.section_path, text, prev.start, c.end, "text")
        merged.meta["last_path"] = list(c.section_path)
        out[-1] = merged
    for c in out:
        c.meta.pop("last_path", None)
    return out


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
                   qas: list[QA] | None = None, sections: list[Section] | None = None) -> list[Chunk]:
    chunks: list[Chunk] = []
    meta = _meta_chunk(doc)
    if meta:
        chunks.append(meta)
    spans = [(q.start, q.end) for q in qas or []]
    # Text inside a Q/A is indexed once, as the Q/A's own chunk.
    paragraphs = [b for b in blocks if b.kind == "paragraph" and not any(s <= b.start < e for s, e in spans)]
    lone = [h for h in _heading_blocks(doc, sections or [], blocks) if not any(s <= h.start < e for s, e in spans)]
    paragraphs = sorted(paragraphs + lone, key=lambda b: b.start)
    breaks = sorted([b.start for b in blocks if b.kind != "paragraph"] + [s for s, _ in spans])
    parents = {tuple(b.section_path[:i]) for b in blocks + lone for i in range(1, len(b.section_path))}
    texts = _paragraph_chunks(doc, paragraphs, size)
    chunks.extend(_pack_sections(doc, texts, size, breaks, parents, {h.start for h in lone}))
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
