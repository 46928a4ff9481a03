"""Fusion functions with hand-computed values."""
from __future__ import annotations

import pytest

from retriever import fusion


def test_rrf_sums_reciprocal_ranks_over_channels() -> None:
    fused = fusion.rrf({"words": ["x", "y"], "dense": ["y", "z"]}, k=60)
    assert fused == pytest.approx({"x": 1 / 61, "y": 1 / 62 + 1 / 61, "z": 1 / 62})


def test_rrf_weights_channels_and_defaults_missing_weights_to_one() -> None:
    fused = fusion.rrf({"words": ["x", "y"], "dense": ["y", "z"]}, {"words": 2.0}, k=10)
    assert fused == pytest.approx({"x": 2 / 11, "y": 2 / 12 + 1 / 11, "z": 1 / 12})


def test_rrf_of_nothing_is_empty() -> None:
    assert fusion.rrf({}) == {}
    assert fusion.rrf({"words": []}) == {}


def test_minmax_scales_to_unit_range() -> None:
    assert fusion.minmax({"x": 2.0, "y": 4.0, "z": 3.0}) == pytest.approx({"x": 0.0, "y": 1.0, "z": 0.5})
    assert fusion.minmax({"x": -1.0, "y": 1.0}) == pytest.approx({"x": 0.0, "y": 1.0})


def test_minmax_of_equal_scores_is_one_if_positive_else_zero() -> None:
    assert fusion.minmax({"x": 3.0, "y": 3.0}) == {"x": 1.0, "y": 1.0}
    assert fusion.minmax({"x": 0.0}) == {"x": 0.0}
    assert fusion.minmax({}) == {}


def test_weighted_adds_normalized_channels_and_missing_items_score_zero() -> None:
    fused = fusion.weighted({"words": {"x": 1.0, "y": 3.0}, "dense": {"y": 10.0, "z": 20.0}},
                            {"words": 0.6, "dense": 0.4})
    assert fused == pytest.approx({"x": 0.0, "y": 0.6, "z": 0.4})


def test_weighted_skips_channels_without_weight() -> None:
    fused = fusion.weighted({"words": {"x": 1.0, "y": 2.0}, "bigrams": {"z": 5.0, "y": 1.0}}, {"words": 0.5})
    assert fused == pytest.approx({"x": 0.0, "y": 0.5})


def test_weighted_single_item_channel_counts_fully() -> None:
    assert fusion.weighted({"dense": {"x": 0.3}}, {"dense": 0.2}) == pytest.approx({"x": 0.2})


def test_top_orders_by_score_then_id_and_cuts_at_k() -> None:
    scores = {"b": 1.0, "a": 1.0, "c": 2.0, "d": 0.5}
    assert fusion.top(scores, 3) == [("c", 2.0), ("a", 1.0), ("b", 1.0)]
    assert fusion.top(scores, 0) == []
    assert fusion.top({}, 5) == []


def test_top_breaks_a_tie_across_the_cut_by_id() -> None:
    scores = {"e": 1.0, "b": 1.0, "d": 3.0, "a": 1.0, "c": 0.5}
    assert fusion.top(scores, 2) == [("d", 3.0), ("a", 1.0)]
    assert fusion.top(scores, 4) == [("d", 3.0), ("a", 1.0), ("b", 1.0), ("e", 1.0)]
    assert fusion.top(scores, 9) == [("d", 3.0), ("a", 1.0), ("b", 1.0), ("e", 1.0), ("c", 0.5)]


def test_top_is_the_sorted_pool_cut_at_k() -> None:
    import random

    rng = random.Random(0)
    for _ in range(200):
        scores = {f"c{rng.randrange(60)}": rng.choice([0.25, 0.5, 1.0, rng.random()]) for _ in range(rng.randrange(40))}
        k = rng.randrange(12)
        assert fusion.top(scores, k) == sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:k]


def test_refocus_fuses_the_best_again_among_themselves() -> None:
    fused = {"a": 1.0, "b": 0.9, "c": 0.5, "d": 0.1}
    channels = {"words": {"a": 10.0, "b": 9.0, "c": 1.0, "d": 0.0}, "dense": {"a": 0.80, "b": 0.90, "c": 0.85, "d": 0.1}}
    out = fusion.refocus(fused, channels, {"words": 0.0, "dense": 1.0}, depth=2, mix=0.5)
    # Among a and b alone, dense scales a to 0 and b to 1; c, d are not among the best two and keep their scores.
    assert out == pytest.approx({"a": 0.5, "b": 0.95, "c": 0.5, "d": 0.1})
    assert fusion.top(out, 1) == [("b", pytest.approx(0.95))]


def test_refocus_counts_a_channel_that_missed_an_item_as_zero() -> None:
    fused = {"a": 1.0, "b": 0.9}
    out = fusion.refocus(fused, {"dense": {"a": 0.8}}, {"dense": 1.0}, depth=2, mix=0.5)
    assert out == pytest.approx({"a": 1.0, "b": 0.45})
