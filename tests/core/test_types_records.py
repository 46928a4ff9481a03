"""Record types: what the search channels index for a chunk, and loading data written before QA records."""
from __future__ import annotations

from core.types import CONTEXT_CHARS, Chunk, ParsedDocument


def _chunk(title: str, path: list[str], text: str = "城镇新增就业12万人。") -> Chunk:
    return Chunk(id="c", doc_id="d", doc_title=title, section_path=path, text=text, start=0, end=len(text))


def test_indexed_text_has_title_section_and_passage() -> None:
    chunk = _chunk("某市就业规划", ["一、发展基础", "（一）就业"])
    assert chunk.indexed_text() == "某市就业规划\n一、发展基础 › （一）就业\n城镇新增就业12万人。"


def test_a_long_title_never_swamps_the_passage() -> None:
    opening = "国家税务总局某市税务局各单位：为坚决贯彻落实党中央决策部署，现就有关事项通知如下。" * 300
    chunk = _chunk(opening, ["前言", opening])
    indexed = chunk.indexed_text()
    context = indexed[: -len(chunk.text)]
    assert len(context) <= 3 * CONTEXT_CHARS + 2
    assert indexed.endswith(chunk.text)


def test_parsed_document_without_qas_loads() -> None:
    data = {"document": {"id": "d", "source": "a.txt", "raw_text": "x", "text": "x", "offsets": [0], "meta": {}},
            "sections": [], "indicators": [], "figures": [], "chunks": []}
    assert ParsedDocument.from_dict(data).qas == []
