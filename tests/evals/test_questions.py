"""The dev question set evals/questions/plan.jsonl is well formed and grounded in the plan."""
from __future__ import annotations

from collections import Counter

import pytest

from tests.evals.question_files import KINDS, PLAN, ROOT, TABLE_KINDS, in_window, norm, read_rows

QUESTIONS = ROOT / "evals" / "questions" / "plan.jsonl"


@pytest.fixture(scope="module")
def plan() -> str:
    return norm(PLAN.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def questions() -> list[dict]:
    return read_rows(QUESTIONS)


def _ids(questions: list[dict]) -> list[str]:
    return [q["id"] for q in questions]


def test_file_is_utf8_and_not_ascii_escaped() -> None:
    raw = QUESTIONS.read_bytes().decode("utf-8")
    assert "\\u" not in raw, "write with ensure_ascii=False"


def test_fields_and_types(questions: list[dict]) -> None:
    for q in questions:
        where = q.get("id", q)
        assert isinstance(q["id"], str) and q["id"], where
        assert q["kind"] in KINDS, where
        assert isinstance(q["question"], str) and q["question"].strip(), where
        assert isinstance(q["history"], list) and all(isinstance(h, str) and h.strip() for h in q["history"]), where
        assert isinstance(q["refuse"], bool), where
        for field in ("must", "evidence"):
            groups = q[field]
            assert isinstance(groups, list), where
            for g in groups:
                assert isinstance(g, list) and g, (where, field)
                assert all(isinstance(s, str) and norm(s) for s in g), (where, field)
        if "section" in q:
            assert isinstance(q["section"], str) and q["section"].strip(), where
        assert set(q) <= {"id", "kind", "question", "history", "must", "evidence", "refuse", "section"}, where


def test_ids_unique_and_enough(questions: list[dict]) -> None:
    ids = _ids(questions)
    dup = [i for i, c in Counter(ids).items() if c > 1]
    assert not dup, dup
    assert len(questions) >= 150


def test_every_kind_present(questions: list[dict]) -> None:
    counts = Counter(q["kind"] for q in questions)
    missing = KINDS - set(counts)
    assert not missing, missing


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
    bad = [
        (q["id"], g)
        for q in questions
        for g in q["evidence"]
        if not in_window(plan, g)
    ]
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
