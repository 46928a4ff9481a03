"""From a loaded file to a ParsedDocument: clean, parse, extract, chunk."""
from __future__ import annotations

import re

from core.types import Document, DocumentMeta, ParsedDocument, content_id
from ingest.chunk import chunk_document
from ingest.clean import clean
from ingest.figures import extract_figures
from ingest.manifest import merge_meta
from ingest.meta import extract_meta
from ingest.parse import parse_structure
from ingest.tables import parse_table

# Bump when parsing changes, so cached parses of unchanged files are redone.
PARSER_VERSION = "1"


def parse_text(raw: str, source: str, row: dict[str, object] | None = None, chunk_size: int = 400) -> ParsedDocument:
    doc_id = content_id("doc", raw)
    cleaned = clean(raw)
    fallback = re.sub(r"\.[A-Za-z0-9]+$", "", source.rsplit("/", 1)[-1])
    meta: DocumentMeta = merge_meta(extract_meta(cleaned.text, fallback_title=fallback), row)
    if not meta.title:
        meta.title = fallback
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
    chunks = chunk_document(doc, structure.blocks, indicators, chunk_size)
    return ParsedDocument(document=doc, sections=structure.sections, indicators=indicators, figures=figures,
                          chunks=chunks)
