"""Embedders for the dense channel, behind one small Protocol.

The default needs no downloaded weights: LSA (TF-IDF → truncated SVD) fitted on the
corpus at ingest and saved with the index as plain arrays. A sentence-transformers
model is used instead when ``EMBEDDING_MODEL`` names one; torch is imported only then.
"""
from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path
from typing import Callable, Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Embedder(Protocol):
    name: str
    dim: int

    def embed_documents(self, texts: list[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


def _pretokenized(tokens: list[str]) -> list[str]:
    return tokens


def _l2(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.maximum(norms, 1e-12)


class LsaEmbedder:
    """Latent semantic analysis fitted on the corpus: sublinear TF-IDF, then truncated SVD."""

    name = "lsa"
    kind = "lsa"

    def __init__(self, vocab: dict[str, int], idf: np.ndarray, components: np.ndarray,
                 analyzer: Callable[[str], list[str]]):
        self.vocab = vocab
        self.idf = idf.astype(np.float32)
        # Term-major, and the only copy kept: a product with the transposed (dim, vocab) view made scipy
        # copy the whole matrix on every query (~1 ms at 8.5k terms); a query only needs its few rows.
        self._by_term = np.ascontiguousarray(np.asarray(components, dtype=np.float32).T)
        self.analyzer = analyzer
        self.dim = int(components.shape[0])

    @classmethod
    def fit(cls, texts: list[str], analyzer: Callable[[str], list[str]], dims: int = 256,
            seed: int = 0) -> "LsaEmbedder":
        return cls.fit_tokens([analyzer(t) for t in texts], analyzer, dims, seed)[0]

    @classmethod
    def fit_tokens(cls, tokens: list[list[str]], analyzer: Callable[[str], list[str]], dims: int = 256,
                   seed: int = 0) -> tuple["LsaEmbedder", np.ndarray]:
        """Fit on chunks already tokenized with ``analyzer``; also return their embeddings.

        The embeddings come from the TF-IDF matrix of the fit itself (the same weighting
        ``embed_documents`` computes), so indexing never tokenizes a chunk twice.
        """
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer
        from threadpoolctl import threadpool_limits

        vec = TfidfVectorizer(analyzer=_pretokenized, sublinear_tf=True, min_df=1, norm="l2", dtype=np.float32)
        X = vec.fit_transform(tokens)
        # A tiny corpus gets a tiny model rather than an error.
        k = max(1, min(dims, X.shape[0], X.shape[1] - 1))
        svd = TruncatedSVD(n_components=k, algorithm="randomized", n_iter=5, random_state=seed)
        # One BLAS thread: the randomized SVD's tall, thin QR steps ran 3-6x slower with two
        # threads on a 2-CPU machine that was also serving or ingesting (measured: 1.1 s vs 3.7-6.5 s).
        with threadpool_limits(1):
            svd.fit(X)
        vocab = {t: int(i) for t, i in vec.vocabulary_.items()}
        model = cls(vocab, vec.idf_, np.ascontiguousarray(svd.components_), analyzer)
        return model, _l2(np.asarray(X @ model._by_term, dtype=np.float32))

    @property
    def components(self) -> np.ndarray:
        """(dim, vocab), as saved: a view, not a second matrix."""
        return self._by_term.T

    def _weights(self, text: str) -> tuple[list[int], np.ndarray]:
        """The text's TF-IDF row: term ids and their l2-normalized sublinear weights."""
        counts = Counter(t for t in self.analyzer(text) if t in self.vocab)
        idx = [self.vocab[t] for t in counts]
        w = np.array([(1 + math.log(c)) for c in counts.values()], dtype=np.float32) * self.idf[idx]
        return idx, w / max(float(np.linalg.norm(w)), 1e-12)

    def _tfidf(self, texts: list[str]) -> np.ndarray:
        from scipy.sparse import csr_matrix

        rows, cols, vals = [], [], []
        for r, text in enumerate(texts):
            idx, w = self._weights(text)
            rows.extend([r] * len(idx))
            cols.extend(idx)
            vals.extend(w.tolist())
        return csr_matrix((vals, (rows, cols)), shape=(len(texts), len(self.vocab)), dtype=np.float32)

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        return _l2(np.asarray(self._tfidf(texts) @ self._by_term))

    def embed_query(self, text: str) -> np.ndarray:
        # Without scipy: a serving worker need not import it (~20 MB) for one sparse row.
        idx, w = self._weights(text)
        if not idx:
            return np.zeros(self.dim, dtype=np.float32)
        return _l2(w @ self._by_term[idx])

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "vocab.json").write_text(json.dumps(self.vocab, ensure_ascii=False), encoding="utf-8")
        np.save(directory / "idf.npy", self.idf)
        np.save(directory / "components.npy", self.components)

    @classmethod
    def load(cls, directory: Path, analyzer: Callable[[str], list[str]]) -> "LsaEmbedder":
        from retriever.lexical import advise_random

        vocab = json.loads((directory / "vocab.json").read_text(encoding="utf-8"))
        # Memory-mapped: saved term-major (a Fortran-order (dim, vocab) view), the matrix is used in place,
        # a query reads only its terms' rows, and the workers share the pages (mixed library: 25 MB each).
        components = np.load(directory / "components.npy", mmap_mode="r")
        advise_random(components)
        return cls(vocab, np.load(directory / "idf.npy"), components, analyzer)


class SentenceTransformerEmbedder:
    """A sentence-transformers model by hub name or local path (e.g. BAAI/bge-small-zh-v1.5)."""

    kind = "sentence-transformers"

    def __init__(self, model: str, device: str = "cpu", batch_size: int = 64):
        from sentence_transformers import SentenceTransformer  # heavy: torch loads only here

        self.model = SentenceTransformer(model, device=device)
        self.name = f"st:{model}"
        self.batch_size = batch_size
        # get_embedding_dimension is the 6.x name; the old one warns there and is gone later.
        dim_of = getattr(self.model, "get_embedding_dimension", None) or getattr(
            self.model, "get_sentence_embedding_dimension", None)
        dim = dim_of() if callable(dim_of) else None
        self.dim = int(dim) if dim else int(self.model.encode(["x"]).shape[-1])

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        vecs = self.model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                 show_progress_bar=False, convert_to_numpy=True)
        return np.asarray(vecs, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]
