"""Search benchmark: query latency and memory as the corpus grows, against two BM25 baselines.

``python -m evals.bench_search [--sizes 1,10,100] [--queries N] [--repeat 3] [--k 10] [--seed 0] [--out DIR]``
``python -m evals.bench_search --index-dir DIR`` times an index built earlier (the plan and N-1 distractors of the
seed, e.g. ``python -m ingest corpus DISTRACTORS --index-dir DIR``) instead of building one: a 1000× build costs
minutes.

Size N means the bundled corpus (the 景德镇 plan) plus N-1 distractors (``evals.distractors``: the same plan
rewritten for other cities and periods, full length), so 1 is the corpus alone. For each size, in this process:

* ``build_index`` into a temporary index, then ``Engine.open`` (seconds reported as context);
* ``engine.search(question, k)`` over the question workload: one warm-up pass, then ``--repeat`` timed passes,
  first alone (as a worker runs it), then again beside the baselines;
* the same for the baselines of ``evals.baselines`` on the same documents — LangChain BM25Retriever + jieba and
  rank_bm25 over character bigrams, both over RecursiveCharacterTextSplitter(500, 50) chunks — interleaved
  pass by pass with ours so that drift in machine load hits every system alike;
* per system: CPU time beside wall time, each pass's p95 and the hypervisor's steal during it, which tell a
  slow tail of the machine from one of the code;
* memory: RSS of this process after the engine is open (it carries what earlier sizes left behind), and of a
  fresh process that only imports the engine and opens the index (before/after, so the index's own share shows).

Writes ``bench-search-<timestamp>.md``, ``.json`` and ``.png`` to ``--out`` and prints the Markdown table.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evals.bench_common import (DEFAULT_OUT, DEFAULT_QUESTIONS, ROOT, latency_summary, machine_line, machine_meta,
                                pyplot, ratio, rss_mb, save_figure, steal_ms, workload, write_report)

SYSTEMS = ("ours", "langchain", "bigram")
LABELS = {"ours": "ours (engine.search)", "langchain": "LangChain BM25Retriever + jieba",
          "bigram": "rank_bm25 + char bigrams"}


def parse_sizes(text: str) -> list[int]:
    sizes = sorted({int(s) for s in text.split(",") if s.strip()})
    if not sizes or sizes[0] < 1:
        raise ValueError("sizes must be positive integers, e.g. 1,10,100")
    return sizes


@dataclass(frozen=True)
class Pass:
    """One timed pass of one system over the workload."""

    ms: list[float]  # wall time per search
    cpu_ms: list[float]  # this process's CPU time per search, every thread (the dense channel runs in its own)
    steal_ms: float | None  # time the hypervisor took from this machine during the pass (None: not known)


def time_passes(searches: dict[str, Callable[[str, int], Any]], queries: Sequence[str], k: int,
                repeat: int) -> dict[str, list[Pass]]:
    """A warm-up pass per system, then ``repeat`` timed passes each, the systems taking turns pass by pass."""
    for search in searches.values():
        for q in queries:
            search(q, k)
    passes: dict[str, list[Pass]] = {name: [] for name in searches}
    for _ in range(repeat):
        for name, search in searches.items():
            passes[name].append(_one_pass(search, queries, k))
    return passes


def _one_pass(search: Callable[[str, int], Any], queries: Sequence[str], k: int) -> Pass:
    ms, cpu = [], []
    steal0 = steal_ms()
    for q in queries:
        t0, c0 = time.perf_counter(), time.process_time()
        search(q, k)
        ms.append((time.perf_counter() - t0) * 1000.0)
        cpu.append((time.process_time() - c0) * 1000.0)
    steal1 = steal_ms()
    return Pass(ms, cpu, None if steal0 is None or steal1 is None else round(steal1 - steal0, 1))


def pass_summary(passes: Sequence[Pass]) -> dict[str, Any]:
    """Latency over every pass, plus what tells a slow tail's cause: CPU time beside the wall time (a gap is
    waiting, not work), each pass's p95 and the steal during it."""
    out: dict[str, Any] = latency_summary([m for p in passes for m in p.ms])
    out["cpu_p95_ms"] = latency_summary([c for p in passes for c in p.cpu_ms])["p95_ms"]
    out["pass_p95_ms"] = [latency_summary(p.ms)["p95_ms"] for p in passes]
    out["pass_steal_ms"] = [p.steal_ms for p in passes]
    return out


def fresh_process_memory(index_dir: Path, data_dir: Path) -> dict[str, float]:
    """RSS (MB) of a new interpreter before and after it opens ``index_dir`` and answers one search."""
    code = "from evals.bench_search import _memory_probe; _memory_probe()"
    out = subprocess.run([sys.executable, "-c", code, str(index_dir), str(data_dir)], cwd=ROOT, capture_output=True,
                         text=True, timeout=600, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"memory probe failed ({out.returncode}): {out.stderr[-2000:]}")
    data: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return data


# What Engine.open imports lazily: loaded before the first reading so that they don't count as the index.
_ENGINE_IMPORTS = ("assistant.answer", "assistant.sessions", "retriever.search", "retriever.build", "retriever.vectors",
                   "sklearn.decomposition", "sklearn.feature_extraction.text", "scipy.sparse", "chromadb")


def preload() -> None:
    """Import what the engine loads lazily and jieba's default dictionary: one-off costs of a process, not of an
    index, which would otherwise land on the first size's build time and on the probe's index memory."""
    import importlib

    import jieba

    for name in _ENGINE_IMPORTS:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    jieba.initialize()


def _memory_probe() -> None:
    """Child side of ``fresh_process_memory``."""
    from core.settings import load_settings
    from assistant.engine import Engine

    # What a service worker imports, and no more: not preload(), whose scikit-learn and jieba default
    # dictionary (~130 MB) a worker never loads.
    import api.app  # noqa: F401

    index_dir, data_dir = Path(sys.argv[1]), Path(sys.argv[2])
    settings = load_settings(index_dir=index_dir, data_dir=data_dir)
    before = rss_mb()
    engine = Engine.open(settings=settings)
    engine.search("城镇新增就业人数", 10)  # lazily loaded parts of the index count too
    engine.chat("生育保险参保人数2020年目标是多少？")
    after = rss_mb()
    from evals.bench_memory import process_memory

    pss = process_memory(os.getpid())["pss"]
    print(json.dumps({"before_mb": before, "after_mb": after, "index_mb": round(after - before, 1), "pss_mb": pss}))


class _Built:
    """What measure_size reads of a build report, for an index built earlier."""

    def __init__(self, documents: int, chunks: int):
        self.documents, self.chunks = documents, chunks


def manifest_size(index_dir: Path) -> int:
    """The number of documents of a built index (its size: the plan + size-1 distractors)."""
    from index import store

    manifest = json.loads((store.require_generation(index_dir) / "manifest.json").read_text(encoding="utf-8"))
    return len(manifest["inputs"]["files"])


def _built(index_dir: Path, sources: Sequence[Path]) -> _Built:
    """The index's counts, after checking it was built from files of these names (the distractors are
    regenerated from the seed, so the baselines see the same documents)."""
    from index import store

    gen = store.require_generation(index_dir)
    manifest = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
    names = {Path(path).name for path, _ in manifest["inputs"]["files"]}
    corpus = {f.name for f in sources[0].iterdir()} if sources[0].is_dir() else {sources[0].name}
    if names - corpus != {Path(d).name for d in sources[1:]}:
        raise RuntimeError(f"{index_dir} was not built from the plan and the same distractors (--seed?); "
                           f"build one with python -m ingest")
    return _Built(len(names), int(manifest["counts"]["chunks"]))


def measure_size(size: int, distractors: Sequence[Path], queries: Sequence[str], k: int, repeat: int, work: Path,
                 say: Callable[[str], None], workers: int = 0, existing: Path | None = None) -> dict[str, Any]:
    """Everything for one corpus size; the temporary index is removed afterwards (``existing``: an index
    already built over these documents, timed as it is and kept)."""
    from core.settings import load_settings
    from assistant.engine import Engine
    from evals.baselines import CharBigramBM25, LangChainBM25, load_documents
    from index.pipeline import build_index

    index_dir, data_dir = existing or work / f"index-{size}", work / "data"
    settings = load_settings(index_dir=index_dir, data_dir=data_dir)
    sources = [settings.corpus_dir, *distractors[: size - 1]]
    if existing is not None:
        say(f"size {size}: timing the index in {existing} ...")
        report, build_s = _built(existing, sources), None
    else:
        say(f"size {size}: building the index ...")
        t0 = time.perf_counter()
        report = build_index(sources, index_dir, settings)
        build_s = time.perf_counter() - t0
        if report.skipped:
            raise RuntimeError(f"size {size}: files skipped: {report.skipped[:3]}")

    t0 = time.perf_counter()
    engine = Engine.open(settings=settings)
    open_s = time.perf_counter() - t0
    rss_after_open = rss_mb()
    # Ours first in a block of its own, as a worker runs it: the baselines' 66 s build and ~0.8 M objects are
    # not in memory yet, and no baseline pass runs between our searches.
    say(f"size {size}: timing ours alone, {len(queries)} queries x {repeat} ...")
    alone = pass_summary(time_passes({"ours": engine.search}, queries, k, repeat)["ours"])
    docs = load_documents(sources)
    say(f"size {size}: building the baselines over {len(docs)} documents ...")
    langchain, bigram = LangChainBM25(docs), CharBigramBM25(docs)
    say(f"size {size}: timing {len(queries)} queries x {repeat} ...")
    times = time_passes({"ours": engine.search, "langchain": langchain.search, "bigram": bigram.search},
                        queries, k, repeat)
    systems: dict[str, dict[str, Any]] = {name: pass_summary(p) for name, p in times.items()}
    systems["ours"].update(chunks=report.chunks, build_s=None if build_s is None else round(build_s, 3),
                           open_s=round(open_s, 3))
    for name, b in (("langchain", langchain), ("bigram", bigram)):
        systems[name].update(chunks=len(b.chunks), build_s=round(b.build_ms / 1000.0, 3))
    engine.close()
    del engine, langchain, bigram
    gc.collect()

    say(f"size {size}: memory in a fresh process ...")
    fresh = fresh_process_memory(index_dir, data_dir)
    service = None
    if workers:
        from evals.bench_memory import measure_service

        say(f"size {size}: memory of python -m api --workers {workers} ...")
        service = measure_service(index_dir, workers)
    if existing is None:
        shutil.rmtree(index_dir, ignore_errors=True)
    ours, lc = systems["ours"], systems["langchain"]
    return {
        "size": size,
        "documents": report.documents,
        "characters": sum(len(text) for _, text in docs),
        "systems": systems,
        "ours_alone": alone,
        "ratio_to_langchain": {p: ratio(ours[f"{p}_ms"], lc[f"{p}_ms"]) for p in ("p50", "p95", "mean")},
        "memory_mb": {"process_rss_after_open": rss_after_open, "fresh_process_rss": fresh["after_mb"],
                      "fresh_process_before_open": fresh["before_mb"], "index": fresh["index_mb"],
                      "fresh_process_pss": fresh.get("pss_mb"), "service": service},
    }


def run_benchmark(sizes: Sequence[int] = (1, 10, 100), queries: int | None = None, repeat: int = 3, k: int = 10,
                  seed: int = 0, out_dir: Path | None = DEFAULT_OUT, *, questions: Path = DEFAULT_QUESTIONS,
                  work_dir: Path | None = None, log: Callable[[str], None] | None = None,
                  workers: int = 0, index_dir: Path | None = None) -> dict[str, Any]:
    """Measure every size; write the report files to ``out_dir`` (unless None) and return the results."""
    from evals.distractors import generate

    if not sizes or min(sizes) < 1 or repeat < 1 or k < 1:
        raise ValueError("sizes, --repeat and --k must be >= 1")
    say = log or (lambda msg: None)
    texts = workload(questions, queries)
    own_tmp = work_dir is None
    work = Path(tempfile.mkdtemp(prefix="bench-search-")) if own_tmp else Path(work_dir)  # type: ignore[arg-type]
    work.mkdir(parents=True, exist_ok=True)
    meta = machine_meta(seed=seed, k=k, repeat=repeat, queries=len(texts), questions=str(questions),
                        timed_searches_per_system=len(texts) * repeat)
    t0 = time.perf_counter()
    try:
        preload()
        # Document i depends only on (seed, i), so every size is a prefix of the largest.
        distractors = generate(max(sizes) - 1, work / "distractors", seed=seed) if max(sizes) > 1 else []
        rows = [measure_size(n, distractors, texts, k, repeat, work, say, workers, index_dir)
                for n in sorted(set(sizes))]
    finally:
        if own_tmp:
            shutil.rmtree(work, ignore_errors=True)
    result: dict[str, Any] = {
        "meta": meta | {"wall_s": round(time.perf_counter() - t0, 1)},
        "systems": LABELS,
        "sizes": rows,
    }
    if out_dir is not None:
        write_report(result, Path(out_dir), "bench-search", markdown_table, chart)
    return result


# ------------------------------------------------------------------------------- report


def markdown_table(result: dict[str, Any]) -> str:
    from evals.report import md_table

    meta = result["meta"]
    rows = []
    for r in result["sizes"]:
        s, q = r["systems"], r["ratio_to_langchain"]
        rows.append([
            f"{r['size']}× ({r['documents']} docs, {r['characters'] / 1e6:.2f} M chars)",
            _p50_p95(r.get("ours_alone")),
            *(_p50_p95(s[n]) for n in SYSTEMS),
            f"{q['p50']:.2f} / {q['p95']:.2f}" if q["p50"] is not None and q["p95"] is not None else "—",
            f"{r['memory_mb']['fresh_process_rss']:.0f} (+{r['memory_mb']['index']:.0f})",
            f"{r['memory_mb']['process_rss_after_open']:.0f}",
        ])
    latency = md_table(["corpus size", "ours alone p50 / p95 ms", "ours p50 / p95 ms", "LangChain p50 / p95 ms",
                        "bigram p50 / p95 ms",
                        "ours / LangChain (p50 / p95)", "fresh process RSS MB (+index)", "bench process RSS MB"],
                       rows)
    build_rows = [[f"{r['size']}×", f"{r['systems']['ours']['chunks']:,}", _secs(r['systems']['ours']['build_s']),
                   f"{r['systems']['ours']['open_s']:.2f}", f"{r['systems']['langchain']['chunks']:,}",
                   f"{r['systems']['langchain']['build_s']:.1f}", f"{r['systems']['bigram']['build_s']:.1f}",
                   f"{r['systems']['ours']['mean_ms']:.2f}", f"{r['systems']['langchain']['mean_ms']:.2f}",
                   f"{r['systems']['bigram']['mean_ms']:.2f}"] for r in result["sizes"]]
    service_rows = [[f"{r['size']}×", str(m["workers"]), ", ".join(f"{w['rss']:.0f}" for w in m["per_worker"]),
                     ", ".join(f"{w['pss']:.0f}" for w in m["per_worker"]), f"{m['total_rss']:.0f}",
                     f"{m['total_pss']:.0f}"]
                    for r in result["sizes"] if (m := r["memory_mb"].get("service"))]
    service = md_table(["size", "workers", "RSS per worker MB", "PSS per worker MB", "total RSS MB",
                        "total PSS MB (what the machine gives)"], service_rows) if service_rows else ""
    tail = md_table(["size", "system", "p95 ms per pass", "CPU p95 ms", "steal ms per pass"],
                    [[f"{r['size']}×", label, " · ".join(f"{x:.2f}" for x in t["pass_p95_ms"]),
                      f"{t['cpu_p95_ms']:.2f}", " · ".join("—" if x is None else f"{x:.0f}" for x in t["pass_steal_ms"])]
                     for r in result["sizes"] for label, t in _tails(r) if "pass_p95_ms" in t])
    builds = md_table(["size", "our chunks", "build_index s", "Engine.open s", "baseline chunks",
                       "LangChain build s", "bigram build s", "ours mean ms", "LangChain mean ms", "bigram mean ms"],
                      build_rows)
    return "\n".join([
        f"# Search benchmark — {meta['timestamp']}",
        "",
        f"- **workload**: {meta['queries']} questions from `{Path(meta['questions']).name}`, k={meta['k']}, one "
        f"warm-up pass then {meta['repeat']} timed pass(es) per system ({meta['timed_searches_per_system']} "
        "searches each), systems taking turns",
        "- **ours alone**: our passes first, in a block of their own before the baselines are built (as a worker "
        "runs); the other columns take turns pass by pass in one process holding all three systems",
        "- **size N**: the bundled plan + N-1 full-length distractors (other cities and periods)",
        "- **RSS**: a fresh process after `Engine.open` + one search (in brackets: growth over the same process "
        "before opening); the bench process column also holds the baselines and earlier sizes",
        machine_line(meta),
        "",
        latency,
        "",
        "Where a slow tail comes from: CPU time (every thread of the process) beside the wall time, a gap being "
        "waiting rather than work, and the time the hypervisor took from this machine during each pass:",
        "",
        tail,
        "",
        builds,
        *(["", "`python -m api --workers N` after every worker answered (evals.bench_memory):", "", service]
          if service else []),
    ])


def _p50_p95(s: dict[str, Any] | None) -> str:
    return "—" if s is None else f"{s['p50_ms']:.2f} / {s['p95_ms']:.2f}"


def _tails(row: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    alone = [("ours alone", row["ours_alone"])] if row.get("ours_alone") else []
    return alone + [(LABELS[n], row["systems"][n]) for n in SYSTEMS]


def _secs(s: float | None) -> str:
    return "—" if s is None else f"{s:.1f}"


def _plain_ticks(ax: Any, sizes: list[int]) -> None:
    """The measured sizes as x ticks, written 1, 10, 100 rather than 10^0, 10^1, 10^2."""
    from matplotlib.ticker import FuncFormatter, NullLocator

    ax.set_xticks(sizes)
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{x:g}"))
    if ax.get_yscale() == "log":
        ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _pos: f"{y:g}"))


def chart(result: dict[str, Any], path: Path) -> Path | None:
    """Latency (p50 solid, p95 dashed) vs corpus size on log axes; RSS vs size."""
    plt = pyplot()
    if plt is None:
        return None
    sizes = [r["size"] for r in result["sizes"]]
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    for name, color in zip(SYSTEMS, ("#4C72B0", "#DD8452", "#55A868")):
        for p, style in (("p50", "-"), ("p95", "--")):
            left.plot(sizes, [r["systems"][name][f"{p}_ms"] for r in result["sizes"]], style, marker="o",
                      color=color, label=f"{LABELS[name]} {p}")
    if all(r.get("ours_alone") for r in result["sizes"]):
        for p, style in (("p50", "-"), ("p95", "--")):
            left.plot(sizes, [r["ours_alone"][f"{p}_ms"] for r in result["sizes"]], style, marker=".",
                      color="#8172B3", label=f"ours alone {p}")
    left.set_xscale("log")
    left.set_yscale("log")
    _plain_ticks(left, sizes)
    left.set_xlabel("corpus size (× the bundled plan)")
    left.set_ylabel("search latency (ms)")
    left.set_title("Query latency vs corpus size")
    left.legend(fontsize=7)
    left.grid(True, which="both", alpha=0.3)
    right.plot(sizes, [r["memory_mb"]["fresh_process_rss"] for r in result["sizes"]], marker="o",
               label="fresh process after Engine.open")
    right.plot(sizes, [r["memory_mb"]["index"] for r in result["sizes"]], marker="o", label="of which the index")
    right.set_xscale("log")
    right.set_ylim(bottom=0)
    _plain_ticks(right, sizes)
    right.set_xlabel("corpus size (× the bundled plan)")
    right.set_ylabel("RSS (MB)")
    right.set_title("Memory vs corpus size")
    right.legend(fontsize=8)
    right.grid(True, which="both", alpha=0.3)
    return save_figure(plt, fig, path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m evals.bench_search", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1,10,100", help="corpus sizes, × the bundled plan (default: %(default)s)")
    ap.add_argument("--queries", type=int, help="number of questions from the workload (default: all)")
    ap.add_argument("--repeat", type=int, default=3, help="timed passes over the workload (default: %(default)s)")
    ap.add_argument("--k", type=int, default=10, help="results per search (default: %(default)s)")
    ap.add_argument("--seed", type=int, default=0, help="distractor seed")
    ap.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="report directory (default: %(default)s)")
    ap.add_argument("--work-dir", type=Path, help="keep distractors here instead of a temp dir")
    ap.add_argument("--index-dir", type=Path,
                    help="time this index, built earlier over the plan and N-1 distractors of --seed (N read from "
                         "it, --sizes ignored), instead of building one")
    ap.add_argument("--workers", type=int, default=0,
                    help="also measure `python -m api --workers N` on each index (default: off)")
    args = ap.parse_args(argv)
    try:
        sizes = [manifest_size(args.index_dir)] if args.index_dir else parse_sizes(args.sizes)
    except (ValueError, OSError, KeyError) as e:
        ap.error(str(e))
    if args.repeat < 1 or args.k < 1 or (args.queries is not None and args.queries < 1):
        ap.error("--repeat, --k and --queries must be >= 1")
    result = run_benchmark(sizes, args.queries, args.repeat, args.k, args.seed, args.out, questions=args.questions,
                           work_dir=args.work_dir, log=lambda msg: print(msg, file=sys.stderr, flush=True),
                           workers=args.workers, index_dir=args.index_dir)
    print(markdown_table(result))
    print(f"\nwrote {', '.join(result['files'].values())}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
