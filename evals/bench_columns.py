"""Whole BM25 columns against scattered postings, in one process: the same searches, passes alternating.

``python -m evals.bench_columns --index-dir DIR [--repeat 3]`` times the workload with the frequent columns
added whole (``Postings.DENSE_SHARE``, the default) and with every column scattered from its postings (the
code before), and reports thread-CPU medians and p95 of each question's fastest pass, and their ratio.
Both ways give the same scores to the bit (``search_snapshot check`` shows it), so only the time differs.
"""
from __future__ import annotations

import argparse
import json
import time
from typing import Any

from evals.bench_common import add_search_workload_args, engine_and_workload, latency_summary, machine_line, machine_meta

SCATTERED = float("inf")  # no column is dense enough to be added whole


def passes(engine: Any, queries: list[str], k: int, repeat: int) -> dict[str, list[float]]:
    """Each question's thread-CPU ms per way, the ways taking turns (ABBA) so drift hits both alike."""
    from retriever.lexical import Postings

    ways = {"whole": Postings.DENSE_SHARE, "scattered": SCATTERED}
    ms: dict[str, list[list[float]]] = {w: [[] for _ in queries] for w in ways}
    try:
        for r in range(repeat):
            for way in (("whole", "scattered") if r % 2 == 0 else ("scattered", "whole")):
                Postings.DENSE_SHARE = ways[way]
                for i, q in enumerate(queries):
                    c0 = time.thread_time()
                    engine.search(q, k)
                    ms[way][i].append((time.thread_time() - c0) * 1000.0)
    finally:
        Postings.DENSE_SHARE = ways["whole"]
    return {w: [min(t) for t in per_q] for w, per_q in ms.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m evals.bench_columns", description=__doc__.split("\n\n")[0])
    add_search_workload_args(ap, "timed passes per way (each question's fastest counts)")
    args = ap.parse_args(argv)
    engine, queries = engine_and_workload(args)
    for q in queries:  # warm: the columns' LRU, the chunk texts, the vocabulary pages
        engine.search(q, args.k)
    got = {way: latency_summary(ms) for way, ms in passes(engine, queries, args.k, max(1, args.repeat)).items()}
    ratio = {key: round(got["whole"][key] / got["scattered"][key], 3)
             for key in ("p50_ms", "p95_ms") if got["scattered"][key]}
    print(json.dumps({"fastest_pass_thread_cpu": got, "whole_over_scattered": ratio}, ensure_ascii=False))
    print(machine_line(machine_meta()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
