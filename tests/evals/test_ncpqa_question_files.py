"""Question files written on the shared NCPQA texts: each answerable question's strings are in its document."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.corpora import shared_root
from evals.harness import load_questions
from evals.metrics import normalize

_DIR = Path(__file__).resolve().parents[2] / "evals" / "questions"
FILES = [_DIR / "ncpqa_citizen.jsonl", _DIR / "ncpqa_citizen_dev.jsonl", _DIR / "ncpqa_citizen_dev2.jsonl",
         _DIR / "ncpqa_citizen_dev3.jsonl",
         _DIR / "ncpqa_citizen_blind2.jsonl"]


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    folder = shared_root() / "ncpqa" / "corpus"
    if not folder.is_dir():
        pytest.skip(f"the shared NCPQA texts are absent ({folder}); see evals/corpora.toml")
    return {p.stem: normalize(p.read_text(encoding="utf-8")) for p in folder.glob("*.txt")}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_must_and_evidence_strings_are_in_the_named_document(path: Path, texts: dict[str, str]) -> None:
    bad = []
    docids = {row["id"]: row.get("docid") for row in map(json.loads, path.read_text(encoding="utf-8").splitlines())}
    for q in load_questions(path):
        if q.refuse:
            assert not q.must and not q.evidence and not docids[q.id], q.id
            continue
        text = texts.get(docids[q.id] or "")
        if text is None:
            bad.append(f"{q.id}: no document {docids[q.id]!r}")
            continue
        strings = [s for g in q.must for s in g] + [s for g in q.evidence for s in g]
        bad += [f"{q.id}: {s!r} not in {docids[q.id]}" for s in strings if normalize(s) not in text]
    assert not bad, "\n".join(bad)
