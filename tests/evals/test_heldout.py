"""The blind held-out question set evals/questions/heldout.jsonl is well formed and grounded in the plan.

Written only from the plan text (not from the dev set or the answer code), to check for overfitting.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = ROOT / "evals" / "questions" / "heldout.jsonl"
PLAN = ROOT / "corpus" / "景德镇市人力资源和社会保障事业发展十三五规划.txt"

KINDS = {
    "target2020", "baseline2015", "target12", "result12", "text_target", "citizen", "docfact",
    "list", "arithmetic", "conflict", "unanswerable", "multiturn", "robust",
}
TABLE_KINDS = {"target2020", "baseline2015", "target12", "result12"}
FIELDS = {"id", "kind", "question", "history", "must", "evidence", "refuse", "section"}
WINDOW = 400
MIN_QUESTIONS = 100


def norm(text: str) -> str:
    """Same normalization as evals.metrics.normalize: NFKC, then drop all whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _occurrences(hay: str, needle: str) -> list[int]:
    out, i = [], hay.find(needle)
    while i >= 0:
        out.append(i)
        i = hay.find(needle, i + 1)
    return out


def in_window(hay: str, group: list[str], window: int = WINDOW) -> bool:
    """True when every string of ``group`` occurs inside one stretch of ``hay`` of ≤ window chars."""
    needles = [norm(s) for s in group]
    occ = {s: _occurrences(hay, s) for s in needles}
    if any(not v for v in occ.values()):
        return False
    for s0 in needles:
        for start in occ[s0]:
            end = start + window
            if all(any(start <= p and p + len(s) <= end for p in occ[s]) for s in needles):
                return True
    return False


@pytest.fixture(scope="module")
def plan() -> str:
    return norm(PLAN.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def questions() -> list[dict]:
    rows = []
    for n, line in enumerate(QUESTIONS.read_text(encoding="utf-8").splitlines(), 1):
        assert line.strip(), f"line {n} is empty"
        row = json.loads(line)
        assert isinstance(row, dict), f"line {n} is not an object"
        rows.append(row)
    return rows


def test_file_is_utf8_and_not_ascii_escaped() -> None:
    raw = QUESTIONS.read_bytes().decode("utf-8")
    assert "\\u" not in raw, "write with ensure_ascii=False"


def test_fields_and_types(questions: list[dict]) -> None:
    for q in questions:
        where = q.get("id", q)
        assert {"id", "kind", "question", "history", "must", "evidence", "refuse"} <= set(q), where
        assert set(q) <= FIELDS, where
        assert isinstance(q["id"], str) and re.fullmatch(r"h-\d{3}", q["id"]), where
        assert q["kind"] in KINDS, where
        assert isinstance(q["question"], str) and q["question"].strip(), where
        assert isinstance(q["history"], list), where
        assert all(isinstance(h, str) and h.strip() for h in q["history"]), where
        assert isinstance(q["refuse"], bool), where
        for field in ("must", "evidence"):
            groups = q[field]
            assert isinstance(groups, list), (where, field)
            for g in groups:
                assert isinstance(g, list) and g, (where, field)
                assert all(isinstance(s, str) and norm(s) for s in g), (where, field)
        if "section" in q:
            assert isinstance(q["section"], str) and q["section"].strip(), where


def test_ids_unique_and_enough(questions: list[dict]) -> None:
    ids = [q["id"] for q in questions]
    dup = [i for i, c in Counter(ids).items() if c > 1]
    assert not dup, dup
    assert len(questions) >= MIN_QUESTIONS, len(questions)


def test_every_kind_present(questions: list[dict]) -> None:
    missing = KINDS - {q["kind"] for q in questions}
    assert not missing, missing


def test_questions_are_distinct(questions: list[dict]) -> None:
    keys = [(tuple(q["history"]), norm(q["question"])) for q in questions]
    dup = [k for k, c in Counter(keys).items() if c > 1]
    assert not dup, dup


def test_history_only_in_multiturn(questions: list[dict]) -> None:
    for q in questions:
        if q["kind"] == "multiturn":
            assert q["history"], q["id"]
        else:
            assert q["history"] == [], q["id"]


def test_refuse_questions_have_no_must_or_evidence(questions: list[dict]) -> None:
    for q in questions:
        if q["refuse"]:
            assert q["must"] == [] and q["evidence"] == [], q["id"]
        if q["kind"] == "unanswerable":
            assert q["refuse"], q["id"]


def test_answerable_questions_have_must_and_evidence(questions: list[dict]) -> None:
    for q in questions:
        if not q["refuse"]:
            assert q["evidence"], q["id"]
            assert q["must"], q["id"]


def test_evidence_groups_are_in_the_plan(questions: list[dict], plan: str) -> None:
    bad = [(q["id"], g) for q in questions for g in q["evidence"] if not in_window(plan, g)]
    assert not bad, bad


def test_table_must_strings_are_in_the_plan(questions: list[dict], plan: str) -> None:
    bad = [
        (q["id"], s)
        for q in questions
        if q["kind"] in TABLE_KINDS
        for g in q["must"]
        for s in g
        if norm(s) not in plan
    ]
    assert not bad, bad


def test_in_window_helper() -> None:
    hay = "a" * 10 + "X" + "b" * 500 + "Y" + "c" * 10 + "X"
    assert in_window(hay, ["X", "Y"])  # the second X is near Y
    assert not in_window("X" + "b" * 500 + "Y", ["X", "Y"])
    assert not in_window(hay, ["Z"])
