"""Service start-up benchmark: how long ``python -m api`` takes until it serves, with and without an index.

``python -m evals.bench_service [--repeat 3] [--out DIR] [--timeout 300]``

Each run spawns ``python -m api`` on a free 127.0.0.1 port (rate limiting off, sessions in a temp dir), polls
``/healthz`` and ``/readyz`` until they answer 200, sends one ``POST /api/chat`` (the first workload question)
and stops the server. Two starts, taking turns so that drift in machine load hits both alike:

* **prebuilt**: the index of the bundled corpus already exists;
* **no index**: an empty index directory, so the service builds the index before it serves (first start).

Baselines in this process: ``build_index`` of the same corpus and ``Engine.open`` of the prebuilt index — what
the service has to do anyway — so the ratios show the interpreter, import and HTTP overhead on top.
Every figure is the median of ``--repeat`` runs.

Writes ``bench-service-<timestamp>.md``, ``.json`` and ``.png`` to ``--out`` and prints the Markdown table.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from evals.bench_common import (DEFAULT_OUT, DEFAULT_QUESTIONS, ApiServer, build_corpus_index, machine_line,
                                machine_meta, median, pyplot, ratio, rss_mb, save_figure, workload, write_report)

SCENARIOS = {"prebuilt": "prebuilt index", "no_index": "no index (builds it first)"}
MARKS = ("healthz_s", "ready_s", "first_chat_s", "chat_ms", "server_rss_mb")


def start_once(index_dir: Path, data_dir: Path, log_path: Path, question: str, timeout: float) -> dict[str, float]:
    """Spawn the service, time it to ready and to the first answer, stop it."""
    import httpx

    with ApiServer(index_dir, data_dir, log_path) as server:
        marks = server.wait_ready(timeout)
        with httpx.Client(base_url=server.base_url, timeout=timeout, trust_env=False) as http:
            t0 = time.perf_counter()
            r = http.post("/api/chat", json={"question": question, "session_id": None})
            done = time.perf_counter()
        if r.status_code != 200 or not r.json().get("answer"):
            raise RuntimeError(f"first chat: HTTP {r.status_code} {r.text[:200]}\n{server.log_tail()}")
        assert server.proc is not None
        return {
            "healthz_s": round(marks["healthz"], 3),
            "ready_s": round(marks["readyz"], 3),
            "first_chat_s": round(done - server.started, 3),
            "chat_ms": round((done - t0) * 1000.0, 1),
            "server_rss_mb": rss_mb(server.proc.pid),  # one worker: uvicorn serves in the spawned process itself
        }


def in_process_baselines(work: Path, repeat: int) -> tuple[dict[str, Any], Path]:
    """build_index and Engine.open of the corpus in this process; returns them and the index left built."""
    from core.settings import load_settings
    from assistant.engine import Engine

    builds = []
    for r in range(repeat + 1):  # the first build, like the first open, also pays for imports: reported apart
        index_dir = work / f"index-{r}"
        builds.append(build_corpus_index(index_dir, work / "data-inproc"))
        if r:
            shutil.rmtree(work / f"index-{r - 1}", ignore_errors=True)
    settings = load_settings(index_dir=index_dir, data_dir=work / "data-inproc")
    opens = []
    for _ in range(repeat + 1):  # the first open also pays for lazy imports; it is reported apart
        t0 = time.perf_counter()
        engine = Engine.open(settings=settings)
        opens.append(time.perf_counter() - t0)
        engine.close()
    return {
        "build_index_first_s": round(builds[0], 3),
        "build_index_s": round(median(builds[1:]), 3), "build_index_runs": [round(x, 3) for x in builds[1:]],
        "engine_open_first_s": round(opens[0], 3),
        "engine_open_s": round(median(opens[1:]), 3), "engine_open_runs": [round(x, 3) for x in opens[1:]],
    }, index_dir


def run_benchmark(repeat: int = 3, out_dir: Path | None = DEFAULT_OUT, *, questions: Path = DEFAULT_QUESTIONS,
                  timeout: float = 300.0, work_dir: Path | None = None,
                  log: Callable[[str], None] | None = None) -> dict[str, Any]:
    """All starts and baselines; writes the report files to ``out_dir`` (unless None) and returns the results."""
    if repeat < 1:
        raise ValueError("--repeat must be >= 1")
    say = log or (lambda msg: None)
    question = workload(questions, 1)[0]
    own_tmp = work_dir is None
    work = Path(tempfile.mkdtemp(prefix="bench-service-")) if own_tmp else Path(work_dir)  # type: ignore[arg-type]
    work.mkdir(parents=True, exist_ok=True)
    meta = machine_meta(repeat=repeat, question=question)
    t_all = time.perf_counter()
    try:
        say("in-process build_index and Engine.open ...")
        baseline, prebuilt = in_process_baselines(work, repeat)
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in SCENARIOS}
        for r in range(repeat):
            for name in SCENARIOS:
                say(f"start {r + 1}/{repeat}: {SCENARIOS[name]} ...")
                index_dir = prebuilt if name == "prebuilt" else work / f"empty-{r}"
                runs[name].append(start_once(index_dir, work / f"data-{name}-{r}", work / f"{name}-{r}.log",
                                             question, timeout))
    finally:
        if own_tmp:
            shutil.rmtree(work, ignore_errors=True)
    # What building costs inside the service: the difference between its two kinds of start.
    build_in_service = median([b["ready_s"] - a["ready_s"] for a, b in zip(runs["prebuilt"], runs["no_index"])])
    starts = {name: {m: round(median([x[m] for x in rs]), 3) for m in MARKS} | {"runs": rs}
              for name, rs in runs.items()}
    result: dict[str, Any] = {
        "meta": meta | {"wall_s": round(time.perf_counter() - t_all, 1)},
        "in_process": baseline,
        "starts": starts,
        "build_in_service_s": round(build_in_service, 3),
        "ratios": {
            "prebuilt_ready_to_engine_open": ratio(starts["prebuilt"]["ready_s"], baseline["engine_open_s"], 1),
            "prebuilt_ready_to_first_engine_open": ratio(starts["prebuilt"]["ready_s"],
                                                         baseline["engine_open_first_s"], 1),
            "no_index_ready_to_build_index": ratio(starts["no_index"]["ready_s"], baseline["build_index_s"], 2),
            "no_index_ready_to_first_build_index": ratio(starts["no_index"]["ready_s"],
                                                         baseline["build_index_first_s"], 2),
            "no_index_ready_to_prebuilt_ready": ratio(starts["no_index"]["ready_s"], starts["prebuilt"]["ready_s"], 2),
        },
    }
    if out_dir is not None:
        write_report(result, Path(out_dir), "bench-service", markdown_table, chart)
    return result


# ------------------------------------------------------------------------------- report


def markdown_table(result: dict[str, Any]) -> str:
    from evals.report import md_table

    meta, base, q = result["meta"], result["in_process"], result["ratios"]
    rows = []
    for name, label in SCENARIOS.items():
        s = result["starts"][name]
        rows.append([f"`python -m api`, {label}", f"{s['healthz_s']:.2f}", f"{s['ready_s']:.2f}",
                     f"{s['first_chat_s']:.2f}", f"{s['chat_ms']:.0f}", f"{s['server_rss_mb']:.0f}",
                     ", ".join(f"{x['ready_s']:.2f}" for x in s["runs"])])
    rows.append(["in-process `Engine.open` (prebuilt; first open in brackets)", "",
                 f"{base['engine_open_s']:.2f} ({base['engine_open_first_s']:.2f})", "", "", "",
                 ", ".join(f"{x:.2f}" for x in base["engine_open_runs"])])
    rows.append(["in-process `build_index` of the corpus (first build in brackets)", "",
                 f"{base['build_index_s']:.2f} ({base['build_index_first_s']:.2f})", "", "", "",
                 ", ".join(f"{x:.2f}" for x in base["build_index_runs"])])
    table = md_table(["start", "/healthz 200 (s)", "/readyz 200 (s)", "first chat answered (s)", "first chat (ms)",
                      "server RSS (MB)", "runs, ready (s)"], rows)
    return "\n".join([
        f"# Service start-up benchmark — {meta['timestamp']}",
        "",
        f"- **runs**: medians of {meta['repeat']}; times from spawning the process; "
        f"first chat: “{meta['question']}”",
        f"- **prebuilt start / in-process Engine.open**: {q['prebuilt_ready_to_engine_open']}× "
        f"({q['prebuilt_ready_to_first_engine_open']}× the first open, which pays for lazy imports)",
        f"- **first start / prebuilt start**: {q['no_index_ready_to_prebuilt_ready']}×; building in the service "
        f"adds {result['build_in_service_s']:.2f}s (median difference of the paired starts) where in-process "
        f"`build_index` takes {base['build_index_s']:.2f}s ({base['build_index_first_s']:.2f}s the first time)",
        f"- **first start / in-process build_index**: {q['no_index_ready_to_build_index']}× "
        f"({q['no_index_ready_to_first_build_index']}× the first build)",
        machine_line(meta),
        "",
        table,
    ])


def chart(result: dict[str, Any], path: Path) -> Path | None:
    """Seconds to ready and to the first answer per start, beside the in-process baselines."""
    plt = pyplot()
    if plt is None:
        return None
    s, base = result["starts"], result["in_process"]
    labels = ["service,\nprebuilt index", "service,\nno index", "in-process\nEngine.open", "in-process\nbuild_index"]
    ready = [s["prebuilt"]["ready_s"], s["no_index"]["ready_s"], base["engine_open_s"], base["build_index_s"]]
    chat = [s["prebuilt"]["first_chat_s"], s["no_index"]["first_chat_s"], 0.0, 0.0]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    xs = range(len(labels))
    bars = ax.bar([x - 0.2 for x in xs], ready, 0.4, label="/readyz 200 (in-process: call returned)", color="#4C72B0")
    ax.bar_label(bars, fmt="%.2f", fontsize=8)
    bars = ax.bar([x + 0.2 for x in xs[:2]], chat[:2], 0.4, label="first /api/chat answered", color="#DD8452")
    ax.bar_label(bars, fmt="%.2f", fontsize=8)
    ax.set_xticks(list(xs), labels, fontsize=8)
    ax.set_ylabel(f"seconds (median of {result['meta']['repeat']})")
    ax.set_title("Service cold start")
    ax.legend(fontsize=8)
    return save_figure(plt, fig, path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m evals.bench_service", description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3, help="starts of each kind (median; default: %(default)s)")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for one start (default: %(default)s)")
    ap.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="report directory (default: %(default)s)")
    ap.add_argument("--work-dir", type=Path, help="keep indexes and server logs here instead of a temp dir")
    args = ap.parse_args(argv)
    if args.repeat < 1 or args.timeout <= 0:
        ap.error("--repeat must be >= 1 and --timeout > 0")
    result = run_benchmark(args.repeat, args.out, questions=args.questions, timeout=args.timeout,
                           work_dir=args.work_dir, log=lambda msg: print(msg, file=sys.stderr, flush=True))
    print(markdown_table(result))
    print(f"\nwrote {', '.join(result['files'].values())}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
