"""The chunk table of a generation: exactly the chunks written, read lazily from memory-mapped files."""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from core.chunk_table import TABLE_DIR, ChunksById, ChunkTable
from core.settings import Settings
from core.types import Chunk
from index import store
from index.pipeline import build_index
from tests.retriever.conftest import tiny_settings, write_tiny_corpus


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The tiny corpus and the bundled plan, indexed through the real pipeline (LSA channel)."""
    root = tmp_path_factory.mktemp("table")
    settings = tiny_settings(root, embedding_backend="lsa")
    corpus = write_tiny_corpus(root / "corpus")
    report = build_index([corpus, settings.corpus_dir], settings.index_dir, settings)
    assert report.documents == 5 and not report.skipped
    return settings


@pytest.fixture(scope="module")
def gen(settings: Settings) -> Path:
    return store.require_generation(settings.index_dir)


def eager(gen: Path) -> list[Chunk]:
    """What Records held before tables: every line of chunks.jsonl as a Chunk."""
    lines = (gen / "chunks.jsonl").read_text(encoding="utf-8").splitlines()
    return [Chunk.from_dict(json.loads(line)) for line in lines if line.strip()]


def same_columns(table: ChunkTable, chunks: list[Chunk]) -> None:
    assert len(table) == len(chunks) > 100
    assert table.ids == [c.id for c in chunks]
    assert [table.doc_ids[d] for d in table.doc] == [c.doc_id for c in chunks]
    assert [table.kinds[k] for k in table.kind] == [c.kind for c in chunks]
    assert table.start.tolist() == [c.start for c in chunks] and table.end.tolist() == [c.end for c in chunks]
    assert [table.text(i) for i in range(len(table))] == [c.text for c in chunks]
    assert all(table.index_of[c.id] == i for i, c in enumerate(chunks))


def test_the_lazy_table_returns_exactly_the_chunks_written(gen: Path) -> None:
    chunks = eager(gen)
    table = store.Records(gen).chunks
    assert isinstance(table, ChunkTable) and not isinstance(table._texts, bytes)  # read from its file
    same_columns(table, chunks)
    assert list(table) == chunks and table[-1] == chunks[-1] and table[3:6] == chunks[3:6]
    by_id = ChunksById(table)
    assert by_id[chunks[7].id] == chunks[7] and chunks[7].id in by_id and "0" * 16 not in by_id
    with pytest.raises(IndexError):
        table[len(chunks)]


def test_a_generation_without_a_table_reads_its_chunks_jsonl(gen: Path, tmp_path: Path) -> None:
    old = tmp_path / gen.name
    shutil.copytree(gen, old)
    shutil.rmtree(old / TABLE_DIR)
    table = ChunkTable.open(old)
    chunks = eager(gen)
    same_columns(table, chunks)
    assert list(table) == chunks


def test_a_table_over_a_list_holds_the_same_objects(gen: Path) -> None:
    chunks = eager(gen)
    table = ChunkTable.of(chunks)
    same_columns(table, chunks)
    assert all(table[i] is c for i, c in enumerate(chunks)) and ChunkTable.of(table) is table


def test_lookups_by_document_ref_and_text(gen: Path) -> None:
    chunks = eager(gen)
    table = ChunkTable.open(gen)
    for doc_id in {c.doc_id for c in chunks}:
        assert [table[i] for i in table.of_doc(doc_id)] == [c for c in chunks if c.doc_id == doc_id]
    assert not len(table.of_doc("no such document"))
    rows = table.by_ref("table_row")
    assert rows and all(chunks[i].kind == "table_row" and chunks[i].ref == ref for ref, ix in rows.items() for i in ix)
    assert sum(map(len, rows.values())) == sum(c.kind == "table_row" for c in chunks)
    assert table.by_ref("no such kind") == {} and table.kind_code("no such kind") == -1
    # Any text's pieces are found; a string spanning two texts' border is not.
    for term in ("创业担保贷款", chunks[5].text[-3:], chunks[40].text[:4], "个人创业担保贷款最高额度为20万元"):
        assert table.contains(term) == any(term in c.text for c in chunks) is True
    border = chunks[0].text[-2:] + chunks[1].text[:2]
    assert table.contains(border) == any(border in c.text for c in chunks)
    assert not table.contains("火星探测") and not table.contains("\x00") and not ChunkTable.of([]).contains("")


def test_a_scan_finds_terms_across_read_blocks(gen: Path, monkeypatch: Any) -> None:
    from core import chunk_table

    monkeypatch.setattr(chunk_table._File, "BLOCK", 7)  # every multi-byte term straddles some block border
    chunks, table = eager(gen), ChunkTable.open(gen)
    for c in chunks[::9]:
        for term in (c.text[:5], c.text[-4:], c.text[len(c.text) // 2:][:6]):
            assert table.contains(term)
    assert not table.contains("火星探测") and not table.contains(chunks[0].text[-2:] + chunks[1].text[:2])


def test_decoded_chunks_are_bounded(gen: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(ChunkTable, "CACHED", 10)
    table = ChunkTable.open(gen)
    for i in range(len(table)):
        table[i]
    assert len(table._cache) == 10 and set(table._cache) == set(range(len(table) - 10, len(table)))
    assert isinstance(table.doc, np.ndarray) and table.doc.dtype == np.int32


def test_search_over_the_table_ranks_as_over_the_chunk_objects(gen: Path, settings: Settings) -> None:
    from retriever.scope import document_meta
    from retriever.search import open_retriever

    records = store.Records(gen)
    meta = {d.id: document_meta(d) for d in records.documents.values()}
    lazy, objects = (open_retriever(gen, chunks, meta, settings) for chunks in (records.chunks, eager(gen)))
    assert lazy.vectors is not None and lazy.live_channels.get("dense") == "lsa"
    for q in ("个人创业担保贷款最高额度是多少？", "生育保险参保人数2020年目标是多少？", "九江市吸纳就业补贴",
              "城镇新增就业人数", "职业技能培训补贴1000元", "十三五规划文号", "就业"):
        got, want = lazy.search(q, k=20), objects.search(q, k=20)
        assert got and [(h.chunk, h.score, h.channels, h.in_scope) for h in got] == \
            [(h.chunk, h.score, h.channels, h.in_scope) for h in want]
        assert lazy.held_expansions(lazy.plan(q)) == objects.held_expansions(objects.plan(q))


def test_a_dropped_table_closes_its_files(gen: Path) -> None:
    import gc
    import os

    def open_fds() -> int:
        # Only the files of this generation: other tests' servers and stores open and close their own meanwhile.
        held = 0
        for fd in os.listdir("/proc/self/fd"):
            try:
                held += os.readlink(f"/proc/self/fd/{fd}").startswith(str(gen))
            except OSError:
                continue  # closed since listed
        return held

    gc.collect()  # earlier tests' dropped tables close now, not in the middle of the count
    before = open_fds()
    table = ChunkTable.open(gen)
    assert table[2].text == table.text(2) and open_fds() == before + 3  # texts.bin, bigrams.bin, chunks.jsonl
    del table
    gc.collect()
    assert open_fds() == before


def test_the_table_stores_each_chunks_look_alike_shingles_as_ranks(gen: Path) -> None:
    from retriever.lookalike import shingle_sets

    table = ChunkTable.open(gen)
    picks = [0, 5, 3, len(table) - 1, 5]
    ranks, bounds = table.codes(picks)
    want, want_bounds = shingle_sets([table.text(i) for i in picks])
    assert bounds.tolist() == want_bounds.tolist() and len(ranks) > 50 and ranks.dtype == np.uint32
    # One rank per bigram, in the bigrams' order: the same sets, sorted the same way.
    rank_of = dict(zip(want.tolist(), ranks.tolist()))
    assert len(set(rank_of.values())) == len(rank_of) == len(set(want.tolist()))
    assert [rank_of[c] for c in sorted(rank_of)] == sorted(rank_of.values())
    assert table.code_space is not None and max(rank_of.values()) < table.code_space
    assert table.codes([])[0].size == 0
    built = ChunkTable.of(eager(gen))
    assert built.codes(picks) is None and built.code_space is None  # built in memory: the retriever computes them


def test_headings_are_read_without_the_records(gen: Path, monkeypatch: Any) -> None:
    chunks = eager(gen)
    table = ChunkTable.open(gen)
    monkeypatch.setattr(table, "_rows", None)  # a record decoded would fail
    assert [table.heading(i) for i in range(len(table))] == [(c.doc_title, tuple(c.section_path)) for c in chunks]
    older = ChunkTable.open(gen)
    older._headings = None  # a table written before: from its records, the same
    assert [older.heading(i) for i in range(0, len(older), 7)] == [(c.doc_title, tuple(c.section_path))
                                                                  for c in chunks[::7]]


def test_digit_runs_answer_whether_a_text_holds_a_number(gen: Path) -> None:
    table = ChunkTable.open(gen)
    asked = [("2020",), ("20", "3.5"), ("12",), ("0.5",), ("2020", "99999999")]
    for numbers in asked:
        test = table.number_test(numbers)
        assert [test(i) for i in range(len(table))] == [any(x in table.text(i) for x in numbers)
                                                        for i in range(len(table))]
    assert sum(map(table.number_test(("2020",)), range(len(table)))) > 10
    older = ChunkTable.open(gen)
    older._digits = None  # a table written before the runs: its texts are read, with the same answers
    assert [older.number_test(("2020", "3.5"))(i) for i in range(len(older))] == [
        table.number_test(("2020", "3.5"))(i) for i in range(len(table))]
    written = Chunk(id="c", doc_id="d", doc_title="t", section_path=[], text="补贴１２００元，2019.5年12020人", start=0, end=1)
    small = ChunkTable.of([written])
    assert [small.number_test((x,))(0) for x in ("1200", "2019.5", "2020", "9.5", "19")] == [False, True, True, True,
                                                                                              True]


def test_a_table_written_before_shingles_searches_the_same(settings: Settings) -> None:
    """Without stored shingles (a table written before them) the retriever computes them: the same ranking."""
    from assistant.engine import Engine

    retriever = Engine.open(settings=settings).generation.retriever
    questions = ["城镇新增就业人数目标是多少？", "失业保险参保人数", "创业补贴多少钱", "养老保险", "北京市创业补贴"]
    stored = retriever.chunks._codes
    assert stored is not None
    want = [[(h.chunk.id, h.score) for h in retriever.search(q, 10)] for q in questions]
    try:
        retriever.chunks._codes = None
        assert [[(h.chunk.id, h.score) for h in retriever.search(q, 10)] for q in questions] == want
    finally:
        retriever.chunks._codes = stored
