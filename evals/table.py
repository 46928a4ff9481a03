"""``python -m evals.table``: the issue's "Done when" table, every setting in one run, with baseline rows.

Each row runs ``python -m evals --corpus SET --questions FILE`` in-process (and, with ``--http``, again
over HTTP against a local server on the same cached index). Sets whose files are absent are skipped
with a message. NCPQA rows score its dev split; ``--blind`` adds the held-out files and NCPQA's blind fifth: reported,
never tuned on.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from evals.corpora import QUESTIONS, CorpusMissing, get_corpus
from evals.harness import QuestionFileError

# (corpus set, question file or None for the set's own, split of that file)
Setting = tuple[str, Path | None, str]
SETTINGS: list[Setting] = [
    ("ncpqa", None, "dev"),
    ("mixed", None, "dev"),
    ("guangzhou", None, "all"),
    ("guangzhou", QUESTIONS / "guangzhou_dev2.jsonl", "all"),
    ("ncpqa", QUESTIONS / "ncpqa_citizen_dev.jsonl", "all"),
    ("ncpqa", QUESTIONS / "ncpqa_citizen_dev2.jsonl", "all"),
    ("ncpqa", QUESTIONS / "ncpqa_citizen_dev3.jsonl", "all"),
    ("plan", QUESTIONS / "plan.jsonl", "all"),
    ("plan", QUESTIONS / "heldout.jsonl", "all"),
]
# Reported, never tuned on; a file that is absent is skipped with a message.
BLIND: list[Setting] = [
    ("ncpqa", None, "blind"),
    ("guangzhou", QUESTIONS / "guangzhou_blind.jsonl", "all"),
    ("guangzhou", QUESTIONS / "guangzhou_fresh.jsonl", "all"),
    ("ncpqa", QUESTIONS / "ncpqa_citizen.jsonl", "all"),
    ("ncpqa", QUESTIONS / "ncpqa_citizen_blind2.jsonl", "all"),
]


def _argv(corpus: str, questions: Path | None, split: str, http: bool, baselines: bool) -> list[str]:
    argv = ["--corpus", corpus, "--split", split]
    if questions:
        argv += ["--questions", str(questions)]
    return argv + (["--serve"] if http else []) + (["--baselines"] if baselines else [])


def rows_for(corpus: str, questions: Path | None, split: str, http: bool, baselines: bool) -> list[list[str]]:
    from evals.__main__ import collect, parse_args
    from evals.report import summary_rows

    args = parse_args(_argv(corpus, questions, split, http, baselines))
    result, _, _ = collect(args)
    return summary_rows(result)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m evals.table", description=__doc__.split("\n\n")[0])
    p.add_argument("--http", action="store_true", help="also score each setting over HTTP (a local server)")
    p.add_argument("--no-baselines", action="store_true", help="skip the baseline rows")
    p.add_argument("--blind", action="store_true", help="also report the held-out questions (NCPQA's blind fifth, the blind Guangzhou files)")
    p.add_argument("--markdown", action="store_true", help="print a Markdown table")
    p.add_argument("--only", help="comma-separated corpus sets to run (default: all)")
    a = p.parse_args(argv)
    from evals.report import summary_table

    wanted = set(a.only.split(",")) if a.only else None
    rows: list[list[str]] = []
    for corpus, questions, split in SETTINGS + (BLIND if a.blind else []):
        if wanted and corpus not in wanted:
            continue
        try:
            get_corpus(corpus).require()
            if questions and not questions.exists():
                raise CorpusMissing(f"question file {questions} is absent")
            rows += rows_for(corpus, questions, split, False, not a.no_baselines)
            if a.http:
                rows += rows_for(corpus, questions, split, True, False)
        except (CorpusMissing, QuestionFileError) as e:
            print(f"skipped {corpus} {questions or ''} ({split}): {e}", file=sys.stderr)
    print(summary_table(rows, markdown=a.markdown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
