"""Both question files are well formed and grounded in the plan.

plan.jsonl is the dev set used for tuning; heldout.jsonl was written blind, from the plan text
only (not from the dev set or the answer code), to check for over-fitting.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.evals.question_files import KINDS, PLAN, ROOT, TABLE_KINDS, in_window, norm, read_rows

FIELDS = {"id", "kind", "question", "history", "must", "evidence", "refuse", "section"}


@dataclass(frozen=True)
class QuestionFile:
    path: Path
    min_questions: int
    id_pattern: str


FILES = [
    QuestionFile(ROOT / "evals" / "questions" / "plan.jsonl", 150, r"[a-z0-9]+-\d{2,3}"),
    QuestionFile(ROOT / "evals" / "questions" / "heldout.jsonl", 100, r"h-\d{3}"),
]


@pytest.fixture(scope="module")
def plan() -> str:
    return norm(PLAN.read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=FILES, ids=lambda f: f.path.name)
def qfile(request: pytest.FixtureRequest) -> QuestionFile:
    return request.param


@pytest.fixture(scope="module")
def questions(qfile: QuestionFile) -> list[dict]:
    return read_rows(qfile.path)


def test_file_is_utf8_and_not_ascii_escaped(qfile: QuestionFile) -> None:
    raw = qfile.path.read_bytes().decode("utf-8")
    assert "\\u" not in raw, "write with ensure_ascii=False"


def test_fields_and_types(questions: list[dict], qfile: QuestionFile) -> None:
    for q in questions:
        where = q.get("id", q)
        assert {"id", "kind", "question", "history", "must", "evidence", "refuse"} <= set(q), where
        assert set(q) <= FIELDS, where
        assert isinstance(q["id"], str) and re.fullmatch(qfile.id_pattern, q["id"]), where
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


def test_ids_unique_and_enough(questions: list[dict], qfile: QuestionFile) -> None:
    ids = [q["id"] for q in questions]
    dup = [i for i, c in Counter(ids).items() if c > 1]
    assert not dup, dup
    assert len(questions) >= qfile.min_questions, len(questions)


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
