"""The fusion variants bench_fusion compares."""
from __future__ import annotations

import pytest

from evals.bench_fusion import variants


def test_every_dense_share_is_tried_with_every_lexical_split() -> None:
    rows = variants([0.4], shares=(0.3, 0.5))
    assert [label for label, _, _ in rows] == [
        "no dense, words 0.30", "no dense, words 0.50", "dense alone",
        "weighted, dense 0.4, words 0.30", "weighted, dense 0.4, words 0.50", "RRF (k=60, equal weights)"]
    weights = {label: w for label, _, w in rows}
    assert weights["weighted, dense 0.4, words 0.30"] == {"words": 0.18, "bigrams": 0.42, "dense": 0.4}
    assert weights["no dense, words 0.50"] == {"words": 0.5, "bigrams": 0.5, "dense": 0.0}
    assert all(sum(w.values()) == pytest.approx(1.0) for label, how, w in rows if how == "weighted")
