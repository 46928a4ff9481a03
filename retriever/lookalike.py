"""Look-alike passages: another place's copy of a passage the question's own scope also holds.

Cities copy their province's documents and each other's plans almost word for word. When the scope's
own version of a passage is among the candidates, a near-identical passage of a document outside
the scope adds nothing but a competing figure, so it is demoted. A passage with no local twin keeps
its score: relevance alone decides for it.
"""
from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping, Sequence

import numpy as np

_BITS = 21  # a code point fits in 21 bits, so a bigram is exactly one 42-bit code
_NONE = np.uint64(1 << 63)


def shingles(text: str) -> np.ndarray:
    """The distinct character bigrams of the text without whitespace, as sorted 64-bit codes.

    Bigrams because they are cheap and robust to re-segmentation. Codes rather than a set of strings: at
    1000× a search builds ~70 of these and compares each with 20 others, which took ~3 ms a search with
    Python sets and takes a fraction of that in numpy; a cached array is also a quarter of a set's size.
    """
    points = np.frombuffer("".join(text.split()).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    return _distinct((points[:-1] << np.uint64(_BITS)) | points[1:])


def _distinct(codes: np.ndarray) -> np.ndarray:
    """Sorted without repeats, in place: several times faster than np.unique on a few thousand codes."""
    if len(codes) < 2:
        return codes
    codes.sort()
    keep = np.empty(len(codes), dtype=bool)
    keep[0] = True
    np.not_equal(codes[1:], codes[:-1], out=keep[1:])
    return codes[keep]


class Twins:
    """The shingles of the best in-scope candidates, to compare another passage with all of them at once."""

    def __init__(self, sets: Sequence[np.ndarray]):
        self.sizes = np.array([len(s) for s in sets], dtype=np.int64)
        # The union of the sets, then a code no bigram has (>= 2^42), so that every search lands on an entry.
        self.union = _distinct(np.concatenate([*sets, np.array([_NONE])]))
        # member[u, j]: whether the union's u-th bigram is in set j.
        self.member = np.zeros((len(self.union), len(sets)), dtype=np.uint8)
        for j, s in enumerate(sets):
            self.member[np.searchsorted(self.union, s), j] = 1

    def __len__(self) -> int:
        return len(self.sizes)

    def similarity(self, codes: np.ndarray) -> np.ndarray:
        """Per set: the share of the smaller of it and ``codes`` found in the other (0 when either is empty).

        Containment rather than Jaccard: two copies of one text are often cut into passages at different
        places, so one passage holds most of the other plus its neighbour's sentences.
        """
        pos = np.searchsorted(self.union, codes)
        shared = self.member[pos[self.union[pos] == codes]].sum(axis=0, dtype=np.int64)
        smaller = np.minimum(self.sizes, len(codes))
        return np.where(smaller > 0, shared / np.maximum(smaller, 1), 0.0)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Containment of two shingle arrays (``Twins.similarity`` against one set)."""
    return float(Twins([b]).similarity(a)[0])


def demote_lookalikes(scores: Mapping[str, float], local: Callable[[str], bool],
                      shingles_of: Callable[[str], np.ndarray], threshold: float, factor: float,
                      k: int, max_locals: int = 20) -> dict[str, float]:
    """Scores after demoting out-of-scope twins of in-scope candidates, as far as settles the ``k`` best.

    A candidate outside the scope whose shingles are at least ``threshold`` contained in (or contain)
    one of the ``max_locals`` best in-scope candidates' gets ``factor`` times its score. Candidates are
    taken best first and each is checked once, so the cost grows with the look-alikes above the k-th
    result, not with the candidate pool.
    """
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    twins = Twins([shingles_of(cid) for cid in [c for c, _ in ranked if local(c)][:max_locals]])
    out = dict(scores)
    if not len(twins):
        return out
    heap = [(-s, cid, False) for cid, s in ranked]  # sorted ascending by -score: already a heap
    settled = 0
    while heap and settled < k:
        neg, cid, checked = heapq.heappop(heap)
        if checked or local(cid) or not bool((twins.similarity(shingles_of(cid)) >= threshold).any()):
            settled += 1
            continue
        out[cid] = -neg * factor
        heapq.heappush(heap, (-out[cid], cid, True))
    return out
