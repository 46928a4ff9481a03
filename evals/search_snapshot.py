"""Search results of a workload, saved and compared: a speed-up of ``engine.search`` must not change any of them.

``python -m evals.search_snapshot --index-dir DIR save OUT.json [--questions F] [--k 10]``
``python -m evals.search_snapshot --index-dir DIR check OUT.json`` exits 1 (and lists the questions) when a
question's top-k ids, order or scores (beyond 1e-9) differ from the saved ones; also times the searches.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from evals.bench_common import add_search_workload_args, engine_and_workload, latency_summary

TOLERANCE = 1e-9


def snapshot(engine: Any, queries: list[str], k: int) -> dict[str, list[list[Any]]]:
    """Question -> [[chunk id, score, {channel: score}], ...] of its top k."""
    return {q: [[h.chunk.id, h.score, h.channels] for h in engine.search(q, k)] for q in queries}


def differences(before: dict[str, list[list[Any]]], after: dict[str, list[list[Any]]],
                tol: float = TOLERANCE) -> list[str]:
    """The questions whose results differ: other ids, another order, or a score (channel scores too) off by > tol."""
    out = []
    for q in before.keys() | after.keys():
        a, b = before.get(q), after.get(q)
        if a is None or b is None or [h[0] for h in a] != [h[0] for h in b]:
            out.append(q)
        elif any(abs(x[1] - y[1]) > tol or x[2].keys() != y[2].keys()
                 or any(abs(x[2][c] - y[2][c]) > tol for c in x[2]) for x, y in zip(a, b)):
            out.append(q)
    return sorted(out)


def timing(engine: Any, queries: list[str], k: int, repeat: int) -> dict[str, Any]:
    for q in queries:
        engine.search(q, k)
    ms, cpu = [], []
    for _ in range(repeat):
        for q in queries:
            t0, c0 = time.perf_counter(), time.thread_time()
            engine.search(q, k)
            ms.append((time.perf_counter() - t0) * 1000.0)
            cpu.append((time.thread_time() - c0) * 1000.0)
    # The thread's CPU time, and each question's fastest pass: on a shared machine wall time mostly measures
    # the neighbours.
    fastest = [min(ms[i::len(queries)]) for i in range(len(queries))]
    return {"wall": latency_summary(ms), "thread_cpu": latency_summary(cpu), "fastest_pass": latency_summary(fastest)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m evals.search_snapshot", description=__doc__.split("\n\n")[0])
    ap.add_argument("action", choices=("save", "check"))
    ap.add_argument("file", type=Path)
    add_search_workload_args(ap, "timed passes after the snapshot (0: none)")
    args = ap.parse_args(argv)
    engine, queries = engine_and_workload(args)
    got = snapshot(engine, queries, args.k)
    status = 0
    if args.action == "save":
        args.file.write_text(json.dumps(got, ensure_ascii=False), encoding="utf-8")
        print(f"saved the top {args.k} of {len(got)} questions to {args.file}")
    else:
        diff = differences(json.loads(args.file.read_text(encoding="utf-8")), got)
        print(f"{len(got) - len(diff)}/{len(got)} questions identical (ids, order, scores within {TOLERANCE})")
        for q in diff:
            print(f"  differs: {q}")
        status = 1 if diff else 0
    if args.repeat:
        print(json.dumps(timing(engine, queries, args.k, args.repeat)))
    return status


if __name__ == "__main__":
    sys.exit(main())
