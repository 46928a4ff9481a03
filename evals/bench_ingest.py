"""Ingest benchmark: how fast a corpus of N plan-like documents is indexed, updated and how big the index is.

``python -m evals.bench_ingest [--docs 1000] [--seed 0] [--out evals/reports] [--chars-per-doc 1500]
[--repeat 1] [--repeat-noop 3]``

The documents are distractors (``evals.distractors``: the 景德镇 plan rewritten for other cities and periods),
cut down to about ``--chars-per-doc`` characters each (a generated distractor is ~18,000 characters): the
notice header, one 专栏 indicator table with its section heading, and running text up to the budget.

Measured, each as the median of its repeats:

* parse only: ``ingest.load.load_file`` + ``ingest.document.parse_text`` over all files, in-process, no index:
  the baseline that shows what indexing adds;
* cold build: ``build_index`` into a fresh temporary index (documents/s, characters/s, counts);
* no-op re-ingest: the same files again (nothing changed);
* update: 1% of the files edited (a sentence appended), then rebuilt;
* index size on disk per component: records (*.jsonl), lexical/, dense/, chroma/ and the parse cache.

Writes ``bench-ingest-<timestamp>.md``, ``.json`` and ``.png`` to ``--out`` and prints the Markdown table.
"""
from __future__ import annotations

import argparse
import math
import random
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from evals.bench_common import machine_line, machine_meta, median, pyplot, write_report, save_figure

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "reports"

_HEADING = re.compile(r"^[一二三四五六七八九十]+、")
_MB = 1024 * 1024


# ------------------------------------------------------------------------------- corpus


def _is_heading(block: str) -> bool:
    return bool(_HEADING.match(block)) and "\t" not in block and "\n" not in block and len(block) <= 40


def _cut(block: str, budget: int) -> str:
    """``block`` cut after its last full sentence within ``budget`` characters ('' if none fits)."""
    if len(block) <= budget:
        return block
    end = block.rfind("。", 0, budget)
    return block[: end + 1] if end > 0 else ""


def compose(text: str, chars: int, rng: random.Random) -> str:
    """A ~``chars``-character document from a distractor: header, one 专栏 table, running text.

    The header keeps the issuers, 文号, the "关于印发《…》的通知" title and the date (long paragraphs are cut);
    the table is one of the document's 专栏 tables (caption + TAB rows) with the heading of its section.
    """
    blocks = [b.strip("\n") for b in re.split(r"\n[ \t]*\n", text) if b.strip()]
    first = next(i for i, b in enumerate(blocks) if _is_heading(b))
    tables = [i for i in range(len(blocks) - 1) if blocks[i].startswith("专栏") and "\t" in blocks[i + 1]]
    if not tables:
        raise ValueError("the source document has no 专栏 table")
    t = rng.choice(tables)
    section = max(i for i in range(t) if _is_heading(blocks[i]))

    header = [c for c in (_cut(b, 120) for b in blocks[:first]) if c]
    size = sum(len(b) + 2 for b in (*header, blocks[section], blocks[t], blocks[t + 1]))
    keep: list[tuple[int, str]] = []
    for i in range(section + 1, len(blocks)):
        if i in (t, t + 1) or "\t" in blocks[i] or blocks[i].startswith("专栏"):
            continue
        room = chars - size
        if room < 30:
            break
        piece = blocks[i] if _is_heading(blocks[i]) else _cut(blocks[i], room)
        if not piece or (_is_heading(piece) and room < 80):
            continue
        keep.append((i, piece))
        size += len(piece) + 2
    # Running text of the table's section goes before the table; the rest after it, in document order.
    before = [p for i, p in keep if i < t]
    after = [p for i, p in keep if i > t + 1]
    body = [blocks[section], *before, blocks[t], blocks[t + 1], *after]
    return "\n\n".join(header + body) + "\n"


def make_corpus(n: int, out_dir: Path, seed: int = 0, chars_per_doc: int = 1500) -> dict[str, Any]:
    """Write ``n`` composed distractors to ``out_dir``; sizes before and after composing."""
    from evals.distractors import generate

    raw_dir = out_dir.parent / (out_dir.name + "-full")
    full = generate(n, raw_dir, seed=seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    generated = composed = 0
    paths = []
    for i, path in enumerate(full):
        text = path.read_text(encoding="utf-8")
        generated += len(text)
        doc = compose(text, chars_per_doc, random.Random(f"bench:{seed}:{i}")) if chars_per_doc > 0 else text
        composed += len(doc)
        target = out_dir / path.name
        target.write_text(doc, encoding="utf-8")
        paths.append(target)
    shutil.rmtree(raw_dir, ignore_errors=True)
    return {"paths": paths, "generated_characters": generated, "characters": composed}


# ------------------------------------------------------------------------------- measurements


def _dir_bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def index_sizes(index_dir: Path) -> dict[str, float]:
    """MB on disk of the served generation's components, the parse cache and the whole index dir."""
    from index import store

    gen = store.require_generation(index_dir)
    records = sum(p.stat().st_size for p in gen.iterdir() if p.is_file())  # *.jsonl + manifest.json
    sizes = {
        "records": records,
        "lexical": _dir_bytes(gen / "lexical"),
        "dense": _dir_bytes(gen / "dense"),
        "chroma": _dir_bytes(gen / "chroma"),
        "cache": _dir_bytes(index_dir / "cache"),
    }
    sizes["total"] = sum(sizes.values())
    sizes["index_dir"] = _dir_bytes(index_dir)  # includes the previous generation kept after an update
    return {k: round(v / _MB, 3) for k, v in sizes.items()}


@contextmanager
def _counting_parses() -> Iterator[list[str]]:
    """Count parse_text calls made by the pipeline (the parser itself still runs)."""
    from index import pipeline

    calls: list[str] = []
    real = pipeline.parse_text

    def counting(raw: str, source: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(source)
        return real(raw, source, *args, **kwargs)

    pipeline.parse_text = counting  # type: ignore[assignment]
    try:
        yield calls
    finally:
        pipeline.parse_text = real  # type: ignore[assignment]


def parse_only(paths: list[Path], root: Path, chunk_size: int) -> tuple[float, dict[str, int]]:
    """Seconds to load and parse every file without indexing, and what the parse produced."""
    from ingest.document import parse_text
    from ingest.load import load_file

    counts = {"documents": 0, "sections": 0, "chunks": 0, "indicators": 0, "figures": 0}
    t0 = time.perf_counter()
    for path in paths:
        loaded = load_file(path, root=root)
        doc = parse_text(loaded.text, loaded.source, None, chunk_size)
        counts["documents"] += 1
        for k in ("sections", "chunks", "indicators", "figures"):
            counts[k] += len(getattr(doc, k))
    return time.perf_counter() - t0, counts


SHARED = HERE.parent / ".." / "shared" / "corpora"


def real_files(shared: Path = SHARED) -> list[tuple[Path, Path]]:
    """(file, root) for the 599 NCPQA texts and the 27 saved pages; empty when ../shared is absent."""
    out: list[tuple[Path, Path]] = []
    for sub, pattern in (("ncpqa/corpus", "*.txt"), ("guangzhou", "*.html")):
        root = shared / sub
        out += [(p, root) for p in sorted(root.glob(pattern))] if root.is_dir() else []
    return out


def _parse_real(files: list[tuple[Path, Path]], chunk_size: int) -> tuple[float, int]:
    from ingest.document import parse_text
    from ingest.errors import IngestError
    from ingest.load import load_file

    t0, done = time.perf_counter(), 0
    for path, root in files:
        try:
            loaded = load_file(path, root=root)
        except IngestError:
            continue
        hints = getattr(loaded, "meta", None)  # the same code measures versions without page metadata
        parse_text(loaded.text, loaded.source, None, chunk_size, **({"hints": hints} if hints is not None else {}))
        done += 1
    return time.perf_counter() - t0, done


def run_real(shared: Path = SHARED, repeat: int = 3, chunk_size: int = 400) -> dict[str, Any] | None:
    """Parse-only (median of ``repeat``) and one cold build over the real documents; None without them."""
    from core.settings import load_settings
    from index.pipeline import build_index

    files = real_files(shared)
    if not files:
        return None
    runs = [_parse_real(files, chunk_size) for _ in range(repeat)]
    parse_s = median([r[0] for r in runs])
    with tempfile.TemporaryDirectory(prefix="bench-real-") as tmp:
        settings = load_settings(index_dir=Path(tmp) / "index", data_dir=Path(tmp) / "data", chunk_size=chunk_size)
        roots = sorted({root for _, root in files})
        build_s, report = _timed(lambda: build_index(roots, settings.index_dir, settings))
    return {"files": len(files), "parsed": runs[0][1], "parse_s": round(parse_s, 3),
            "parse_docs_per_s": _rate(runs[0][1], parse_s), "build_s": round(build_s, 3),
            "build_docs_per_s": _rate(report.documents, build_s), "indexed": report.documents,
            "chunks": report.chunks, "skipped": len(report.skipped), "machine": machine_line(machine_meta())}


def real_table(r: dict[str, Any]) -> str:
    return "\n".join([
        f"real documents: {r['files']} files (NCPQA texts + saved pages), {r['machine']}",
        "| stage | seconds | documents/s | documents |", "| --- | ---: | ---: | ---: |",
        f"| parse only (median) | {r['parse_s']:.2f} | {r['parse_docs_per_s']:.1f} | {r['parsed']} |",
        f"| cold build | {r['build_s']:.2f} | {r['build_docs_per_s']:.1f} | {r['indexed']} ({r['chunks']} chunks, "
        f"{r['skipped']} skipped) |",
    ])


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def _rate(count: float, seconds: float) -> float:
    return round(count / seconds, 1) if seconds > 0 else 0.0


def run_benchmark(n_docs: int = 1000, seed: int = 0, out_dir: Path | None = DEFAULT_OUT, *, chars_per_doc: int = 1500,
                  repeat: int = 1, repeat_noop: int = 3, touch_fraction: float = 0.01, work_dir: Path | None = None,
                  log: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Run every measurement; write the report files to ``out_dir`` (unless None) and return the results."""
    from core.settings import load_settings
    from index.pipeline import build_index

    if n_docs < 1:
        raise ValueError("--docs must be >= 1")
    if repeat < 1 or repeat_noop < 1:
        raise ValueError("--repeat and --repeat-noop must be >= 1")
    say = log or (lambda msg: None)
    own_tmp = work_dir is None
    work = Path(tempfile.mkdtemp(prefix="bench-ingest-")) if own_tmp else Path(work_dir)  # type: ignore[arg-type]
    work.mkdir(parents=True, exist_ok=True)
    try:
        docs = work / "docs"
        say(f"generating {n_docs} documents ...")
        corpus = make_corpus(n_docs, docs, seed=seed, chars_per_doc=chars_per_doc)
        paths: list[Path] = corpus["paths"]
        chars = corpus["characters"]
        index_dir = work / "index"
        settings = load_settings(index_dir=index_dir, data_dir=work / "data")

        say("parse only ...")
        parse_runs, parsed_counts = [], {}
        for _ in range(repeat):
            seconds, parsed_counts = parse_only(paths, docs, settings.chunk_size)
            parse_runs.append(seconds)

        cold_runs, report = [], None
        for r in range(repeat):
            say(f"cold build {r + 1}/{repeat} ...")
            shutil.rmtree(index_dir, ignore_errors=True)
            seconds, report = _timed(lambda: build_index([docs], index_dir, settings))
            cold_runs.append(seconds)
            if report.documents != n_docs or report.skipped:
                raise RuntimeError(f"cold build indexed {report.documents}/{n_docs} documents; skipped: "
                                   f"{report.skipped[:3]}")
        assert report is not None
        sizes = index_sizes(index_dir)

        say("no-op re-ingest ...")
        noop_runs = []
        for _ in range(repeat_noop):
            seconds, again = _timed(lambda: build_index([docs], index_dir, settings))
            if not again.unchanged:
                raise RuntimeError("re-ingesting unchanged files rebuilt the index")
            noop_runs.append(seconds)

        n_touch = max(1, math.ceil(len(paths) * touch_fraction))
        touch_runs, reparsed = [], []
        rng = random.Random(f"bench-touch:{seed}")
        for r in range(repeat):
            say(f"update of {n_touch} file(s) {r + 1}/{repeat} ...")
            for path in rng.sample(paths, n_touch):
                with open(path, "a", encoding="utf-8") as f:
                    f.write(f"\n本规划由市人力资源和社会保障局负责解释（第{r + 1}次修订）。\n")
            with _counting_parses() as calls:
                seconds, updated = _timed(lambda: build_index([docs], index_dir, settings))
            if updated.unchanged or updated.documents != n_docs:
                raise RuntimeError("the update did not rebuild the index")
            touch_runs.append(seconds)
            reparsed.append(len(calls))
        sizes["index_dir_after_updates"] = index_sizes(index_dir)["index_dir"]

        cold = median(cold_runs)
        parse = median(parse_runs)
        result: dict[str, Any] = {
            "meta": machine_meta(seed=seed, chunk_size=settings.chunk_size,
                                 embedder=settings.embedding_model or f"lsa-{settings.lsa_dims}",
                                 repeat=repeat, repeat_noop=repeat_noop),
            "corpus": {
                "documents": n_docs,
                "characters": chars,
                "characters_per_document": round(chars / n_docs, 1),
                "generated_characters": corpus["generated_characters"],
                "generated_characters_per_document": round(corpus["generated_characters"] / n_docs, 1),
                "chars_per_doc_target": chars_per_doc,
            },
            "parse_only": {
                "seconds": round(parse, 3), "runs": [round(x, 3) for x in parse_runs],
                "documents_per_s": _rate(n_docs, parse), "characters_per_s": _rate(chars, parse),
                **parsed_counts,
            },
            "cold_build": {
                "seconds": round(cold, 3), "runs": [round(x, 3) for x in cold_runs],
                "documents_per_s": _rate(n_docs, cold), "characters_per_s": _rate(chars, cold),
                "documents": report.documents, "sections": report.sections, "chunks": report.chunks,
                "indicators": report.indicators, "figures": report.figures,
                "indexing_seconds": round(cold - parse, 3),
                "ratio_to_parse_only": round(cold / parse, 2) if parse > 0 else None,
            },
            "noop": {"seconds": round(median(noop_runs), 4), "runs": [round(x, 4) for x in noop_runs]},
            "update": {
                "files": n_touch, "fraction": touch_fraction,
                "seconds": round(median(touch_runs), 3), "runs": [round(x, 3) for x in touch_runs],
                "reparsed": reparsed,
                "ratio_to_cold_build": round(median(touch_runs) / cold, 3) if cold > 0 else None,
            },
            "size_mb": sizes,
        }
    finally:
        if own_tmp:
            shutil.rmtree(work, ignore_errors=True)
    if out_dir is not None:
        write_report(result, Path(out_dir), "bench-ingest", markdown_table, chart)
    return result


# ------------------------------------------------------------------------------- report


def markdown_table(result: dict[str, Any]) -> str:
    from evals.report import md_table

    c, p, cb, no, up, sz = (result[k] for k in ("corpus", "parse_only", "cold_build", "noop", "update", "size_mb"))
    runs = lambda d: ", ".join(f"{x:g}" for x in d["runs"])  # noqa: E731
    rows = [
        ["parse only (load + parse_text, no index)", f"{p['seconds']:.2f}", f"{p['documents_per_s']:.1f}",
         f"{p['characters_per_s']:,.0f}", runs(p)],
        ["cold build (build_index, fresh index)", f"{cb['seconds']:.2f}", f"{cb['documents_per_s']:.1f}",
         f"{cb['characters_per_s']:,.0f}", runs(cb)],
        ["no-op re-ingest", f"{no['seconds']:.3f}", "", "", runs(no)],
        [f"update: {up['files']} file(s) changed ({100 * up['fraction']:g}%)", f"{up['seconds']:.2f}", "", "",
         runs(up)],
    ]
    speed = md_table(["measurement", "seconds (median)", "documents/s", "characters/s", "runs (s)"], rows)
    size_rows = [[k, f"{sz[k]:.2f}"] for k in ("records", "lexical", "dense", "chroma", "cache", "total")]
    size_rows.append(["index dir after updates (incl. previous generation)", f"{sz['index_dir_after_updates']:.2f}"])
    sizes = md_table(["index component", "MB"], size_rows)
    ratio = cb["ratio_to_parse_only"]
    lines = [
        f"# Ingest benchmark — {result['meta']['timestamp']}",
        "",
        f"- **corpus**: {c['documents']} documents, {c['characters']:,} characters "
        f"({c['characters_per_document']:,.0f} per document; generated distractors were "
        f"{c['generated_characters_per_document']:,.0f} per document before composing)",
        f"- **index**: {cb['sections']:,} sections, {cb['chunks']:,} chunks, {cb['indicators']:,} indicators, "
        f"{cb['figures']:,} figures; embedder {result['meta']['embedder']}, chunk size {result['meta']['chunk_size']}",
        f"- **indexing adds**: {cb['indexing_seconds']:.2f}s to {p['seconds']:.2f}s of parsing "
        f"(cold build = {ratio}× parse only)" if ratio else "",
        f"- **update**: re-parsed {up['reparsed']} file(s); {up['ratio_to_cold_build']}× the cold build time",
        machine_line(result["meta"]),
        "",
        speed,
        "",
        sizes,
    ]
    return "\n".join(line for line in lines if line is not None)


def chart(result: dict[str, Any], path: Path) -> Path | None:
    """Two bar charts: seconds per measurement, MB per index component."""
    plt = pyplot()
    if plt is None:
        return None
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    labels = ["parse only", "cold build", f"update {result['update']['files']} file(s)", "no-op"]
    secs = [result["parse_only"]["seconds"], result["cold_build"]["seconds"], result["update"]["seconds"],
            result["noop"]["seconds"]]
    bars = left.bar(labels, secs, color=["#8172B3", "#4C72B0", "#DD8452", "#55A868"])
    left.bar_label(bars, fmt="%.2f s", fontsize=8)
    left.set_ylabel("seconds (median)")
    left.set_title(f"Ingest of {result['corpus']['documents']} documents "
                   f"({result['corpus']['characters'] / 1e6:.2f} M characters)")
    left.tick_params(axis="x", labelsize=8)
    parts = ["records", "lexical", "dense", "chroma", "cache"]
    bars = right.bar(parts, [result["size_mb"][k] for k in parts], color="#4C72B0")
    right.bar_label(bars, fmt="%.1f", fontsize=8)
    right.set_ylabel("MB")
    right.set_title(f"Index size on disk ({result['size_mb']['total']:.1f} MB)")
    return save_figure(plt, fig, path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m evals.bench_ingest", description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=1000, help="number of documents (default: %(default)s)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="report directory (default: %(default)s)")
    ap.add_argument("--chars-per-doc", type=int, default=1500,
                    help="compose each document to about this many characters; 0 keeps the full distractors")
    ap.add_argument("--repeat", type=int, default=1, help="runs of parse-only, cold build and update (median)")
    ap.add_argument("--repeat-noop", type=int, default=3, help="runs of the no-op re-ingest (median)")
    ap.add_argument("--work-dir", type=Path, help="keep documents and index here instead of a temp dir")
    ap.add_argument("--real", action="store_true",
                    help="instead: ingest the real documents in ../shared/corpora (NCPQA texts + saved pages)")
    ap.add_argument("--shared", type=Path, default=SHARED, help="corpora folder for --real (default: %(default)s)")
    args = ap.parse_args(argv)
    if args.real:
        real = run_real(args.shared, repeat=max(args.repeat, 3))
        print(real_table(real) if real else f"no real documents under {args.shared.resolve()}; nothing measured")
        return 0
    if args.docs < 1 or args.repeat < 1 or args.repeat_noop < 1:
        ap.error("--docs, --repeat and --repeat-noop must be >= 1")
    result = run_benchmark(args.docs, args.seed, args.out, chars_per_doc=args.chars_per_doc, repeat=args.repeat,
                           repeat_noop=args.repeat_noop, work_dir=args.work_dir,
                           log=lambda msg: print(msg, file=sys.stderr, flush=True))
    print(markdown_table(result))
    print(f"\nwrote {', '.join(result['files'].values())}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
