"""``python -m evals.table``: the issue's "Done when" table, every setting in one run, with baseline rows.

Each row runs ``python -m evals --corpus SET --questions FILE`` in-process (and, with ``--http``, again
over HTTP against a local server on the same cached index). Sets whose files are absent are skipped
with a message. ``--blind`` adds the held-out Guangzhou file: reported, never tuned on.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from evals.corpora import QUESTIONS, CorpusMissing, get_corpus
from evals.harness import QuestionFileError

# (corpus set, question file or None for the set's own)
SETTINGS: list[tuple[str, Path | None]] = [
    ("ncpqa", None),
    ("mixed", None),
    ("guangzhou", None),
    ("plan", QUESTIONS / "plan.jsonl"),
    ("plan", QUESTIONS / "heldout.jsonl"),
]
BLIND = ("guangzhou", QUESTIONS / "guangzhou_blind.jsonl")


def _argv(corpus: str, questions: Path | None, http: bool, baselines: bool) -> list[str]:
    argv = ["--corpus", corpus]
    if questions:
        argv += ["--questions", str(questions)]
    return argv + (["--serve"] if http else []) + (["--baselines"] if baselines else [])


def rows_for(corpus: str, questions: Path | None, http: bool, baselines: bool) -> list[list[str]]:
    from evals.__main__ import collect, parse_args
    from evals.report import summary_rows

    args = parse_args(_argv(corpus, questions, http, baselines))
    result, _, _ = collect(args)
    return summary_rows(result)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m evals.table", description=__doc__.split("\n\n")[0])
    p.add_argument("--http", action="store_true", help="also score each setting over HTTP (a local server)")
    p.add_argument("--no-baselines", action="store_true", help="skip the baseline rows")
    p.add_argument("--blind", action="store_true", help="also report the held-out Guangzhou questions")
    p.add_argument("--markdown", action="store_true", help="print a Markdown table")
    p.add_argument("--only", help="comma-separated corpus sets to run (default: all)")
    a = p.parse_args(argv)
    from evals.report import summary_table

    wanted = set(a.only.split(",")) if a.only else None
    rows: list[list[str]] = []
    for corpus, questions in SETTINGS + ([BLIND] if a.blind else []):
        if wanted and corpus not in wanted:
            continue
        try:
            get_corpus(corpus).require()
            rows += rows_for(corpus, questions, False, not a.no_baselines)
            if a.http:
                rows += rows_for(corpus, questions, True, False)
        except (CorpusMissing, QuestionFileError) as e:
            print(f"skipped {corpus} {questions or ''}: {e}", file=sys.stderr)
    print(summary_table(rows, markdown=a.markdown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
