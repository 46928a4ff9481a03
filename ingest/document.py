"""From a loaded file to a ParsedDocument: clean, parse, extract, chunk."""
from __future__ import annotations

import re
from functools import lru_cache

from core.profile import NATION, Gazetteer
from core.types import Document, DocumentMeta, ParsedDocument, content_id
from ingest.chunk import chunk_document
from ingest.clean import clean
from ingest.figures import extract_figures
from ingest.manifest import merge_meta
from ingest.meta import extract_meta, period_of
from ingest.meta import region_of as fallback_region
from ingest.qa import find_qas
from ingest.parse import parse_structure
from ingest.tables import parse_table

# Bump when parsing changes, so cached parses of unchanged files are redone.
PARSER_VERSION = "6"  # 3: short sibling sections packed into one passage; lone headings are text
# 4, 5: flattened text keeps the spaces inside figures ("2020 年 2 月 29 日") within its line; 6: a news
# headline ends at its dateline (新华社…电)


_OPENING = 200  # characters of text searched for a place when title, issuer and source name none
# National laws and the State Council's documents apply everywhere.
_NATIONAL = re.compile(r"^(?:中华人民共和国|国务院|全国人民代表大会|中共中央)")


@lru_cache(maxsize=1)
def _gazetteer() -> Gazetteer:
    return Gazetteer.load()


def region_of(meta: DocumentMeta, opening: str = "") -> str:
    """The most specific place named by the issuing part of the title, the issuers, the title or the source;
    failing those, by the page's site or the text's opening lines (a news item's "新华社上海2月13日电")."""
    gaz = _gazetteer()
    head, about, _ = meta.title.partition("关于")
    if _NATIONAL.match(meta.title) or any(_NATIONAL.match(i) for i in meta.issuers):
        return NATION
    for text in (head if about else "", " ".join(meta.issuers), meta.title, meta.publisher):
        if places := gaz.find(text):
            return max(places, key=lambda p: len(gaz.ancestors(p)))
    return fallback_region(meta.title) or _first_place(gaz, meta.site) or _first_place(gaz, opening)


def _first_place(gaz: Gazetteer, text: str) -> str:
    places = gaz.find(text)
    return max(places[:2], key=lambda p: len(gaz.ancestors(p))) if places else ""


def _with_hints(derived: DocumentMeta, hints: DocumentMeta | None) -> DocumentMeta:
    """What the file states about itself (a page's metadata) wins over what is guessed from its text."""
    if hints is None:
        return derived
    data = derived.to_dict()
    data.update({k: v for k, v in hints.to_dict().items() if v})
    meta = DocumentMeta.from_dict(data)
    meta.issue_date = meta.issue_date or meta.publish_date
    meta.period = meta.period or period_of(meta.title)
    return meta


def parse_text(raw: str, source: str, row: dict[str, object] | None = None, chunk_size: int = 400,
               hints: DocumentMeta | None = None) -> ParsedDocument:
    doc_id = content_id("doc", raw)
    cleaned = clean(raw)
    fallback = re.sub(r"\.[A-Za-z0-9]+$", "", source.rsplit("/", 1)[-1])
    meta = merge_meta(_with_hints(extract_meta(cleaned.text, fallback_title=fallback), hints), row)
    if not meta.title:
        meta.title = fallback
    if not (row or {}).get("region"):
        meta.region = region_of(meta, cleaned.text[:_OPENING])
    doc = Document(id=doc_id, source=source, raw_text=raw, text=cleaned.text, offsets=cleaned.offsets, meta=meta)
    structure = parse_structure(doc_id, cleaned.text)
    indicators = []
    for block in structure.blocks:
        if block.kind == "table":
            indicators.extend(parse_table(
                block.lines, doc_id=doc_id, table_id=block.meta["table_id"], caption=block.meta["caption"],
                section_path=block.section_path,
            ))
    period_end = int(meta.period[-4:]) if re.search(r"\d{4}$", meta.period) else None
    figures = extract_figures(doc_id, cleaned.text, structure.blocks, period_end)
    qas = find_qas(doc_id, cleaned.text, structure.sections, meta.title)
    chunks = chunk_document(doc, structure.blocks, indicators, chunk_size, qas, structure.sections)
    return ParsedDocument(document=doc, sections=structure.sections, indicators=indicators, figures=figures,
                          chunks=chunks, qas=qas)
