"""Look-alike passages: another place's copy of a passage the question's own scope also holds.

Cities copy their province's documents and each other's plans almost word for word. When the scope's
own version of a passage is among the candidates, a near-identical passage of a document outside
the scope adds nothing but a competing figure, so it is demoted. A passage with no local twin keeps
its score: relevance alone decides for it.
"""
from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter

import numpy as np

_BITS = 21  # a code point fits in 21 bits, so a bigram is exactly one 42-bit code
_CODE = np.uint64((1 << 2 * _BITS) - 1)
_NONE = np.uint64(1 << 63)  # above every code
_FIRST_BATCH = 16  # candidates compared at once, doubling: at 1000× a search checks ~90


def shingle_sets(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The distinct character bigrams of each text without whitespace, as 42-bit codes (two code points).

    Returned together, as the codes of all texts (text by text, each sorted) and where each text's start
    (``bounds[i]:bounds[i + 1]``): one sort for a batch of passages. Bigrams because they are cheap and
    robust to re-segmentation; codes rather than Python sets of strings, which took ~3 ms a search at 1000×.
    """
    parts = ["".join(t.split()) for t in texts]
    lengths = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
    points = np.frombuffer("".join(parts).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    text_of = np.repeat(np.arange(len(parts), dtype=np.uint64), lengths)
    same = text_of[:-1] == text_of[1:]  # a pair across two texts is no bigram
    keyed = (text_of[:-1][same] << np.uint64(2 * _BITS)) | (points[:-1][same] << np.uint64(_BITS)) | points[1:][same]
    keyed = _distinct(keyed)
    bounds = np.searchsorted(keyed >> np.uint64(2 * _BITS), np.arange(len(parts) + 1, dtype=np.uint64))
    return keyed & _CODE, bounds


def shingles(text: str) -> np.ndarray:
    """One text's bigram codes, sorted."""
    return shingle_sets([text])[0]


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
    """The shingles of the best in-scope candidates, to compare other passages with all of them at once.

    Each bigram of their union carries, per set, a 1 in that set's bit field of a few 64-bit lanes, so one sum
    over a text's bigrams counts what it shares with every set at once (a field never carries into the next:
    it is wide enough for the largest set). Five times faster at 1000× than summing a bigram × set byte matrix.
    """

    def __init__(self, codes: np.ndarray, bounds: np.ndarray, space: int | None = None):
        """Sets given as ``shingle_sets`` gives them, or as ranks below ``space`` (the chunk table's codes)."""
        self.sizes = np.diff(bounds)
        self._slot: np.ndarray | None = None
        if space is None:
            self.union = _distinct(np.append(codes, _NONE))  # ends in _NONE: every search lands on an entry
        else:  # a rank indexes where its bigram is, and every other rank the zero row at the end
            self.union = _distinct(codes.copy())
            self._slot = np.full(space, len(self.union), dtype=np.int32)
            self._slot[self.union] = np.arange(len(self.union))
        width = max(int(self.sizes.max(initial=0)).bit_length(), 1)
        per_lane = 64 // width
        sets = np.arange(len(self.sizes))
        self._lane, self._shift = sets // per_lane, (sets % per_lane * width).astype(np.uint64)
        self._field = np.uint64((1 << width) - 1)
        # packed[u, lane]: the fields of the union's u-th bigram, 1 in each set holding it. Its last row
        # (_NONE, or the one after the ranks) stays 0, and a bigram of no set is looked up there.
        rows = len(self.union) + (self._slot is not None)
        self.packed = np.zeros((rows, int(self._lane.max(initial=0)) + 1), dtype=np.uint64)
        owner = np.repeat(sets, self.sizes)
        np.add.at(self.packed, (self._rows(codes), self._lane[owner]), np.uint64(1) << self._shift[owner])

    def _rows(self, codes: np.ndarray) -> np.ndarray:
        if self._slot is not None:
            return self._slot[codes]
        pos = np.searchsorted(self.union, codes)
        pos[self.union[pos] != codes] = len(self.union) - 1
        return pos

    def __len__(self) -> int:
        return len(self.sizes)

    def similarity(self, codes: np.ndarray, bounds: np.ndarray) -> np.ndarray:
        """[text, set]: the share of the smaller of the text's and the set's shingles found in the other
        (0 when either is empty), for texts given as ``shingle_sets`` gives them.

        Containment rather than Jaccard: two copies of one text are often cut into passages at different
        places, so one passage holds most of the other plus its neighbour's sentences.
        """
        pos = self._rows(codes)
        shared = np.zeros((len(bounds) - 1, len(self.sizes)), dtype=np.int64)
        some = bounds[1:] > bounds[:-1]  # reduceat would give an empty text its next text's first row
        if some.any():
            sums = np.add.reduceat(np.take(self.packed, pos, axis=0), bounds[:-1][some], axis=0)
            shared[some] = (sums[:, self._lane] >> self._shift) & self._field
        smaller = np.minimum(np.diff(bounds)[:, None], self.sizes[None, :])
        return np.where(smaller > 0, shared / np.maximum(smaller, 1), 0.0)


def similarity(a: str, b: str) -> float:
    """Containment of two texts' shingles (what ``Twins.similarity`` gives for one text and one set)."""
    return float(Twins(*shingle_sets([b])).similarity(*shingle_sets([a]))[0, 0])


def demote_lookalikes(scores: Mapping[str, float], local: Callable[[str], bool],
                      shingles_of: Callable[[list[str]], tuple[np.ndarray, np.ndarray]], threshold: float,
                      factor: float, k: int, max_locals: int = 20, space: int | None = None) -> dict[str, float]:
    """Scores after demoting out-of-scope twins of in-scope candidates, as far as settles the ``k`` best.

    A candidate outside the scope whose shingles are at least ``threshold`` contained in (or contain)
    one of the ``max_locals`` best in-scope candidates' gets ``factor`` times its score. Candidates are
    taken best first and each is checked once, so the cost grows with the look-alikes above the k-th
    result, not with the candidate pool. ``shingles_of(ids)`` gives their shingles as ``shingle_sets`` does, or as
    ranks below ``space``.
    """
    ranked = sorted(sorted(scores.items()), key=itemgetter(1), reverse=True)  # best first, ties by id (stable)
    mine = [local(c) for c, _ in ranked]
    locals_ = [c for (c, _), m in zip(ranked, mine) if m][:max_locals]
    out = dict(scores)
    if not locals_:
        return out
    twins = Twins(*shingles_of(locals_), space=space)
    outside = [c for (c, _), m in zip(ranked, mine) if not m]
    at = {c: i for i, c in enumerate(outside)}
    twin: dict[str, bool] = {}

    def is_twin(cid: str) -> bool:
        # Unchecked candidates come in rank order: compare the next batch of them at once.
        if cid not in twin:
            start = at[cid]
            batch = outside[start:start + max(_FIRST_BATCH, len(twin))]
            near = (twins.similarity(*shingles_of(batch)) >= threshold).any(axis=1)
            twin.update(zip(batch, near.tolist()))
        return twin[cid]

    # The ranking merged with the demoted candidates, which are re-ranked on a small heap: the order one heap of
    # all candidates keyed (-score, id) would give, without building it.
    demoted: list[tuple[float, str]] = []
    settled = i = 0
    while settled < k and (i < len(ranked) or demoted):
        if demoted and (i == len(ranked) or demoted[0] < (-ranked[i][1], ranked[i][0])):
            heapq.heappop(demoted)
            settled += 1
            continue
        cid, score = ranked[i]
        i += 1
        if mine[i - 1] or not is_twin(cid):
            settled += 1
            continue
        out[cid] = score * factor
        heapq.heappush(demoted, (-out[cid], cid))
    return out
