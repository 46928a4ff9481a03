"""Demotion of another place's copies of in-scope passages: a pure function, exact scores."""
from __future__ import annotations

import pytest

from retriever.lookalike import demote_lookalikes, shingles, similarity

TEXTS = {
    "local": "对首次创办小微企业的，给予一次性创业补贴5000元。",
    "copy": "对首次创办小微企业的，给予一次性创业补贴6000元。",  # another city's look-alike
    "longer_copy": "对首次创办小微企业的，给予一次性创业补贴6000元。对带动就业的另给补贴。",  # cut differently
    "other": "城乡居民养老保险个人缴费标准设为每年300元至3000元。",  # relevant elsewhere, no twin
}
LOCAL = {"local"}


def demote(scores: dict[str, float], k: int = 10) -> dict[str, float]:
    return demote_lookalikes(scores, LOCAL.__contains__, lambda c: shingles(TEXTS[c]), 0.6, 0.5, k)


def test_similarity_is_containment_of_bigrams() -> None:
    assert shingles("创业 补贴") == frozenset({"创业", "业补", "补贴"})
    assert similarity(shingles(TEXTS["local"]), shingles(TEXTS["local"])) == 1.0
    assert similarity(shingles(TEXTS["copy"]), shingles(TEXTS["longer_copy"])) == 1.0  # one holds the other
    assert similarity(shingles(TEXTS["local"]), shingles(TEXTS["other"])) < 0.2
    assert similarity(frozenset(), shingles("补贴")) == 0.0


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
