"""The documents behind the answers: list, full text with section anchors, cited passages."""
from __future__ import annotations

import html
import re
from typing import Literal

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import HTMLResponse

from api.deps import EngineDep
from api.schemas import Context, DocumentList, DocumentOut, DocumentSummary, Passage, SectionOut
from core.types import Chunk, Document

router = APIRouter(prefix="/api/documents", tags=["政策文件"])

_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
CONTEXT_CHARS = 400
_META_FIELDS = (  # our key -> DocumentMeta attribute; keys are the ones the widget labels
    ("issuer", "issuers"), ("doc_number", "doc_number"), ("publish_date", "issue_date"), ("period", "period"),
    ("region", "region"), ("status", "status"), ("url", "url"), ("basis", "basis"), ("print_date", "print_date"),
    ("printer", "printer"), ("addressees", "addressees"),
)


def meta_of(doc: Document) -> dict[str, str]:
    out = {}
    for key, attr in _META_FIELDS:
        value = getattr(doc.meta, attr, "")
        value = "、".join(value) if isinstance(value, list) else str(value or "")
        if value.strip():
            out[key] = value
    return out


def summary_of(doc: Document) -> DocumentSummary:
    url = doc.meta.url if re.match(r"^https?://", doc.meta.url or "") else ""
    return DocumentSummary(id=doc.id, title=doc.meta.title or doc.source, source=url or doc.source, file=doc.source,
                           meta=meta_of(doc))


@router.get("", response_model=DocumentList, summary="已收录的政策文件")
def list_documents(engine: EngineDep) -> DocumentList:
    """当前索引中的全部文件及其发布机关、文号、日期等信息。"""
    docs = engine.generation.records.documents.values()
    return DocumentList(documents=sorted((summary_of(d) for d in docs), key=lambda s: s.title))


def _find(engine: EngineDep, doc_id: str, chunk_id: str | None) -> tuple[Document, list, Chunk | None]:
    records = engine.generation.records
    doc = records.document(doc_id) if _ID.match(doc_id) else None  # with its full text
    if doc is None:
        raise HTTPException(404, f"文件不存在或已从索引中移除 / no document with id {doc_id[:80]!r}")
    chunk = None
    if chunk_id is not None:
        chunk = records.chunk_by_id.get(chunk_id) if _ID.match(chunk_id) else None
        if chunk is None or chunk.doc_id != doc.id:
            raise HTTPException(404, f"引用的段落不存在（索引可能已更新） / no passage {chunk_id[:80]!r} in this document")
    sections = [s for s in records.sections if s.doc_id == doc.id]
    return doc, sections, chunk


@router.get("/{doc_id}", response_model=DocumentOut, summary="文件全文、章节与引用段落",
            responses={200: {"content": {"text/html": {}}, "description": "JSON；format=html 时为可阅读的网页"},
                       404: {"description": "文件或段落不存在"}})
def get_document(engine: EngineDep, doc_id: str,
                 chunk: str | None = Query(None, max_length=64, description="段落ID（答案引用中的 id）"),
                 format: Literal["json", "html"] = Query("json", description="json 或 html")):  # noqa: A002
    """返回文件全文（sections 给出各章节在全文中的位置）。提供 chunk 时另返回该段落（passage）及其前后文（context）；
    format=html 返回带章节锚点、引用段落以 <mark> 标出的网页（锚点 #cited）。"""
    doc, sections, hit = _find(engine, doc_id, chunk)
    passage = context = section = None
    if hit is not None:
        start, end = max(0, hit.start), min(len(doc.text), hit.end)
        passage = Passage(start=start, end=end, text=doc.text[start:end])
        context = Context(before=doc.text[max(0, start - CONTEXT_CHARS):start], after=doc.text[end:end + CONTEXT_CHARS])
        section = hit.section
    if format == "html":
        return HTMLResponse(render_html(doc, sections, passage),
                            headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})
    base = summary_of(doc)
    return DocumentOut(**base.model_dump(), text=doc.text, section=section, passage=passage, context=context,
                       sections=[SectionOut(id=s.id, path=s.path, level=s.level, start=s.start, end=s.end)
                                 for s in sections])


_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body{{font:16px/1.8 system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0;color:#1f2933;
background:#f7f8fa}}
main{{max-width:52rem;margin:0 auto;padding:1.5rem;background:#fff}}
h1{{font-size:1.4rem;line-height:1.4}}
dl{{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;color:#52606d}}
nav{{border:1px solid #e4e7eb;padding:.5rem 1rem;margin:1rem 0;font-size:.9rem}} nav a{{display:block;text-decoration:none}}
.text{{white-space:pre-wrap;word-break:break-word}} mark{{background:#ffe08a;padding:.1em 0}}
</style></head><body><main>
<h1>{title}</h1>{meta}<nav aria-label="目录">{toc}</nav><div class="text">{body}</div>
</main></body></html>"""
_LABELS = {"issuer": "发布机关", "doc_number": "文号", "publish_date": "发布日期", "period": "规划期", "region": "地区",
           "status": "状态", "url": "来源"}


def render_html(doc: Document, sections: list, passage: Passage | None) -> str:
    """The cleaned text with an anchor at each section start and the cited span in <mark id="cited">."""
    text = doc.text
    inserts: dict[int, list[str]] = {}
    for s in sections:
        inserts.setdefault(min(max(s.start, 0), len(text)), []).append(f'<a id="{html.escape(s.id)}"></a>')
    spans = []
    if passage is not None:
        spans = [(passage.start, '<mark id="cited">'), (passage.end, "</mark>")]
    for pos, tag in spans:
        inserts.setdefault(pos, []).append(tag)
    out, last = [], 0
    for pos in sorted(inserts):
        out.append(html.escape(text[last:pos]))
        # Closing </mark> before anchors at the same spot, so tags never interleave.
        out.extend(sorted(inserts[pos], key=lambda t: 0 if t == "</mark>" else 1))
        last = pos
    out.append(html.escape(text[last:]))
    meta = meta_of(doc)
    meta_html = "<dl>" + "".join(f"<dt>{_LABELS[k]}</dt><dd>{html.escape(v)}</dd>" for k, v in meta.items()
                                 if k in _LABELS) + "</dl>"
    toc = "".join(f'<a href="#{html.escape(s.id)}" style="padding-left:{(s.level - 1) * 1.2}em">'
                  f"{html.escape(s.label)}</a>" for s in sections if s.level <= 2)
    return _PAGE.format(title=html.escape(doc.meta.title or doc.source), meta=meta_html, toc=toc, body="".join(out))
