"""evals.search_snapshot: which questions' results a change moved."""
from __future__ import annotations

from evals.search_snapshot import differences

BEFORE = {"q1": [["a", 1.0, {"words": 2.0}], ["b", 0.5, {"words": 1.0}]],
          "q2": [["c", 0.9, {"bigrams": 3.0}]]}


def test_the_same_results_differ_nowhere() -> None:
    assert differences(BEFORE, {q: [list(h) for h in hits] for q, hits in BEFORE.items()}) == []


def test_another_order_another_score_or_a_missing_question_differ() -> None:
    swapped = {"q1": [BEFORE["q1"][1], BEFORE["q1"][0]], "q2": BEFORE["q2"]}
    assert differences(BEFORE, swapped) == ["q1"]
    nudged = {"q1": BEFORE["q1"], "q2": [["c", 0.9 + 1e-6, {"bigrams": 3.0}]]}
    assert differences(BEFORE, nudged) == ["q2"]
    channel = {"q1": BEFORE["q1"], "q2": [["c", 0.9, {"bigrams": 3.0, "dense": 0.1}]]}
    assert differences(BEFORE, channel) == ["q2"]
    assert differences(BEFORE, {"q1": BEFORE["q1"]}) == ["q2"]


def test_a_difference_within_the_tolerance_is_none() -> None:
    close = {"q1": BEFORE["q1"], "q2": [["c", 0.9 + 1e-12, {"bigrams": 3.0}]]}
    assert differences(BEFORE, close) == []
