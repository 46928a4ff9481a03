"""Memory of the real service: ``python -m api --workers N`` on one index, after every worker has answered.

``python -m evals.bench_memory --index-dir DIR [--workers 1,4] [--rounds 6] [--questions F | --no-workload] [--breakdown]``

Starts the service on a free loopback port (rate limit off, a temporary data directory), sends rounds of
N concurrent questions so that every worker loads what it loads lazily, then reads ``/proc`` for the
master and each worker:

* **RSS**: resident pages, counting pages shared with other processes (the mmapped BM25 files, libraries)
  in every process that maps them;
* **PSS**: each shared page divided among the processes sharing it; the sum over processes is what the
  service really takes from the machine;
* **USS**: pages private to the process (its own heap).

Then it serves the question workload (each question as a chat and as a search) and reads each worker's RSS
again: what its bounded caches hold once full, the figure a long-running worker settles at.

Used by ``evals.bench_search --workers N`` for each corpus size, and on its own for any built index.

``--breakdown`` shows what holds the memory instead: a fresh interpreter loads what a worker loads, one
part after the other (imports, the jieba dictionary, the records, each search channel, the first answers),
and prints the RSS after each part and its growth.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from evals.bench_common import DEFAULT_QUESTIONS, ROOT, workload

QUESTIONS = ("生育保险参保人数2020年目标是多少？", "城镇新增就业人数目标是多少", "失业保险金标准是多少",
             "养老保险参保人数", "创业担保贷款", "职业技能培训补贴怎么申请")


def process_memory(pid: int) -> dict[str, float]:
    """RSS, PSS and USS of one process in MB (Linux /proc)."""
    out = {"rss": 0.0, "pss": 0.0, "uss": 0.0}
    with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
        for line in f:
            key, _, rest = line.partition(":")
            kb = rest.split()[0] if rest.split() else "0"
            if key == "Rss":
                out["rss"] += int(kb) / 1024
            elif key == "Pss":
                out["pss"] += int(kb) / 1024
            elif key in ("Private_Clean", "Private_Dirty"):
                out["uss"] += int(kb) / 1024
    return {k: round(v, 1) for k, v in out.items()}


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text(encoding="ascii")
        kids.extend(int(p) for p in text.split())
    # multiprocessing's resource tracker is a child too, but no worker.
    return [k for k in kids if b"resource_tracker" not in Path(f"/proc/{k}/cmdline").read_bytes()]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(base: str, proc: subprocess.Popen[bytes], timeout: float) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the service exited with {proc.returncode} before it was ready")
        try:
            if httpx.get(base + "/readyz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the service was not ready after {timeout:.0f} s")


def _warm(base: str, workers: int, rounds: int) -> None:
    import httpx

    def ask(q: str) -> int:
        return httpx.post(base + "/api/chat", json={"question": q}, timeout=120).status_code

    with ThreadPoolExecutor(max_workers=workers * 2) as pool:
        for r in range(rounds):
            qs = [QUESTIONS[(r + i) % len(QUESTIONS)] for i in range(workers * 2)]
            codes = list(pool.map(ask, qs))
            if any(c != 200 for c in codes):
                raise RuntimeError(f"warm-up questions failed: {codes}")


def _run_workload(base: str, workers: int, questions: Sequence[str]) -> None:
    """Each question asked as a chat and as a search, 2×workers at a time: what a worker caches as it serves
    (columns of frequent terms, decoded records, analysed questions) fills up to its bounds."""
    import httpx

    from evals.bench_load import ENDPOINTS, request_body

    def ask(job: tuple[str, str]) -> int:
        endpoint, q = job
        return httpx.post(base + ENDPOINTS[endpoint], json=request_body(endpoint, q, 10), timeout=120).status_code

    with ThreadPoolExecutor(max_workers=workers * 2) as pool:
        codes = list(pool.map(ask, [(e, q) for q in questions for e in ("chat", "search")]))
    if any(c != 200 for c in codes):
        raise RuntimeError(f"workload requests failed: {sorted(set(codes))}")


def _unwarmed(pids: list[int]) -> bool:
    rss = [process_memory(p)["rss"] for p in pids]
    return min(rss) < 0.8 * max(rss)


def measure_service(index_dir: Path, workers: int = 4, rounds: int = 6, env: dict[str, str] | None = None,
                    timeout: float = 600, questions: Sequence[str] = ()) -> dict[str, Any]:
    """Start the service on ``index_dir``, warm every worker, and return the memory of each process; with
    ``questions``, also each worker's after serving them (``after_workload``)."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as data:
        child_env = {k: v for k, v in os.environ.items() if not k.startswith(("POLICY_", "LLM_", "REDIS_"))}
        child_env.update({"POLICY_DATA_DIR": data, "POLICY_RATE_LIMIT": "0", "ANONYMIZED_TELEMETRY": "False",
                          "HF_HUB_OFFLINE": "1", **(env or {})})
        log = open(Path(data) / "server.log", "wb")
        proc = subprocess.Popen([sys.executable, "-m", "api", "--port", str(port), "--index-dir", str(index_dir),
                                 "--workers", str(workers)], cwd=ROOT, env=child_env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        try:
            t0 = time.perf_counter()
            _wait_ready(base, proc, timeout)
            ready_s = time.perf_counter() - t0
            _warm(base, workers, rounds)
            kids = _children(proc.pid) if workers > 1 else []
            extra = 0
            # The kernel does not spread connections evenly: until every worker has answered (its memory is
            # within 20% of the largest, which a worker that only opened the index is not), ask more.
            while kids and extra < 30 and _unwarmed(kids):
                _warm(base, workers, 1)
                extra += 1
            master = process_memory(proc.pid)
            per_worker = [process_memory(k) for k in kids] or [master]
            after = None
            if questions:
                _run_workload(base, workers, questions)
                after = [process_memory(k) for k in kids] or [process_memory(proc.pid)]
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
            log.close()
    procs = per_worker + ([master] if kids else [])
    return {"workers": workers, "ready_s": round(ready_s, 1), "warm_rounds": rounds + extra, "per_worker": per_worker,
            "master": master if kids else None,
            "max_worker_rss": max(w["rss"] for w in per_worker),
            "total_rss": round(sum(p["rss"] for p in procs), 1),
            "total_pss": round(sum(p["pss"] for p in procs), 1),
            "after_workload": None if after is None else {
                "questions": len(questions), "per_worker": after, "max_worker_rss": max(w["rss"] for w in after)}}


BREAKDOWN_STAGES = ("python", "web stack (fastapi, api.app)", "vector store client (chromadb)",
                    "jieba dictionary", "records", "retriever (lexical, dense, vectors)", "first answer",
                    "five more answers")


def _breakdown_probe(index_dir: str, data_dir: str) -> None:
    """Child side of ``breakdown``: one JSON line per stage, [stage, RSS MB]."""
    from evals.bench_common import rss_mb

    def mark(stage: str) -> None:
        print(json.dumps([stage, rss_mb()]), flush=True)

    from api.__main__ import limit_malloc_arenas

    limit_malloc_arenas()  # as python -m api does before its workers start
    mark(BREAKDOWN_STAGES[0])
    import api.app  # noqa: F401

    mark(BREAKDOWN_STAGES[1])
    import chromadb  # noqa: F401

    mark(BREAKDOWN_STAGES[2])
    from retriever.tokenize import Tokenizer

    Tokenizer()  # the shared base dictionary (a term set adds only its own entries)
    mark(BREAKDOWN_STAGES[3])
    from assistant.answers.config import answer_config
    from assistant.router import Answerer
    from core.settings import load_settings
    from index import store
    from retriever.scope import document_meta
    from retriever.search import open_retriever

    settings = load_settings(index_dir=Path(index_dir), data_dir=Path(data_dir))
    gen_dir = store.require_generation(Path(index_dir))
    records = store.Records(gen_dir)
    mark(BREAKDOWN_STAGES[4])
    # What assistant.engine.Generation.load does, with the records already loaded above.
    doc_meta = {d.id: document_meta(d) for d in records.documents.values()}
    retriever = open_retriever(gen_dir, records.chunks, doc_meta, settings)
    answerer = Answerer(records, retriever, settings.deployment, answer_config(settings.answer_config))
    mark(BREAKDOWN_STAGES[5])
    answerer.answer(QUESTIONS[0], [])
    mark(BREAKDOWN_STAGES[6])
    for q in QUESTIONS[1:]:
        answerer.answer(q, [])
    mark(BREAKDOWN_STAGES[7])


def breakdown(index_dir: Path, env: dict[str, str] | None = None) -> list[tuple[str, float, float]]:
    """(stage, RSS MB after it, growth MB) in a fresh interpreter loading ``index_dir`` as a worker does."""
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as data:
        child_env = {k: v for k, v in os.environ.items() if not k.startswith(("POLICY_", "LLM_", "REDIS_"))}
        child_env.update({"ANONYMIZED_TELEMETRY": "False", "HF_HUB_OFFLINE": "1", **(env or {})})
        code = "import sys; from evals.bench_memory import _breakdown_probe; _breakdown_probe(*sys.argv[1:])"
        out = subprocess.run([sys.executable, "-c", code, str(index_dir), data], cwd=ROOT, env=child_env,
                             capture_output=True, text=True, timeout=900, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"memory breakdown failed ({out.returncode}): {out.stderr[-2000:]}")
    rows = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("[")]
    return [(stage, round(rss, 1), round(rss - (rows[i - 1][1] if i else 0.0), 1))
            for i, (stage, rss) in enumerate(rows)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m evals.bench_memory", description=__doc__.split("\n\n")[0])
    ap.add_argument("--index-dir", type=Path, required=True, help="a built index (python -m ingest --index-dir)")
    ap.add_argument("--workers", default="1,4", help="worker counts to measure (default: %(default)s)")
    ap.add_argument("--rounds", type=int, default=6, help="warm-up rounds of 2×workers concurrent questions")
    ap.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS,
                    help="after the warm-up, ask each as a chat and a search and measure again, the steady state "
                         "of a serving worker (default: %(default)s)")
    ap.add_argument("--no-workload", action="store_true", help="measure after the warm-up only")
    ap.add_argument("--breakdown", action="store_true",
                    help="instead: RSS after each part a worker loads, in a fresh interpreter")
    args = ap.parse_args(argv)
    try:
        counts = sorted({int(w) for w in args.workers.split(",") if w.strip()})
    except ValueError:
        ap.error("--workers takes integers, e.g. 1,4")
    if not counts or counts[0] < 1 or args.rounds < 1:
        ap.error("--workers and --rounds must be >= 1")
    if not (args.index_dir / "CURRENT").exists():
        ap.error(f"no index in {args.index_dir}; build it with: python -m ingest PATHS --index-dir {args.index_dir}")
    if args.breakdown:
        print("| part loaded | RSS MB after | growth MB |\n| --- | ---: | ---: |")
        for stage, rss, grew in breakdown(args.index_dir):
            print(f"| {stage} | {rss:.0f} | +{grew:.0f} |")
        return 0
    from evals.harness import QuestionFileError

    try:
        questions = [] if args.no_workload else workload(args.questions)
    except QuestionFileError as e:
        ap.error(f"{e}; pass a question file with --questions, or --no-workload")
    print("| workers | RSS per worker MB | PSS per worker MB | USS per worker MB | total RSS MB | total PSS MB | "
          f"RSS per worker MB after {len(questions)} questions × (chat, search) |")
    print("| ---: | --- | --- | --- | ---: | ---: | --- |")
    for n in counts:
        r = measure_service(args.index_dir, n, args.rounds, questions=questions)
        cells = [", ".join(f"{w[k]:.0f}" for w in r["per_worker"]) for k in ("rss", "pss", "uss")]
        after = r["after_workload"]
        steady = ", ".join(f"{w['rss']:.0f}" for w in after["per_worker"]) if after else "—"
        print(f"| {n} | {' | '.join(cells)} | {r['total_rss']:.0f} | {r['total_pss']:.0f} | {steady} |", flush=True)
        print(json.dumps(r), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
