"""Look-alike passages: another place's copy of a passage the question's own scope also holds.

Cities copy their province's documents and each other's plans almost word for word. When the scope's
own version of a passage is among the candidates, a near-identical passage of a document outside
the scope adds nothing but a competing figure, so it is demoted. A passage with no local twin keeps
its score: relevance alone decides for it.
"""
from __future__ import annotations

import heapq
import sys
from collections.abc import Callable, Mapping


def shingles(text: str) -> frozenset[str]:
    """Character bigrams of the text without whitespace: cheap and robust to re-segmentation.

    Interned: the retriever caches thousands of these sets, and one string object per distinct bigram
    instead of one per passage took a cached set from ~16 to ~6 KB.
    """
    t = "".join(text.split())
    return frozenset(map(sys.intern, map(str.__add__, t, t[1:])))


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Share of the smaller shingle set found in the other (0 when either is empty).

    Containment rather than Jaccard: two copies of one text are often cut into passages at different
    places, so one passage holds most of the other plus its neighbour's sentences.
    """
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def demote_lookalikes(scores: Mapping[str, float], local: Callable[[str], bool],
                      shingles_of: Callable[[str], frozenset[str]], threshold: float, factor: float,
                      k: int, max_locals: int = 20) -> dict[str, float]:
    """Scores after demoting out-of-scope twins of in-scope candidates, as far as settles the ``k`` best.

    A candidate outside the scope whose shingles are at least ``threshold`` contained in (or contain)
    one of the ``max_locals`` best in-scope candidates' gets ``factor`` times its score. Candidates are
    taken best first and each is checked once, so the cost grows with the look-alikes above the k-th
    result, not with the candidate pool.
    """
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    locals_ = [shingles_of(cid) for cid in [c for c, _ in ranked if local(c)][:max_locals]]
    out = dict(scores)
    if not locals_:
        return out
    heap = [(-s, cid, False) for cid, s in ranked]  # sorted ascending by -score: already a heap
    settled = 0
    while heap and settled < k:
        neg, cid, checked = heapq.heappop(heap)
        if checked or local(cid) or not any(similarity(shingles_of(cid), o) >= threshold for o in locals_):
            settled += 1
            continue
        out[cid] = -neg * factor
        heapq.heappush(heap, (-out[cid], cid, True))
    return out
