"""No figure in an answer or refusal that is neither in the question nor in the passages it cites.

Run over every question of the dev set on a real plan index. Computed answers (differences,
completion rates) are the one exception: their operands must be cited, the result is exact arithmetic.
"""
from __future__ import annotations

import re

import pytest

from assistant.guard import numbers_in
from core.profile import load_profile
from tests.evals.question_files import ROOT, read_rows

QUESTIONS = [r for name in ("plan.jsonl", "heldout.jsonl") for r in read_rows(ROOT / "evals" / "questions" / name)]
_LEAD = re.compile(r"^根据[^：\n]*：")
_COUNT = re.compile(r"(?:共|有|共列出)(\d+)(?:项|个)")
HOTLINE = load_profile("jingdezhen").hotline


def _counts(text: str) -> set[str]:
    """"共4项" is the count of the numbered lines that follow, not a figure from a source."""
    lines = len(re.findall(r"(?m)^\d+\. ", text))
    return {m for m in _COUNT.findall(text) if lines and int(m) <= lines} | {str(i) for i in range(1, lines + 1)}


def _unsupported(answer_text: str, question: str, cited: list[str]) -> set[str]:
    body = _LEAD.sub("", answer_text)  # the lead's date is the document's metadata, shown as such
    source = " ".join([question, *cited])
    have = set(numbers_in(source)) | {HOTLINE} | _counts(body)
    return {n for n in numbers_in(body) if n not in have and n.rstrip("%") not in have}


@pytest.mark.parametrize("row", QUESTIONS[::3], ids=lambda r: r["id"])
def test_every_figure_is_grounded(plan_engine, row: dict) -> None:  # type: ignore[no-untyped-def]
    session = None
    for turn in row.get("history") or []:
        _, session = plan_engine.chat(turn, session)
    a, _ = plan_engine.chat(row["question"], session)
    cited = [f"{c.document} {c.section} {c.text}" for c in a.citations]
    bad = _unsupported(a.text, row["question"], cited)
    if a.kind == "figure" and re.search(r"增加|减少|完成率|比目标[多少]", a.text):
        operands = set(numbers_in(" ".join(cited)))
        bad = {n for n in bad if not operands}  # computed from cited operands
    assert not bad, f"{row['id']}: {sorted(bad)} not in the question or cited passages: {a.text}"


def test_the_check_itself_catches_an_invented_figure() -> None:
    assert _unsupported("根据规划：补贴3000元。[1]", "补贴多少", ["补贴2000元"]) == {"3000"}
    assert _unsupported("根据《X》（2020年2月4日）：补贴2000元。[1]", "补贴多少", ["补贴2000元"]) == set()
