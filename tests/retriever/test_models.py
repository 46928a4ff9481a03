"""The sentence-transformers paths, with tiny BERT models built here from scratch (no downloads).

The weights are random, so these tests check the wiring (ingest, index, reopen, rerank order),
not the quality of the model.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from core.settings import get_settings, load_settings
from tests.conftest import PLAN_PATH
from tests.retriever.conftest import TINY_DOCS

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
sentence_transformers = pytest.importorskip("sentence_transformers")

HIDDEN = 32


def _vocab(folder: Path) -> Path:
    """WordPiece vocab: specials, digits (whole and as continuations) and every CJK character we index."""
    text = PLAN_PATH.read_text(encoding="utf-8") + "".join(t + body for t, (_, _, body) in TINY_DOCS.items())
    cjk = sorted({c for c in text if "\u4e00" <= c <= "\u9fff"})
    digits = list("0123456789")
    tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *digits, *(f"##{d}" for d in digits), *cjk]
    path = folder / "vocab.txt"
    path.write_text("\n".join(tokens) + "\n", encoding="utf-8")
    return path


def _bert_config(vocab_size: int, **extra: Any) -> Any:
    return transformers.BertConfig(vocab_size=vocab_size, hidden_size=HIDDEN, num_hidden_layers=2,
                                   num_attention_heads=2, intermediate_size=64, max_position_embeddings=256,
                                   **extra)


@pytest.fixture(scope="module")
def tokenizer_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tiny-tokenizer")
    _vocab(folder)
    return folder


@pytest.fixture(scope="module")
def embedding_model(tmp_path_factory: pytest.TempPathFactory, tokenizer_dir: Path) -> Path:
    """A 2-layer, 32-dim BERT with mean pooling, saved as a SentenceTransformer."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Pooling, Transformer

    root = tmp_path_factory.mktemp("tiny-st")
    tokenizer = transformers.BertTokenizer(str(tokenizer_dir / "vocab.txt"))
    torch.manual_seed(0)
    transformers.BertModel(_bert_config(tokenizer.vocab_size)).save_pretrained(root / "bert")
    tokenizer.save_pretrained(root / "bert")
    encoder = Transformer(str(root / "bert"), max_seq_length=128)
    model = SentenceTransformer(modules=[encoder, Pooling(encoder.get_embedding_dimension(), "mean")], device="cpu")
    model.save(str(root / "model"))
    return root / "model"


@pytest.fixture(scope="module")
def rerank_model(tmp_path_factory: pytest.TempPathFactory, tokenizer_dir: Path) -> Path:
    """A 2-layer BERT with a one-logit head, saved the plain transformers way."""
    root = tmp_path_factory.mktemp("tiny-ce")
    tokenizer = transformers.BertTokenizer(str(tokenizer_dir / "vocab.txt"))
    torch.manual_seed(1)
    model = transformers.BertForSequenceClassification(_bert_config(tokenizer.vocab_size, num_labels=1))
    model.save_pretrained(root)
    tokenizer.save_pretrained(root)
    return root


@pytest.fixture
def env_settings(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Settings read from the environment, as the service reads them; the cache is cleared both ways."""
    get_settings.cache_clear()
    yield lambda root, **kw: load_settings(index_dir=root / "index", data_dir=root / "data", **kw)
    get_settings.cache_clear()


def test_tokenizer_splits_chinese_per_character(tokenizer_dir: Path) -> None:
    tok = transformers.BertTokenizer(str(tokenizer_dir / "vocab.txt"))
    assert tok.tokenize("景德镇2020年") == ["景", "德", "镇", "2", "##0", "##2", "##0", "年"]


def test_embedding_model_ingest_search_and_reopen(embedding_model: Path, env_settings: Any, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.engine import Engine
    from index.pipeline import build_index
    from index.store import require_generation
    from retriever.build import chroma_client, collection_name
    from retriever.dense import SentenceTransformerEmbedder

    monkeypatch.setenv("EMBEDDING_MODEL", str(embedding_model))
    settings = env_settings(tmp_path)
    assert settings.embedding_model == str(embedding_model)
    report = build_index([PLAN_PATH], settings.index_dir, settings)
    assert report.documents == 1 and report.chunks > 50

    gen = require_generation(settings.index_dir)
    info = json.loads((gen / "dense" / "info.json").read_text(encoding="utf-8"))
    assert {k: info[k] for k in ("embedder", "model", "dim")} == {
        "embedder": "sentence-transformers", "model": str(embedding_model.resolve()), "dim": HIDDEN}
    assert not (gen / "dense" / "components.npy").exists()  # no LSA model alongside
    collection = chroma_client(gen, settings).get_collection(collection_name(gen))
    stored = collection.get(limit=3, include=["embeddings"])["embeddings"]
    assert collection.count() == report.chunks and np.asarray(stored).shape == (3, HIDDEN)

    # Reopening reads the model from the index, not from the environment.
    monkeypatch.delenv("EMBEDDING_MODEL")
    engine = Engine.open(settings=env_settings(tmp_path))
    try:
        retriever = engine.generation.retriever
        assert isinstance(retriever.embedder.inner, SentenceTransformerEmbedder)  # behind the query LRU
        assert retriever.embedder.dim == HIDDEN
        hits = engine.search("2020年城镇新增就业目标", k=5)
        assert len(hits) == 5 and all("dense" in h.channels or "words" in h.channels for h in hits)
        assert any("dense" in h.channels for h in engine.search("城镇新增就业", k=10))
        query = retriever.embedder.embed_query("城镇新增就业")
        assert query.shape == (HIDDEN,) and abs(float(np.linalg.norm(query)) - 1.0) < 1e-5
    finally:
        engine.close()


def test_cross_encoder_reranks_the_hits(rerank_model: Path, tiny_engine: Any, env_settings: Any, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.engine import Engine
    from retriever.rerank import CrossEncoderReranker

    monkeypatch.setenv("RERANK_MODEL", str(rerank_model))
    settings = env_settings(tmp_path).model_copy(update={"index_dir": tiny_engine.settings.index_dir})
    assert settings.rerank_model == str(rerank_model)
    engine = Engine.open(settings=settings)
    try:
        retriever = engine.generation.retriever
        assert isinstance(retriever.reranker, CrossEncoderReranker)
        query = "一次性创业补贴是多少"
        hits = engine.search(query, k=6)
        assert len(hits) == 6 and all("rerank" in h.channels for h in hits)
        assert [h.score for h in hits] == [h.channels["rerank"] for h in hits]
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
        # The scores are the cross-encoder's own for (query, passage in context).
        pairs = [(retriever.plan(query).normalized, h.chunk.indexed_text()) for h in hits]
        expected = retriever.reranker.model.predict(pairs, show_progress_bar=False)
        assert np.allclose([h.score for h in hits], expected, atol=1e-5)
        # The fused candidates it reorders are the same ones search finds without a reranker.
        plain = tiny_engine.search(query, k=30)
        assert {h.chunk.id for h in hits} <= {h.chunk.id for h in plain}
    finally:
        engine.close()


def test_reranker_keeps_the_tail_order(rerank_model: Path, tiny_retriever: Any) -> None:
    from retriever.rerank import CrossEncoderReranker

    reranker = CrossEncoderReranker(str(rerank_model), top_n=2)
    hits = tiny_retriever.search("补贴", k=5)
    out = reranker.rerank("补贴", hits)
    assert {h.chunk.id for h in out[:2]} == {h.chunk.id for h in hits[:2]}
    assert [h.chunk.id for h in out[2:]] == [h.chunk.id for h in hits[2:]]
    assert "rerank" not in out[2].channels

