"""Lexical channels over bm25s indexes: jieba words and character bigrams share one class.

bm25s builds the index (eager BM25: every term's scores are precomputed into a sparse CSC matrix) and saves
it. Serving reads the saved arrays from the files (the postings with pread, the vocabulary memory-mapped)
and adds up the query terms' columns itself, the five lines of bm25s's ``get_scores_from_ids``: a worker
then loads neither bm25s nor scipy (~22 MB each).
"""
from __future__ import annotations

import json
import mmap
import os
from hashlib import blake2b
from pathlib import Path
from typing import Any, Callable, Protocol

import numpy as np

from core.lru import LRU

_METHODS = {"lucene"}  # methods without a non-occurrence term: a query's score is only its columns' sum


class Vocab(Protocol):
    def lookup(self, tokens: list[str]) -> list[int]: ...


class DictVocab:
    """bm25s's own token -> id dict (a channel just built, or an index written before HashedVocab)."""

    def __init__(self, ids: dict[str, int]):
        self.ids = ids

    def lookup(self, tokens: list[str]) -> list[int]:
        ids = self.ids
        return [ids[t] for t in tokens if t in ids]


class HashedVocab:
    """token -> token id through the sorted 64-bit hashes of the tokens, memory-mapped from the index.

    bm25s keeps its vocabulary as a Python dict, a str and an int object per token: 20 MB per worker for
    the ~250k words and bigrams of the mixed library, loaded again by every worker. Two arrays on disk are
    shared by all of them through the page cache. A query token outside the vocabulary has a 2^-64 chance
    per vocabulary entry of being taken for it; a build whose own tokens collide keeps the dict instead.
    """

    HASHES, IDS = "vocab.hash.npy", "vocab.ids.npy"

    def __init__(self, hashes: np.ndarray, ids: np.ndarray):
        self.hashes = hashes
        self.ids = ids

    @staticmethod
    def key(token: str) -> int:
        return int.from_bytes(blake2b(token.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")

    @classmethod
    def write(cls, vocab: dict[str, int], directory: Path) -> bool:
        """Save the arrays beside bm25s's files; False (nothing written) if two tokens share a hash."""
        keys = np.fromiter((cls.key(t) for t in vocab), dtype=np.uint64, count=len(vocab))
        order = np.argsort(keys, kind="stable")
        keys = keys[order]
        if len(keys) > 1 and bool((keys[1:] == keys[:-1]).any()):
            return False
        ids = np.fromiter(vocab.values(), dtype=np.int64, count=len(vocab))[order]
        np.save(directory / cls.HASHES, keys)
        np.save(directory / cls.IDS, ids.astype(np.int32 if len(ids) < 2**31 else np.int64))
        return True

    @classmethod
    def load(cls, directory: Path) -> "HashedVocab | None":
        if not (directory / cls.HASHES).exists():
            return None  # an index written before the arrays existed: bm25s's dict serves
        return cls(_mapped(directory / cls.HASHES), _mapped(directory / cls.IDS))

    def lookup(self, tokens: list[str]) -> list[int]:
        """The ids of the tokens in the vocabulary, in order; unknown tokens are left out."""
        if not tokens or not len(self.hashes):
            return []
        keys = np.fromiter((self.key(t) for t in tokens), dtype=np.uint64, count=len(tokens))
        pos = np.minimum(np.searchsorted(self.hashes, keys), len(self.hashes) - 1)
        found = self.hashes[pos] == keys
        return [int(i) for i in self.ids[pos[found]]]


class SavedArray:
    """A 1-d ``.npy`` array whose slices are read with ``os.pread`` rather than through a memory map.

    The file's pages stay in the OS page cache, one copy for every worker on the machine, and a query copies
    out only its terms' postings. Memory-mapped, every page a query had touched (and the large folios the
    kernel maps around it) counted in each worker's RSS: 63 MB after one question at 1000×.
    """

    def __init__(self, path: Path):
        header = np.load(path, mmap_mode="r")
        if header.ndim != 1:
            raise ValueError(f"{path}: expected a 1-d array, not shape {header.shape}")
        self.dtype, self.offset, self.shape = header.dtype, int(header.offset), header.shape
        del header  # unmapped: only the file stays open
        self._file = open(path, "rb")

    def __len__(self) -> int:
        return int(self.shape[0])

    def __getitem__(self, part: slice) -> np.ndarray:
        start, stop, step = part.indices(len(self))
        if step != 1:
            raise IndexError("SavedArray reads contiguous slices only")
        n = max(0, stop - start)
        data = os.pread(self._file.fileno(), n * self.dtype.itemsize, self.offset + start * self.dtype.itemsize)
        return np.frombuffer(data, dtype=self.dtype)


class Postings:
    """bm25s's eager score matrix (CSC: a column of precomputed BM25 scores per token) and its scoring.

    A column of at least ``DENSE_SHARE`` of the passages is kept in memory, up to ``DENSE_BYTES`` of them, least
    recently used out first (``_Columns``): adding one costs no read of the files. At 1000× the thesaurus's
    "人力资源和社会保障" is in every plan's title, and a question saying 人社 summed 3.4 M postings (8.5 ms).
    The sums are the same to the bit: a column is added in the same order, kept whole or as its postings.
    """

    FILES = ("data", "indices", "indptr")
    DENSE_SHARE = 1 / 8
    DENSE_BYTES = 32 << 20

    def __init__(self, data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, num_docs: int):
        self.data, self.indices, self.indptr, self.num_docs = data, indices, indptr, num_docs
        # The cache holds the arrays, not self: a dropped generation frees its columns and files when it goes.
        self._columns = _Columns(data, indices, indptr, num_docs, self.DENSE_BYTES)

    @classmethod
    def of(cls, scores: dict[str, Any]) -> "Postings":
        return cls(scores["data"], scores["indices"], scores["indptr"], int(scores["num_docs"]))

    @classmethod
    def load(cls, directory: Path, mmap_arrays: bool = True) -> "Postings":
        params = json.loads((directory / "params.index.json").read_text(encoding="utf-8"))
        if params.get("method") not in _METHODS:
            raise ValueError(f"{directory}: BM25 method {params.get('method')!r} is not served here; rebuild the "
                             "index with python -m ingest --force")
        path = {name: directory / f"{name}.csc.index.npy" for name in cls.FILES}
        if not mmap_arrays:
            return cls(*(np.load(path[name]) for name in cls.FILES), num_docs=int(params["num_docs"]))
        # indptr (one entry per token) is read at every term lookup: mapped; the postings themselves are read
        # slice by slice from the page cache.
        return cls(SavedArray(path["data"]), SavedArray(path["indices"]), _mapped(path["indptr"]),  # type: ignore[arg-type]
                   num_docs=int(params["num_docs"]))

    def scores(self, ids: list[int]) -> np.ndarray:
        """The sum of the ids' columns (a repeated id counts again, as in bm25s)."""
        indptr, dense_from = self.indptr, self.DENSE_SHARE * self.num_docs
        first = ids[0] if ids else None
        if first is not None and int(indptr[first + 1]) - int(indptr[first]) >= dense_from:
            out, ids = self._columns.start(first), ids[1:]
        else:
            out = np.zeros(self.num_docs, dtype=self.data.dtype)
        for i in ids:
            start, end = int(indptr[i]), int(indptr[i + 1])
            if end - start >= dense_from:
                self._columns.add(out, i)
            else:
                np.add.at(out, self.indices[start:end], self.data[start:end])  # faster than out[idx] += in numpy 2
        return out

    def df(self, i: int) -> int:
        return int(self.indptr[i + 1]) - int(self.indptr[i])


class _Columns:
    """Frequent tokens' columns in memory within a byte budget, least recently used out first.

    A column in under a quarter of the passages is kept as its postings (half the bytes of the whole column
    or less), scattered with ``np.add.at`` without reading the files; a commoner one whole, where one vector
    add beats the scatter by 4-15×. At 1000× the plan questions use 181 such columns: 77 MB all whole, 47 MB
    this way, at the same speed (a postings cut at half the passages: 40 MB, 6% slower).
    """

    def __init__(self, data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, num_docs: int, budget: int):
        self.data, self.indices, self.indptr, self.num_docs = data, indices, indptr, num_docs
        self._kept: LRU[int, tuple[np.ndarray, np.ndarray | None]] = LRU(budget, _nbytes)

    def start(self, i: int) -> np.ndarray:
        """A new score array holding column ``i`` (0 + x is x: the same bits as adding it to zeros)."""
        scores, at = self._get(i)
        if at is None:
            return scores.copy()
        out = np.zeros(self.num_docs, dtype=self.data.dtype)
        out[at] = scores
        return out

    def add(self, out: np.ndarray, i: int) -> None:
        scores, at = self._get(i)
        if at is None:
            out += scores
        else:
            np.add.at(out, at, scores)

    def __len__(self) -> int:
        return len(self._kept)

    @property
    def nbytes(self) -> int:
        return self._kept.weight

    def _get(self, i: int) -> tuple[np.ndarray, np.ndarray | None]:
        return self._kept.get_or_make(i, lambda: self._read(i))

    def _read(self, i: int) -> tuple[np.ndarray, np.ndarray | None]:
        start, end = int(self.indptr[i]), int(self.indptr[i + 1])
        scores, at = np.asarray(self.data[start:end]), np.asarray(self.indices[start:end])
        if 4 * (end - start) < self.num_docs:
            return scores.copy(), at.copy()  # the files' slices may be views of a read buffer or a mapping
        column = np.zeros(self.num_docs, dtype=self.data.dtype)
        column[at] = scores
        return column, None


def _nbytes(kept: tuple[np.ndarray, np.ndarray | None]) -> int:
    return kept[0].nbytes + (0 if kept[1] is None else kept[1].nbytes)


class TokenIdf:
    """Lucene IDF of an indexed token, computed when asked: ``token in idf`` and ``idf[token]``.

    A dict of every token's IDF (what TermWeights reads) cost another ~5 MB per worker for the few words a
    question has.
    """

    def __init__(self, channel: "LexicalChannel"):
        self._postings = channel.postings
        self._n = max(1, channel.postings.num_docs)
        self._ids = channel.vocab.lookup

    def _id(self, token: object) -> int | None:
        if not isinstance(token, str) or not token:
            return None
        ids = self._ids([token])
        return ids[0] if ids else None

    def __contains__(self, token: object) -> bool:
        return self._id(token) is not None

    def __getitem__(self, token: str) -> float:
        i = self._id(token)
        if i is None:
            raise KeyError(token)
        df = self._postings.df(i)
        return float(np.log(1 + (self._n - df + 0.5) / (df + 0.5)))

    def get(self, token: str, default: float | None = None) -> float | None:
        return self[token] if token in self else default


class LexicalChannel:
    """A BM25 index over one tokenization of the chunks; scores every chunk for a query."""

    def __init__(self, name: str, postings: Postings, vocab: Vocab, analyzer: Callable[[str], list[str]],
                 size: int, bm25: Any = None):
        self.name = name
        self.postings = postings
        self.vocab = vocab
        self.analyzer = analyzer
        self.size = size
        self._bm25 = bm25  # the bm25s index of a channel built here, which save() writes

    @classmethod
    def build(cls, name: str, texts: list[str], analyzer: Callable[[str], list[str]],
              k1: float = 1.2, b: float = 0.75) -> "LexicalChannel":
        return cls.from_tokens(name, [analyzer(t) for t in texts], analyzer, k1, b)

    @classmethod
    def from_tokens(cls, name: str, tokens: list[list[str]], analyzer: Callable[[str], list[str]],
                    k1: float = 1.2, b: float = 0.75) -> "LexicalChannel":
        """Index chunks already tokenized with ``analyzer`` (indexing tokenizes each chunk once)."""
        import bm25s

        bm25 = bm25s.BM25(k1=k1, b=b, method="lucene")
        bm25.index([t or [""] for t in tokens], show_progress=False)
        return cls(name, Postings.of(bm25.scores), DictVocab(bm25.vocab_dict), analyzer, len(tokens), bm25)

    def scores(self, query: str | list[str]) -> np.ndarray:
        tokens = self.analyzer(query) if isinstance(query, str) else query
        ids = self.vocab.lookup(tokens)
        if not ids:
            return np.zeros(self.size, dtype=np.float32)
        return self.postings.scores(ids)

    def idf(self) -> TokenIdf:
        """Lucene IDF of every indexed token, read from the sparse matrix's column counts."""
        return TokenIdf(self)

    def save(self, directory: Path) -> None:
        if self._bm25 is None:
            raise RuntimeError("only a channel built in this process can be saved; rebuild it with from_tokens")
        self._bm25.save(str(directory), show_progress=False)
        HashedVocab.write(self._bm25.vocab_dict, directory)

    @classmethod
    def load(cls, name: str, directory: Path, analyzer: Callable[[str], list[str]], size: int,
             mmap: bool = True) -> "LexicalChannel":
        # From the files: a query reads only its terms' columns, and every worker on the machine shares the
        # same pages through the OS page cache instead of holding its own copy (1000×: ~0.9 GB each).
        postings = Postings.load(directory, mmap)
        vocab: Vocab | None = HashedVocab.load(directory) if mmap else None
        if vocab is None:
            vocab = DictVocab(json.loads((directory / "vocab.index.json").read_text(encoding="utf-8")))
        return cls(name, postings, vocab, analyzer, size)


def _mapped(path: Path) -> np.ndarray:
    array = np.load(path, mmap_mode="r")
    advise_random(array)
    # A plain ndarray over the same mapping: every slice of an np.memmap is another np.memmap, whose
    # creation made a query's lookups and column sums several times slower.
    return np.asarray(array)


def advise_random(array: object) -> None:
    """Tell the kernel not to read ahead in a memory-mapped array: a query touches a few columns scattered
    over the file, and readahead would map (and count in every worker's RSS) the pages around each too."""
    raw = getattr(array, "_mmap", None)
    if isinstance(raw, mmap.mmap) and hasattr(mmap, "MADV_RANDOM"):
        raw.madvise(mmap.MADV_RANDOM)


def top_indices(scores: np.ndarray, n: int, mask: np.ndarray | None = None,
                rank: np.ndarray | None = None) -> np.ndarray:
    """Indices of the n best positive scores, best first (``mask``: among those; ``rank``: see best_positions)."""
    if mask is not None:
        return top_among(scores, n, np.flatnonzero(mask), rank)
    return best_positions(scores, n, rank)


def top_among(scores: np.ndarray, n: int, among: np.ndarray, rank: np.ndarray | None = None) -> np.ndarray:
    """``top_indices`` among the indices ``among`` (sorted): a region's passages are ~100 of 111 k at 1000×, and
    reading their scores alone spares a pass over every chunk's."""
    return among[best_positions(scores[among], n, None if rank is None else rank[among])]


# Above this many values, a floor from every _SAMPLE_EVERY-th value first narrows those that can be among the n best.
_SAMPLED_ABOVE = 4096
_SAMPLE_EVERY = 8


def best_positions(values: np.ndarray, n: int, rank: np.ndarray | None = None) -> np.ndarray:
    """Positions of the n largest positive values, largest first; equal values in the order of ``rank`` (one
    distinct number per position; default the position), and of those tied at the n-th place the first ones.

    Look-alike documents hold identical passages: at 1000× a tie crosses the 100th place in most searches, so
    the choice is made here, not left to a partition's internals. The n-th largest of every
    ``_SAMPLE_EVERY``-th value is at most the n-th largest of all, so only values from it up can be chosen:
    ~1 k of the 111 k chunks at 1000×, instead of partitioning all of them.
    """
    if n <= 0:
        return np.empty(0, dtype=np.int64)
    floor = 0.0
    if len(values) > _SAMPLED_ABOVE:
        sample = values[::_SAMPLE_EVERY]
        sample = sample[sample > 0]  # a partition among many equal zeros took up to 1 ms for 14 k values
        if len(sample) >= n:
            floor = float(np.partition(sample, len(sample) - n)[len(sample) - n])
    pos = np.flatnonzero(values >= floor) if floor > 0 else np.flatnonzero(values > 0)
    got = values[pos]
    key = pos if rank is None else rank[pos]
    if len(pos) > n:
        kth = np.partition(got, len(got) - n)[len(got) - n]
        above = got > kth
        tied = np.flatnonzero(got == kth)
        room = n - int(np.count_nonzero(above))
        if len(tied) > room:
            tied = tied[np.argsort(key[tied], kind="stable")[:room]]
        above[tied] = True
        pos, got, key = pos[above], got[above], key[above]
    return pos[np.lexsort((key, -got))].astype(np.int64, copy=False)
