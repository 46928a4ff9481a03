"""Demotion of another place's copies of in-scope passages: a pure function, exact scores.

The shingles are numpy codes for speed; ``reference_*`` below is the plain Python-set definition they must
match exactly (same containment values, same demotions), so an optimisation cannot change a ranking.
"""
from __future__ import annotations

import heapq
import random
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pytest

from retriever.lookalike import Twins, demote_lookalikes, shingle_sets, shingles, similarity

TEXTS = {
    "local": "对首次创办小微企业的，给予一次性创业补贴5000元。",
    "copy": "对首次创办小微企业的，给予一次性创业补贴6000元。",  # another city's look-alike
    "longer_copy": "对首次创办小微企业的，给予一次性创业补贴6000元。对带动就业的另给补贴。",  # cut differently
    "other": "城乡居民养老保险个人缴费标准设为每年300元至3000元。",  # relevant elsewhere, no twin
}
LOCAL = {"local"}


def reference_shingles(text: str) -> frozenset[str]:
    t = "".join(text.split())
    return frozenset(a + b for a, b in zip(t, t[1:]))


def reference_similarity(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def reference_demote(scores: Mapping[str, float], local: Callable[[str], bool], text: Callable[[str], str],
                     threshold: float, factor: float, k: int, max_locals: int = 20) -> dict[str, float]:
    """The demotion as first written, over Python sets."""
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    locals_ = [reference_shingles(text(c)) for c in [c for c, _ in ranked if local(c)][:max_locals]]
    out = dict(scores)
    if not locals_:
        return out
    heap = [(-s, cid, False) for cid, s in ranked]
    settled = 0
    while heap and settled < k:
        neg, cid, checked = heapq.heappop(heap)
        mine = reference_shingles(text(cid))
        if checked or local(cid) or not any(reference_similarity(mine, o) >= threshold for o in locals_):
            settled += 1
            continue
        out[cid] = -neg * factor
        heapq.heappush(heap, (-out[cid], cid, True))
    return out


def decoded(codes: np.ndarray) -> set[str]:
    return {chr(int(c) >> 21) + chr(int(c) & ((1 << 21) - 1)) for c in codes}


def of(texts: Mapping[str, str]) -> Callable[[list[str]], tuple[np.ndarray, np.ndarray]]:
    return lambda ids: shingle_sets([texts[c] for c in ids])


def demote(scores: dict[str, float], k: int = 10) -> dict[str, float]:
    return demote_lookalikes(scores, LOCAL.__contains__, of(TEXTS), 0.6, 0.5, k)


def test_similarity_is_containment_of_bigrams() -> None:
    assert decoded(shingles("创业 补贴")) == {"创业", "业补", "补贴"}
    assert decoded(shingles("补贴补贴\u3000补贴")) == {"补贴", "贴补"}  # distinct, any whitespace dropped
    assert similarity(TEXTS["local"], TEXTS["local"]) == 1.0
    assert similarity(TEXTS["copy"], TEXTS["longer_copy"]) == 1.0  # one holds the other
    assert similarity(TEXTS["local"], TEXTS["other"]) < 0.2
    assert similarity("", "补贴") == 0.0
    assert similarity("补", "补贴") == 0.0


def test_twins_of_a_local_passage_are_halved_others_keep_their_score() -> None:
    out = demote({"copy": 1.0, "longer_copy": 0.9, "local": 0.8, "other": 0.7})
    assert out == pytest.approx({"copy": 0.5, "longer_copy": 0.45, "local": 0.8, "other": 0.7})


def test_without_a_local_candidate_nothing_changes() -> None:
    scores = {"copy": 1.0, "other": 0.7}
    assert demote(scores) == scores


def test_only_as_many_candidates_as_needed_are_checked() -> None:
    # k=1: "local" settles first place after "copy" is demoted; "longer_copy" below it is never looked at.
    out = demote({"copy": 1.0, "local": 0.8, "longer_copy": 0.6}, k=1)
    assert out == pytest.approx({"copy": 0.5, "local": 0.8, "longer_copy": 0.6})


def _copies(texts: list[str], rng: random.Random) -> list[str]:
    """Other places' versions of the plan's passages: a few characters changed, cut elsewhere, or spaced."""
    out = []
    for t in texts:
        chars = list(t)
        for _ in range(rng.randint(0, len(chars) // 4)):
            chars[rng.randrange(len(chars))] = rng.choice("市县区省年元人万𠀋　 ")
        copy = "".join(chars)
        out.append(copy[rng.randint(0, len(copy) // 3):] if rng.random() < 0.3 else copy)
    return out


def test_the_codes_give_exactly_the_set_containment_on_real_passages(plan_parsed: Any) -> None:
    rng = random.Random(7)
    texts = [c.text for c in plan_parsed.chunks][:120] + ["", "补", "𠀋𠀋贴", " \u3000 "]
    texts += _copies(texts, rng)
    others = rng.sample(texts, 20)
    twins = Twins(*shingle_sets(others))
    codes, bounds = shingle_sets(texts)
    for i, t in enumerate(texts):
        assert decoded(codes[bounds[i]:bounds[i + 1]]) == set(reference_shingles(t)) == decoded(shingles(t))
    want = [[reference_similarity(reference_shingles(t), reference_shingles(o)) for o in others] for t in texts]
    assert twins.similarity(codes, bounds).tolist() == want  # equal floats, not approximately


def test_ranks_below_a_space_compare_as_the_codes_do(plan_parsed: Any) -> None:
    """The chunk table stores each bigram's rank among the library's: the same containment, to the bit."""
    rng = random.Random(3)
    texts = [c.text for c in plan_parsed.chunks][:80] + ["", "补"]
    texts += _copies(texts, rng)
    others = rng.sample(texts, 20) + [""]
    codes, bounds = shingle_sets(texts)
    other_codes, other_bounds = shingle_sets(others)
    vocab = np.unique(np.concatenate([codes, other_codes]))
    rank = lambda c: np.searchsorted(vocab, c).astype(np.uint32)  # noqa: E731
    by_codes = Twins(other_codes, other_bounds).similarity(codes, bounds)
    by_ranks = Twins(rank(other_codes), other_bounds, space=len(vocab) + 5).similarity(rank(codes), bounds)
    assert by_ranks.tolist() == by_codes.tolist() and (by_codes >= 0.6).sum() > 20


def test_demotion_matches_the_set_definition_on_a_library_of_copies(plan_parsed: Any) -> None:
    rng = random.Random(11)
    base = [c.text for c in plan_parsed.chunks if len(c.text) > 20][:60]
    text = {f"l{i}": t for i, t in enumerate(base)}
    text |= {f"o{i}": t for i, t in enumerate(_copies(base, rng))}
    text |= {f"p{i}": t for i, t in enumerate(_copies(base[::-1], rng))}
    local = lambda cid: cid.startswith("l")  # noqa: E731
    demoted = 0
    for trial in range(40):
        ids = rng.sample(sorted(text), rng.randint(5, 120))
        scores = {cid: round(rng.random(), rng.choice((2, 6))) for cid in ids}  # rounding makes ties
        k = rng.choice((1, 5, 10, 30))
        got = demote_lookalikes(scores, local, of(text), 0.6, 0.5, k)
        assert got == reference_demote(scores, local, text.__getitem__, 0.6, 0.5, k)
        demoted += sum(got[c] != scores[c] for c in scores)
    assert demoted > 50  # the library does hold look-alikes


def test_a_copy_exactly_at_the_threshold_is_a_twin() -> None:
    local, copy = "甲乙丙丁戊己", "甲乙丙丁子丑"  # 3 of 5 bigrams shared: containment exactly 0.6
    assert similarity(copy, local) == 0.6
    text = {"l": local, "o": copy}
    got = demote_lookalikes({"o": 1.0, "l": 0.9}, "l".__eq__, of(text), 0.6, 0.5, 2)
    assert got == {"o": 0.5, "l": 0.9}


def test_search_over_look_alike_plans_ranks_as_with_the_set_definition(tmp_path: Any, monkeypatch: Any) -> None:
    """The plan and three other cities' rewrites of it, searched with the stored numpy shingles and with the
    demotion as first written: the same hits and scores, and demotions did happen."""
    from assistant.engine import Engine
    from evals.bench_common import workload
    from evals.distractors import generate
    from index.pipeline import build_index
    from retriever import search
    from tests.retriever.conftest import tiny_settings

    settings = tiny_settings(tmp_path, embedding_backend="lsa", chunk_size=400)
    build_index([settings.corpus_dir, *generate(3, tmp_path / "distractors", seed=0)], settings.index_dir, settings)
    retriever = Engine.open(settings=settings).generation.retriever
    assert retriever.chunks.codes([0]) is not None  # the stored ranks are what is compared
    assert retriever.chunks.code_space is not None
    questions = workload()[::8]
    fast = search.demote_lookalikes
    demoted = []

    def counted(scores: Any, *args: Any, **kwargs: Any) -> dict[str, float]:
        out = fast(scores, *args, **kwargs)
        demoted.append(sum(out[c] != scores[c] for c in scores))
        return out

    monkeypatch.setattr(search, "demote_lookalikes", counted)
    got = [[(h.chunk.id, h.score) for h in retriever.search(q, 10)] for q in questions]
    text = lambda cid: retriever.chunks.text(retriever.index_of[cid])  # noqa: E731
    monkeypatch.setattr(search, "demote_lookalikes",
                        lambda scores, local, _codes, *rest, space: reference_demote(scores, local, text, *rest))
    assert got == [[(h.chunk.id, h.score) for h in retriever.search(q, 10)] for q in questions]
    assert sum(demoted) > 3 * len(questions)
