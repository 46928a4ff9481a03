"""Where a chat's time goes: the query embedding, the search, and the answer composed from its hits.

    python -m evals.bench_stages --index-dir D [--questions F] [--n 100] [--repeat 3] [--region R]
                                 [--dense-budget-ms MS] [--out DIR]

For each question of the workload, in this process, on one loaded index (by default with no dense budget, so every
search waits for its vector and the stages add up the same way whatever the machine's load):

* ``embed``: the dense channel's query embedding on its own (the uncached embedder, not the LRU);
* ``search``: ``retriever.search(question, 10)`` with the vector already cached;
* ``chat``: a first turn, ``engine.chat(question)``, with the vector cached: search plus composition;
* ``chat, uncached``: the same chat with the vector forgotten first, as a new question meets the service;
  this is the baseline each stage's share is taken against.

Wall time and the calling thread's CPU time are both kept: the thread's CPU is what the GIL serialises between
concurrent requests, while an embedding runs in C on its own pool. Medians over ``--repeat`` passes per
question, then p50 / p95 over the questions. Writes ``bench-stages-<timestamp>.md`` / ``.json`` to ``--out``.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from evals.bench_common import (DEFAULT_OUT, DEFAULT_QUESTIONS, latency_summary, machine_line, machine_meta, median,
                                ratio, workload, write_report)

STAGES = ("embed", "search", "chat", "chat, uncached")


def timed(call: Callable[[], Any]) -> tuple[float, float]:
    """(wall ms, this thread's CPU ms) of one call."""
    wall, cpu = time.perf_counter(), time.thread_time()
    call()
    return (time.perf_counter() - wall) * 1000, (time.thread_time() - cpu) * 1000


def summarize(samples: dict[str, list[list[tuple[float, float]]]]) -> dict[str, dict[str, Any]]:
    """Per stage: wall and CPU summaries of the per-question medians, and the share of the uncached chat (p50)."""
    out: dict[str, dict[str, Any]] = {}
    for stage, per_question in samples.items():
        wall = [median([w for w, _ in runs]) for runs in per_question]
        cpu = [median([c for _, c in runs]) for runs in per_question]
        out[stage] = {"wall": latency_summary(wall), "cpu": latency_summary(cpu)}
    base = out.get("chat, uncached", {}).get("wall", {}).get("p50_ms")
    for row in out.values():
        row["share_of_uncached_chat"] = ratio(row["wall"]["p50_ms"], base)
    return out


def measure(index_dir: Path, questions: list[str], repeat: int, region: str | None,
            budget_ms: float = 0.0) -> dict[str, Any]:
    from assistant.engine import Engine
    from core.settings import load_settings

    settings = load_settings(dense_budget_ms=budget_ms, **({"default_region": region} if region else {}))
    engine = Engine.open(index_dir=index_dir, settings=settings)
    try:
        retriever = engine.generation.retriever
        lru = retriever.embedder if hasattr(retriever.embedder, "clear") else None
        inner = getattr(retriever.embedder, "inner", retriever.embedder)

        def uncached(q: str) -> Any:
            if lru is not None:
                lru.clear()
            return engine.chat(q)

        # The uncached chat first: it leaves this question's vector cached for the search and chat after it.
        calls: dict[str, Callable[[str], Any]] = {"chat, uncached": uncached,
                                                  "search": lambda q: retriever.search(q, k=10),
                                                  "chat": lambda q: engine.chat(q)}
        if inner is not None and retriever.vectors is not None:
            calls["embed"] = inner.embed_query
        for q in questions:  # warm-up: records, analyses and vectors cached, lazy imports done
            engine.chat(q)
        samples: dict[str, list[list[tuple[float, float]]]] = {s: [[] for _ in questions] for s in calls}
        for _ in range(repeat):
            for i, q in enumerate(questions):
                for stage, call in calls.items():
                    samples[stage][i].append(timed(lambda: call(q)))
        return {"dense": getattr(retriever.embedder, "kind", "") or "none", "stages": summarize(samples)}
    finally:
        engine.close()


def markdown(result: dict[str, Any]) -> str:
    lines = ["# Where a chat's time goes", "", machine_line(result["meta"]), "",
             f"- index: `{result['meta']['index']}`, dense channel: {result['dense']}, "
             f"{result['meta']['questions']} questions × {result['meta']['repeat']} passes, "
             f"dense budget {result['meta']['dense_budget_ms']:g} ms", "",
             "| stage | wall p50 ms | wall p95 ms | thread CPU p50 ms | thread CPU p95 ms | share of uncached chat (p50) |",
             "| --- | --- | --- | --- | --- | --- |"]
    for stage in STAGES:
        row = result["stages"].get(stage)
        if row:
            lines.append(f"| {stage} | {row['wall']['p50_ms']:.1f} | {row['wall']['p95_ms']:.1f} | {row['cpu']['p50_ms']:.1f} "
                         f"| {row['cpu']['p95_ms']:.1f} | {row['share_of_uncached_chat']} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--index-dir", type=Path, required=True, help="a built index (e.g. data/eval-index/ncpqa)")
    p.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    p.add_argument("--n", type=int, default=100, help="questions spread over the file (default: 100)")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--region", help="deployment region to serve the index with (default: the profile's)")
    p.add_argument("--dense-budget-ms", type=float, default=0.0,
                   help="wait at most this long for a query vector (default 0: always wait; the service's is 30)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    a = p.parse_args(argv)
    from index.store import current_generation

    if current_generation(a.index_dir) is None:
        p.error(f"{a.index_dir} holds no index: build one with `python -m ingest --index-dir {a.index_dir}`")
    questions = workload(a.questions, a.n)
    result = measure(a.index_dir, questions, a.repeat, a.region, a.dense_budget_ms)
    result["meta"] = machine_meta(index=str(a.index_dir), questions=len(questions), repeat=a.repeat,
                                  dense_budget_ms=a.dense_budget_ms)
    files = write_report(result, a.out, "bench-stages", markdown, lambda r, path: None)
    print(markdown(result))
    print(f"report: {files['md']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
