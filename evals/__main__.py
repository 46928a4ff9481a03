"""``python -m evals``: run a question file against the assistant and report.

Exit codes: 0 ok, 1 a metric fell below its floor (``--smoke``), 2 bad input (question
file, floor file, options).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from evals import report
from evals.clients import Client, HttpClient, InProcessClient
from evals.corpora import CorpusMissing
from evals.harness import SPLITS, QuestionFileError, filter_kinds, filter_split, load_questions, run
from evals.metrics import summarize_by_kind

HERE = Path(__file__).resolve().parent
DEFAULT_QUESTIONS = HERE / "questions" / "plan.jsonl"
DEFAULT_FLOOR = HERE / "floor.json"
DEFAULT_REPORTS = HERE / "reports"
DENSE_BUDGET_ENV = "POLICY_DENSE_BUDGET_MS"


class UsageError(Exception):
    """Bad input the user can fix; printed without a traceback, exit code 2."""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m evals", description="Run a question file against the policy assistant and report the metrics.")
    p.add_argument("--questions", type=Path, help=f"JSONL question file (default: the corpus set's, else {DEFAULT_QUESTIONS})")
    p.add_argument("--corpus", help="named corpus set of evals/corpora.toml (plan, ncpqa, guangzhou, mixed): "
                   "build (once, cached) and score its index")
    p.add_argument("--region", help="deployment region to serve the index with (default: the set's, else the profile's)")
    p.add_argument("--serve", action="store_true", help="start a local server on the index and score it over HTTP")
    p.add_argument("--base-url", help="score a running server, e.g. http://127.0.0.1:8000 (default: in-process)")
    p.add_argument("--index-dir", type=Path, help="index for in-process runs (default: POLICY_INDEX_DIR / data/index)")
    p.add_argument("--smoke", action="store_true", help="fail (exit 1) below the floors in --floor; no chart")
    p.add_argument("--floor", type=Path, default=DEFAULT_FLOOR, help="floors for --smoke (default: %(default)s)")
    p.add_argument("--distractors", type=int, default=0, metavar="N", help="add N generated distractor documents (index cached like --corpus)")
    p.add_argument("--baselines", action="store_true", help="also score BM25 baselines on the same documents")
    p.add_argument("--report-dir", type=Path, help=f"where reports go (default: {DEFAULT_REPORTS})")
    p.add_argument("--kinds", help="comma-separated kinds to run (default: all)")
    p.add_argument("--split", choices=SPLITS, default="all",
                   help="dev: the four fifths to tune on; blind: the fifth whose id's sha1 is divisible by 5, "
                        "to report only (default: %(default)s)")
    p.add_argument("--dense-budget-ms", type=float, metavar="MS",
                   help="POLICY_DENSE_BUDGET_MS for the scored service (default: the env var, else 0 = always wait "
                        "for the query embedding, so a busy machine cannot change the scores)")
    a = p.parse_args(argv)
    if a.distractors < 0:
        p.error("--distractors must be >= 0")
    if a.distractors and (a.base_url or a.index_dir):
        p.error("--distractors builds (and caches) its own index; drop --base-url / --index-dir")
    if a.base_url and a.index_dir:
        p.error("--index-dir is for in-process runs; it cannot be combined with --base-url")
    if a.corpus and a.index_dir:
        p.error("--corpus builds and caches its own index; drop --index-dir")
    if a.serve and a.base_url:
        p.error("--serve starts its own server; drop --base-url")
    if a.region and a.base_url:
        p.error("--region cannot change a running server; start it with POLICY_DEFAULT_REGION instead")
    if a.dense_budget_ms is not None and (a.base_url or not 0 <= a.dense_budget_ms <= 60000):
        p.error("--dense-budget-ms takes 0..60000 and cannot change a running server (--base-url); "
                "start that server with POLICY_DENSE_BUDGET_MS instead")
    return a


def load_floor(path: Path) -> dict[str, float]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise UsageError(f"floor file {path}: {e}") from None
    if not isinstance(data, dict) or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in data.values()):
        raise UsageError(f'floor file {path}: expected {{"metric": number, ...}}, e.g. {{"answer_accuracy": 0.6}}')
    return {str(k): float(v) for k, v in data.items()}


def check_floor(overall: dict[str, Any], floor: dict[str, float]) -> list[str]:
    """Messages for every metric below its floor (empty when all pass)."""
    failures: list[str] = []
    for key, minimum in floor.items():
        if key not in overall:
            raise UsageError(f"floor names unknown metric {key!r}; known: {', '.join(sorted(overall))}")
        value = overall[key]
        if value is None:
            # Unmeasured only fails a real floor: a --kinds filter may leave no question for it.
            if minimum > 0:
                failures.append(f"{key} was not measured (no question scored for it), floor is {minimum:g}")
        elif value < minimum:
            failures.append(f"{key} = {value:.4f} is below the floor {minimum:g}")
    return failures


def corpus_dir() -> Path:
    from core.settings import get_settings

    return get_settings().corpus_dir


def git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True, text=True, timeout=5)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _progress(i: int, n: int) -> None:
    if sys.stderr.isatty():
        print(f"\r  {i}/{n} questions", end="" if i < n else "\n", file=sys.stderr, flush=True)


def _settings(region: str | None) -> Any:
    from core.settings import ConfigError, load_settings

    try:
        return load_settings(**({"default_region": region} if region else {}))
    except ConfigError as e:
        raise UsageError(str(e)) from None


def _target_index(args: argparse.Namespace, settings: Any) -> tuple[Path | None, list[Path], str]:
    """(index to score, the sources it is built from, a label for the index) for these options."""
    from dataclasses import replace

    from evals.corpora import CorpusSet, cache_root, ensure_index, get_corpus

    if not args.corpus and not args.distractors:
        return args.index_dir, [corpus_dir()], "index " + str(args.index_dir or "(default)")
    try:
        corpus = get_corpus(args.corpus) if args.corpus else CorpusSet("plan", (corpus_dir(),))
    except KeyError as e:
        raise UsageError(str(e.args[0])) from None
    if args.distractors:
        from evals.distractors import generate

        # The generator is seeded, so the same files come back and the cached index stays valid.
        extra = map(Path, generate(args.distractors, cache_root() / f"distractors-{args.distractors}", seed=0))
        corpus = replace(corpus, name=f"{corpus.name}+{args.distractors}distractors",
                         sources=(*corpus.sources, *extra))
    return ensure_index(corpus, settings), list(corpus.sources), corpus.name


def open_target(args: argparse.Namespace, stack: ExitStack) -> tuple[Client, list[Path]]:
    """The client to score and the sources its index was built from (for the baselines)."""
    if args.base_url:
        return HttpClient(args.base_url), [corpus_dir()]
    region = args.region or _corpus_region(args)
    settings = _settings(region)
    index_dir, sources, label = _target_index(args, settings)
    args.index_label = label + (f", region {settings.default_region}" if args.corpus or args.region else "")
    if args.serve:
        from evals.serve import LocalServer

        index_dir = index_dir or settings.index_dir
        return HttpClient(stack.enter_context(LocalServer(index_dir, region))), sources
    return InProcessClient(index_dir, settings), sources


def _corpus_region(args: argparse.Namespace) -> str | None:
    if not args.corpus:
        return None
    from evals.corpora import get_corpus

    try:
        return get_corpus(args.corpus).region
    except KeyError as e:
        raise UsageError(str(e.args[0])) from None


def main(argv: list[str] | None = None, client: Client | None = None) -> int:
    """Run the evals; ``client`` replaces the one the options would open (tests pass a fake)."""
    args = parse_args(argv)
    try:
        return _main(args, client)
    except QuestionFileError as e:
        print(f"question file error: {e}", file=sys.stderr)
    except UsageError as e:
        print(f"error: {e}", file=sys.stderr)
    except CorpusMissing as e:
        print(f"skipped: {e}", file=sys.stderr)
        return 0
    return 2


def _question_file(args: argparse.Namespace) -> Path:
    if args.questions:
        return Path(args.questions)
    if args.corpus:
        from evals.corpora import get_corpus

        try:
            default = get_corpus(args.corpus).questions
        except KeyError as e:
            raise UsageError(str(e.args[0])) from None
        if default is None:
            raise UsageError(f"corpus set {args.corpus!r} has no default question file; pass --questions")
        if not default.exists():
            raise CorpusMissing(f"question file {default} is absent")
        return default
    return DEFAULT_QUESTIONS


def pin_dense_budget(args: argparse.Namespace) -> str | None:
    """Set POLICY_DENSE_BUDGET_MS for the service this run scores; returns it (None for a running server).

    Quality is scored with the query embedding always awaited (0) unless asked otherwise: under the
    serving default a loaded machine answers some questions lexically, and runs stop being comparable.
    """
    if args.base_url:
        return os.environ.get(DENSE_BUDGET_ENV)
    if args.dense_budget_ms is not None:
        os.environ[DENSE_BUDGET_ENV] = f"{args.dense_budget_ms:g}"
    return os.environ.setdefault(DENSE_BUDGET_ENV, "0")


def collect(args: argparse.Namespace, client: Client | None = None) -> tuple[dict[str, Any], list[Any], list[Any]]:
    """Run the options' questions (and baselines): (result, outcomes, questions). Used by ``evals.table`` too."""
    args.questions = _question_file(args)
    budget = pin_dense_budget(args)
    args.index_label = ""
    questions = load_questions(args.questions)
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()] if args.kinds else None
    questions = filter_kinds(filter_split(questions, args.split), kinds)
    if not questions:
        raise UsageError(f"no questions of kinds {kinds} and split {args.split} in {args.questions}")
    t0 = time.perf_counter()
    with ExitStack() as stack:
        sources: list[Path] = []
        if client is None:
            client, sources = open_target(args, stack)
            stack.callback(client.close)
        outcomes = run(client, questions, _progress)
        result: dict[str, Any] = summarize_by_kind(outcomes)
        result["meta"] = {
            "questions": str(args.questions),
            "target": client.describe() + (f" (corpus + {args.distractors} distractors)" if args.distractors else ""),
            "set": _set_label(Path(args.questions)) + ("" if args.split == "all" else f" {args.split}"),
            "index": args.index_label or (args.corpus or "served index"),
            "via": "HTTP" if isinstance(client, HttpClient) else "in-process",
            "kinds": ",".join(kinds) if kinds else "all",
            "dense budget ms": budget if budget is not None else "the server's",
            "commit": git_commit(),
        }
        late = _dense_late(client)
        if late is not None:
            result["meta"]["searches past the dense budget"] = late
        if args.baselines:
            _baselines(result, questions, sources or [corpus_dir()], args.corpus)
    result["meta"]["wall time"] = f"{time.perf_counter() - t0:.1f}s"
    return result, outcomes, questions


def _dense_late(client: Client) -> int | None:
    """In-process: how many searches the dense budget answered lexically (under a budget > 0)."""
    engine = getattr(client, "engine", None)
    retriever = getattr(getattr(engine, "generation", None), "retriever", None)
    late = getattr(retriever, "dense_late", None)
    return late if isinstance(late, int) else None


def _set_label(path: Path) -> str:
    """``plan``, ``guangzhou_blind``; a generic file name takes its folder's (``ncpqa/questions.jsonl`` → ``ncpqa``)."""
    return path.parent.name if path.stem in ("questions", "dev", "test") else path.stem


def _baselines(result: dict[str, Any], questions: list[Any], sources: list[Path], corpus: str | None) -> None:
    from evals import baselines

    docs = baselines.load_documents(sources)
    # On the real corpora the two baselines of issue 11; on the plan also the older LangChain/rank_bm25 pair.
    systems = baselines.REAL_SYSTEMS if corpus not in (None, "plan") else baselines.DEFAULT_SYSTEMS
    result["baselines"] = baselines.evaluate(docs, questions, systems)
    result["meta"]["baseline documents"] = len(docs)
    ref = next((b for b in result["baselines"] if b["name"] == baselines.LangChainBM25.name), result["baselines"][0])
    ours, lc = result["overall"].get("search_p95_ms"), ref["metrics"].get("search_p95_ms")
    result["speed_ratio"] = ours / lc if ours is not None and lc else None
    result["speed_ratio_vs"] = ref["name"]


def _main(args: argparse.Namespace, client: Client | None) -> int:
    floor = load_floor(args.floor) if args.smoke else {}
    result, outcomes, _ = collect(args, client)
    print(report.console(result))
    if not args.smoke or args.report_dir:
        md = report.write(result, outcomes, args.report_dir or DEFAULT_REPORTS, with_chart=not args.smoke)
        print(f"\nreport: {md}\nmetrics: {md.with_suffix('.json')}")
    failures = check_floor(result["overall"], floor)
    for f in failures:
        print(f"FLOOR: {f} ({args.floor})", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
