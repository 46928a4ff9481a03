"""Load test: N concurrent clients against the service on 127.0.0.1 for a bounded time.

``python -m evals.bench_load [--clients 8] [--seconds 20] [--workers 1[,2]] [--endpoint chat|search]
[--base-url http://127.0.0.1:PORT] [--max-requests 100000] [--warmup 2] [--out DIR]``

Unless ``--base-url`` is given, the benchmark builds an index of the bundled corpus in a temp dir, starts
``python -m api`` on a free 127.0.0.1 port with ``POLICY_RATE_LIMIT=0`` (one server per ``--workers`` value, one
after the other) and stops it at the end. A ``--base-url`` must be a loopback address; anything else is refused.

Each client is a coroutine on one shared ``httpx.AsyncClient`` that loops over the question workload (each client
starting at a different question) and sends the next request as soon as the previous one answered. It stops at the
deadline or when the run has used ``--max-requests``; a request still in flight at the deadline may finish (within
``--timeout``). A warm-up of ``--warmup`` seconds comes first and is not counted.

Reported per run: requests/s (completed requests over the time from the first send to the last answer), latency
p50/p95/p99 of the 2xx answers, errors (non-2xx statuses and exceptions), counts per status, and the server's RSS
after the run (all its processes). With several ``--workers`` values the requests/s are compared with the first.

Writes ``bench-load-<timestamp>.md``, ``.json`` and ``.png`` to ``--out`` and prints the Markdown table.
"""
from __future__ import annotations

import argparse
import asyncio
import math
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evals.bench_common import (DEFAULT_OUT, DEFAULT_QUESTIONS, ApiServer, build_corpus_index, group_rss_mb,
                                latency_summary, machine_line, machine_meta, pyplot, ratio, require_loopback,
                                save_figure, workload, write_report)

ENDPOINTS = {"chat": "/api/chat", "search": "/api/search"}
# Shared histogram edges (ms), 10 per decade from 0.1 ms to 100 s, so runs overlay bin for bin.
HIST_EDGES = [round(10 ** (e / 10), 4) for e in range(-10, 51)]


@dataclass
class Budget:
    """Requests left for the whole run; the coroutines share one event loop, so no lock is needed."""

    left: int

    def take(self) -> bool:
        if self.left <= 0:
            return False
        self.left -= 1
        return True


@dataclass
class Record:
    sent_s: float  # since the run started
    ms: float
    status: str  # "200", "503", … or the exception's class name


@dataclass
class Run:
    records: list[Record] = field(default_factory=list)
    started: float = 0.0
    ended: float = 0.0


def request_body(endpoint: str, question: str, k: int) -> dict[str, Any]:
    if endpoint == "chat":
        return {"question": question, "session_id": None}
    return {"query": question, "k": k}


async def _client(http: Any, endpoint: str, queries: Sequence[str], start: int, k: int, deadline: float,
                  budget: Budget, run: Run) -> None:
    i = start
    while time.perf_counter() < deadline and budget.take():
        body = request_body(endpoint, queries[i % len(queries)], k)
        i += 1
        t0 = time.perf_counter()
        try:
            r = await http.post(ENDPOINTS[endpoint], json=body)
            status = str(r.status_code)
        except Exception as e:  # noqa: BLE001 - a failed request is a data point, not the end of the test
            status = type(e).__name__
        t1 = time.perf_counter()
        run.records.append(Record(round(t0 - run.started, 4), round((t1 - t0) * 1000.0, 3), status))
        run.ended = t1


async def drive(base_url: str, endpoint: str, queries: Sequence[str], clients: int, seconds: float,
                max_requests: int, k: int = 10, timeout: float = 30.0) -> Run:
    """``clients`` concurrent request loops for at most ``seconds`` and ``max_requests`` requests."""
    import httpx

    base_url = require_loopback(base_url)  # checked here too, so no caller can aim the loop elsewhere
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    run = Run()
    async with httpx.AsyncClient(base_url=base_url, timeout=timeout, limits=limits, trust_env=False) as http:
        run.started = run.ended = time.perf_counter()
        deadline = run.started + seconds
        budget = Budget(max_requests)
        loops = [_client(http, endpoint, queries, c * len(queries) // clients, k, deadline, budget, run)
                 for c in range(clients)]
        # The loops stop by themselves; this bound only matters if a request hangs past its own timeout.
        await asyncio.wait_for(asyncio.gather(*loops), timeout=seconds + timeout + 10)
    return run


def summarize(run: Run, seconds: float) -> dict[str, Any]:
    """Requests/s, latency of the 2xx answers, errors and statuses, throughput per second, latency histogram."""
    recs = run.records
    ok = [r.ms for r in recs if r.status.startswith("2")]
    duration = max(run.ended - run.started, 1e-9)
    # Completions per second of the planned run; answers to requests in flight at the deadline join the last second.
    n_seconds = max(1, math.ceil(seconds))
    per_second = Counter(min(int(r.sent_s + r.ms / 1000.0), n_seconds - 1) for r in recs)
    hist = [0] * (len(HIST_EDGES) - 1)
    for ms in ok:
        hist[max(0, min(len(hist) - 1, _bin(ms)))] += 1
    return {
        "requests": len(recs),
        "ok": len(ok),
        "errors": len(recs) - len(ok),
        "status_counts": dict(sorted(Counter(r.status for r in recs).items())),
        "duration_s": round(duration, 3),
        "requests_per_s": round(len(recs) / duration, 2),
        "ok_per_s": round(len(ok) / duration, 2),
        "latency": latency_summary(ok),
        "throughput_per_s": [per_second.get(s, 0) for s in range(n_seconds)],
        "histogram": {"edges_ms": HIST_EDGES, "counts": hist},
        "planned_seconds": seconds,
    }


def _bin(ms: float) -> int:
    return int(math.floor(10 * math.log10(max(ms, 1e-6)))) + 10


def load_run(base_url: str, endpoint: str, queries: Sequence[str], clients: int, seconds: float, max_requests: int,
             warmup: float, k: int, timeout: float) -> dict[str, Any]:
    if warmup > 0:
        asyncio.run(drive(base_url, endpoint, queries, clients, warmup, max_requests, k, timeout))
    cpu0 = time.process_time()
    run = asyncio.run(drive(base_url, endpoint, queries, clients, seconds, max_requests, k, timeout))
    stats = summarize(run, seconds)
    # The load generator competes with the server for the same CPUs; its share tells how much.
    stats["client_cpu_s"] = round(time.process_time() - cpu0, 2)
    return stats


def run_benchmark(clients: int = 8, seconds: float = 20.0, workers: Sequence[int] = (1,), endpoint: str = "chat",
                  base_url: str | None = None, out_dir: Path | None = DEFAULT_OUT, *, max_requests: int = 100_000,
                  warmup: float = 2.0, k: int = 10, timeout: float = 30.0, questions: Path = DEFAULT_QUESTIONS,
                  index_dir: Path | None = None, work_dir: Path | None = None,
                  log: Callable[[str], None] | None = None) -> dict[str, Any]:
    """One load run per workers value (or one against ``base_url``); report files to ``out_dir`` unless None."""
    import httpx

    if endpoint not in ENDPOINTS:
        raise ValueError(f"endpoint must be one of {', '.join(ENDPOINTS)}")
    if clients < 1 or seconds <= 0 or max_requests < 1 or not workers or min(workers) < 1:
        raise ValueError("clients, seconds, max_requests and workers must be positive")
    if base_url is not None:
        base_url = require_loopback(base_url)
    say = log or (lambda msg: None)
    queries = workload(questions)
    runs: list[dict[str, Any]] = []
    meta = machine_meta(endpoint=endpoint, clients=clients, seconds=seconds, warmup_s=warmup, max_requests=max_requests,
                        timeout_s=timeout, k=k, target=base_url or "spawned", queries=len(queries))
    t_all = time.perf_counter()
    if base_url is not None:
        with httpx.Client(base_url=base_url, timeout=10.0, trust_env=False) as http:
            if http.get("/readyz").status_code != 200:
                raise RuntimeError(f"{base_url}/readyz is not 200: the server is not ready")
        say(f"{clients} clients x {seconds:g}s against {base_url}{ENDPOINTS[endpoint]} ...")
        runs.append({"workers": None, "clients": clients,
                     **load_run(base_url, endpoint, queries, clients, seconds, max_requests, warmup, k, timeout)})
    else:
        own_tmp = work_dir is None
        work = Path(tempfile.mkdtemp(prefix="bench-load-")) if own_tmp else Path(work_dir)  # type: ignore[arg-type]
        work.mkdir(parents=True, exist_ok=True)
        try:
            if index_dir is None:
                say("building the corpus index ...")
                index_dir = work / "index"
                build_corpus_index(index_dir, work / "data-build")
            for w in workers:
                with ApiServer(index_dir, work / f"data-w{w}", work / f"server-w{w}.log", workers=w) as server:
                    server.wait_ready()
                    say(f"{clients} clients x {seconds:g}s, {w} worker(s), {ENDPOINTS[endpoint]} ...")
                    stats = load_run(server.base_url, endpoint, queries, clients, seconds, max_requests, warmup, k,
                                     timeout)
                    assert server.proc is not None
                    stats["server_rss_mb"] = group_rss_mb(server.proc.pid)
                runs.append({"workers": w, "clients": clients, **stats})
        finally:
            if own_tmp:
                shutil.rmtree(work, ignore_errors=True)
    first = runs[0]["requests_per_s"]
    for r in runs:
        r["requests_per_s_vs_first"] = ratio(r["requests_per_s"], first, 2)
    result: dict[str, Any] = {
        "meta": meta | {"wall_s": round(time.perf_counter() - t_all, 1)},
        "runs": runs,
    }
    if out_dir is not None:
        write_report(result, Path(out_dir), "bench-load", markdown_table, chart)
    return result


# ------------------------------------------------------------------------------- report


def _label(run: dict[str, Any]) -> str:
    return "external server" if run["workers"] is None else f"{run['workers']} worker(s)"


def markdown_table(result: dict[str, Any]) -> str:
    from evals.report import md_table

    meta = result["meta"]
    rows = []
    for r in result["runs"]:
        lat = r["latency"]
        rows.append([_label(r), str(r["clients"]), f"{r['requests']:,}", f"{r['requests_per_s']:.1f}",
                     f"{r['requests_per_s_vs_first']:.2f}" if r["requests_per_s_vs_first"] is not None else "—",
                     f"{lat['p50_ms']:.1f}", f"{lat['p95_ms']:.1f}", f"{lat['p99_ms']:.1f}", str(r["errors"]),
                     ", ".join(f"{k}: {v}" for k, v in r["status_counts"].items()),
                     f"{100 * r['client_cpu_s'] / r['duration_s']:.0f}%",
                     f"{r['server_rss_mb']:.0f}" if "server_rss_mb" in r else "—"])
    table = md_table(["server", "clients", "requests", "req/s", "req/s vs first", "p50 ms", "p95 ms", "p99 ms",
                      "errors", "statuses", "load generator CPU", "server RSS MB"], rows)
    return "\n".join([
        f"# Load test — {meta['timestamp']}",
        "",
        f"- **load**: {meta['clients']} concurrent clients, POST {ENDPOINTS[meta['endpoint']]}, {meta['seconds']:g}s "
        f"per run after a {meta['warmup_s']:g}s warm-up, at most {meta['max_requests']:,} requests; each client loops "
        f"over {meta['queries']} questions",
        "- **latency**: of 2xx answers; errors are non-2xx statuses and exceptions; req/s counts every completed "
        "request",
        f"- **server**: {meta['target']} on 127.0.0.1, rate limiting off; the load generator shares the machine "
        "(its CPU time over the run is shown as a share of one CPU)",
        machine_line(meta),
        "",
        table,
    ])


def chart(result: dict[str, Any], path: Path) -> Path | None:
    """Latency histogram (log x) and completed requests per second, one line per run."""
    plt = pyplot()
    if plt is None:
        return None
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    for r in result["runs"]:
        h = r["histogram"]
        left.stairs(h["counts"], h["edges_ms"], label=f"{_label(r)}: p50 {r['latency']['p50_ms']:.0f} ms, "
                    f"p95 {r['latency']['p95_ms']:.0f} ms")
        right.plot(range(1, len(r["throughput_per_s"]) + 1), r["throughput_per_s"], marker=".",
                   label=f"{_label(r)}: {r['requests_per_s']:.1f} req/s")
    left.set_xscale("log")
    used = [i for r in result["runs"] for i, c in enumerate(r["histogram"]["counts"]) if c]
    if used:  # the shared edges span 0.1 ms to 100 s; show the bins that hold answers
        left.set_xlim(HIST_EDGES[max(0, min(used) - 2)], HIST_EDGES[min(len(HIST_EDGES) - 1, max(used) + 3)])
    left.set_xlabel("latency (ms)")
    left.set_ylabel("2xx answers")
    left.set_title(f"Latency, {result['meta']['clients']} clients, {ENDPOINTS[result['meta']['endpoint']]}")
    left.legend(fontsize=8)
    right.set_xlabel("second of the run")
    right.set_xlim(left=0)
    right.set_ylabel("requests completed")
    right.set_ylim(bottom=0)
    right.set_title("Throughput over time")
    right.legend(fontsize=8)
    return save_figure(plt, fig, path)


def _workers(text: str) -> list[int]:
    values = [int(x) for x in text.split(",") if x.strip()]
    if not values or min(values) < 1:
        raise ValueError
    return values


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m evals.bench_load", description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=8, help="concurrent clients (default: %(default)s)")
    ap.add_argument("--seconds", type=float, default=20.0, help="length of each run (default: %(default)s)")
    ap.add_argument("--workers", default="1", help="uvicorn workers of the spawned server; a list such as 1,2 runs "
                    "one server after the other (default: %(default)s)")
    ap.add_argument("--endpoint", choices=sorted(ENDPOINTS), default="chat")
    ap.add_argument("--base-url", help="a running server on a loopback address instead of spawning one")
    ap.add_argument("--max-requests", type=int, default=100_000, help="cap per run (default: %(default)s)")
    ap.add_argument("--warmup", type=float, default=2.0,
                    help="uncounted seconds before each run (default: %(default)s)")
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds per request (default: %(default)s)")
    ap.add_argument("--k", type=int, default=10, help="results per search request (default: %(default)s)")
    ap.add_argument("--index-dir", type=Path, help="prebuilt index for the spawned server (default: build the corpus)")
    ap.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="report directory (default: %(default)s)")
    args = ap.parse_args(argv)
    try:
        workers = _workers(args.workers)
    except ValueError:
        ap.error("--workers must be positive integers, e.g. 1 or 1,2")
    if args.clients < 1 or args.seconds <= 0 or args.max_requests < 1 or args.warmup < 0 or args.timeout <= 0:
        ap.error("--clients, --seconds, --max-requests and --timeout must be positive, --warmup >= 0")
    if args.base_url:
        try:
            require_loopback(args.base_url)
        except ValueError as e:
            ap.error(str(e))
        if args.workers != "1" or args.index_dir:
            ap.error("--workers and --index-dir configure the spawned server; drop them with --base-url")
    result = run_benchmark(args.clients, args.seconds, workers, args.endpoint, args.base_url, args.out,
                           max_requests=args.max_requests, warmup=args.warmup, k=args.k, timeout=args.timeout,
                           questions=args.questions, index_dir=args.index_dir,
                           log=lambda msg: print(msg, file=sys.stderr, flush=True))
    print(markdown_table(result))
    print(f"\nwrote {', '.join(result['files'].values())}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
