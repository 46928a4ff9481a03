"""Lexical channels with bm25s: jieba words and character bigrams share one class."""
from __future__ import annotations

import mmap
from pathlib import Path
from typing import Callable

import bm25s
import numpy as np


class LexicalChannel:
    """A BM25 index over one tokenization of the chunks; scores every chunk for a query."""

    def __init__(self, name: str, bm25: bm25s.BM25, analyzer: Callable[[str], list[str]], size: int):
        self.name = name
        self.bm25 = bm25
        self.analyzer = analyzer
        self.size = size

    @classmethod
    def build(cls, name: str, texts: list[str], analyzer: Callable[[str], list[str]],
              k1: float = 1.2, b: float = 0.75) -> "LexicalChannel":
        return cls.from_tokens(name, [analyzer(t) for t in texts], analyzer, k1, b)

    @classmethod
    def from_tokens(cls, name: str, tokens: list[list[str]], analyzer: Callable[[str], list[str]],
                    k1: float = 1.2, b: float = 0.75) -> "LexicalChannel":
        """Index chunks already tokenized with ``analyzer`` (indexing tokenizes each chunk once)."""
        bm25 = bm25s.BM25(k1=k1, b=b, method="lucene")
        bm25.index([t or [""] for t in tokens], show_progress=False)
        return cls(name, bm25, analyzer, len(tokens))

    def scores(self, query: str | list[str]) -> np.ndarray:
        tokens = self.analyzer(query) if isinstance(query, str) else query
        ids = self.bm25.get_tokens_ids(tokens)
        if not ids:
            return np.zeros(self.size, dtype=np.float32)
        return self.bm25.get_scores_from_ids(ids)

    def idf(self) -> dict[str, float]:
        """Lucene IDF of every indexed token, read from the sparse matrix's column counts."""
        scores = self.bm25.scores
        df = np.diff(np.asarray(scores["indptr"]))
        n = max(1, int(scores["num_docs"]))
        return {t: float(np.log(1 + (n - df[i] + 0.5) / (df[i] + 0.5))) for t, i in self.bm25.vocab_dict.items() if t}

    def save(self, directory: Path) -> None:
        self.bm25.save(str(directory), show_progress=False)

    @classmethod
    def load(cls, name: str, directory: Path, analyzer: Callable[[str], list[str]], size: int,
             mmap: bool = True) -> "LexicalChannel":
        # Memory-mapped: a query reads only its terms' columns, and every worker on the machine shares
        # the same pages through the OS page cache instead of holding its own copy (1000×: ~0.9 GB each).
        bm25 = bm25s.BM25.load(str(directory), mmap=mmap, show_progress=False, verbosity=0)
        for array in bm25.scores.values():
            _random_access(array)
        # Only bm25s's own retrieve() reads this set of every token id (6 MB on the mixed library);
        # scoring goes through get_tokens_ids / get_scores_from_ids.
        bm25.unique_token_ids_set = None
        return cls(name, bm25, analyzer, size)


def _random_access(array: object) -> None:
    """Tell the kernel not to read ahead: a query touches a few columns scattered over the file, and
    readahead would map (and count in every worker's RSS) the pages around each of them too."""
    raw = getattr(array, "_mmap", None)
    if isinstance(raw, mmap.mmap) and hasattr(mmap, "MADV_RANDOM"):
        raw.madvise(mmap.MADV_RANDOM)


def top_indices(scores: np.ndarray, n: int, mask: np.ndarray | None = None) -> np.ndarray:
    """Indices of the n best positive scores, best first."""
    if mask is not None:
        scores = np.where(mask, scores, 0.0)
    n = min(n, int(np.count_nonzero(scores > 0)))
    if n <= 0:
        return np.empty(0, dtype=np.int64)
    idx = np.argpartition(-scores, n - 1)[:n]
    return idx[np.argsort(-scores[idx], kind="stable")]
