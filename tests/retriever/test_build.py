"""Index building: one tokenization per chunk, the same index as before, and what the index records."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from retriever.dense import LsaEmbedder
from retriever.tokenize import Tokenizer
from tests.conftest import PLAN_PATH

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def plan_texts(plan_parsed: Any) -> list[str]:
    return [c.indexed_text() for c in plan_parsed.chunks]


def test_analyze_is_words_and_bigrams(plan_texts: list[str]) -> None:
    tok = Tokenizer(["创业担保贷款"])
    for text in plan_texts[::7]:
        assert tok.analyze(text) == (tok.words(text), tok.bigrams(text))


def test_cached_runs_cut_like_fresh_tokenizers(plan_texts: list[str]) -> None:
    warm = Tokenizer()
    for text in plan_texts:
        warm.words(text)
    for text in plan_texts[::11]:
        assert warm.words(text) == Tokenizer().words(text)


def test_lsa_fit_returns_the_embeddings_embed_documents_computes(plan_texts: list[str]) -> None:
    tok = Tokenizer()
    model, vectors = LsaEmbedder.fit_tokens([tok.words(t) for t in plan_texts], tok.words, dims=32)
    assert vectors.shape == (len(plan_texts), 32) and vectors.dtype == np.float32
    assert np.allclose(vectors, model.embed_documents(plan_texts), atol=1e-5)
    assert np.allclose(model.embed_query(plan_texts[3]), vectors[3], atol=1e-5)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_lsa_query_without_known_words_is_zero() -> None:
    tok = Tokenizer()
    model = LsaEmbedder.fit(["创业担保贷款", "养老保险参保", "职业技能培训"], tok.words, dims=2)
    assert not model.embed_query("火星探测").any()


def test_build_records_its_stages_and_embedder(tiny_engine: Any) -> None:
    gen = tiny_engine.generation.path
    search = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))["search"]
    assert set(search["seconds"]) == {"tokenize", "lexical", "dense", "vectors"}
    assert search["embedder"]["embedder"] == "lsa" and search["chroma_host"] == ""
    info = json.loads((gen / "dense" / "info.json").read_text(encoding="utf-8"))
    assert info["embedder"] == "lsa" and info["dim"] == tiny_engine.generation.retriever.embedder.dim


def test_vectors_count_is_asked_once_and_subset_queries_are_exact(tiny_retriever: Any) -> None:
    vectors = tiny_retriever.vectors
    n = vectors.count()
    assert n == len(tiny_retriever.chunks)
    calls = []
    real = vectors.collection.count
    vectors.collection.count = lambda: calls.append(1) or real()  # type: ignore[method-assign]
    try:
        assert vectors.count() == n and not calls
    finally:
        vectors.collection.count = real  # type: ignore[method-assign]

    ids = tuple(c.id for c in tiny_retriever.chunks if c.doc_title.startswith("景德镇市"))
    query = tiny_retriever.embedder.embed_query("一次性创业补贴")
    among = vectors.query_among(query, ids, 5)
    got = vectors.collection.get(ids=list(ids), include=["embeddings"])
    sims = np.asarray(got["embeddings"]) @ query
    exact = [got["ids"][i] for i in np.argsort(-sims, kind="stable")[:5]]
    assert [cid for cid, _ in among] == exact
    assert [s for _, s in among] == pytest.approx(sorted(sims, reverse=True)[:5], abs=1e-5)
    # The same as Chroma's own filtered query.
    region = vectors.query(query, 5, {"region": "景德镇市"})
    assert [cid for cid, _ in region] == exact
    assert vectors.query_among(query, (), 5) == [] and vectors.query_among(query, ids, 0) == []


def test_default_path_never_imports_torch(tmp_path: Path) -> None:
    """Ingest and search with the default (LSA) settings in a fresh interpreter."""
    from tests.retriever.conftest import write_tiny_corpus

    corpus = write_tiny_corpus(tmp_path / "corpus")
    script = f"""
import sys
from pathlib import Path
from core.settings import load_settings
from assistant.engine import Engine
from index.pipeline import build_index
settings = load_settings(index_dir=Path({str(tmp_path / 'index')!r}), data_dir=Path({str(tmp_path / 'data')!r}))
assert settings.embedding_model is None and settings.rerank_model is None
build_index([Path({str(corpus)!r})], settings.index_dir, settings)
engine = Engine.open(settings=settings)
assert engine.search("创业担保贷款最高额度", k=3)
print(sorted(m for m in ("torch", "sentence_transformers", "transformers") if m in sys.modules))
"""
    env = {k: v for k, v in os.environ.items() if k not in ("EMBEDDING_MODEL", "RERANK_MODEL")}
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"
