"""``python -m evals.table``: which settings it scores, and that an absent held-out file is skipped by name."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from evals import table
from evals.report import SUMMARY_HEADER


class _Present:
    def require(self) -> None:
        return None


def test_dev_rows_then_blind_rows_and_an_absent_file_is_skipped(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    calls: list[tuple[str, str, str, bool]] = []

    def rows_for(corpus: str, questions: Path | None, split: str, http: bool, baselines: bool) -> list[list[str]]:
        calls.append((corpus, questions.name if questions else "-", split, http))
        return [[corpus, split, "ours"] + ["—"] * (len(SUMMARY_HEADER) - 3)]

    present = tmp_path / "present.jsonl"
    present.write_text("", encoding="utf-8")
    blind = [("ncpqa", None, "blind"), ("guangzhou", present, "all"), ("guangzhou", tmp_path / "absent.jsonl", "all")]
    monkeypatch.setattr(table, "rows_for", rows_for)
    monkeypatch.setattr(table, "get_corpus", lambda name: _Present())
    monkeypatch.setattr(table, "BLIND", blind)
    assert table.main(["--blind", "--http", "--only", "ncpqa,guangzhou"]) == 0
    assert calls == [("ncpqa", "-", "dev", False), ("ncpqa", "-", "dev", True),
                     ("guangzhou", "-", "all", False), ("guangzhou", "-", "all", True),
                     ("guangzhou", "guangzhou_dev2.jsonl", "all", False), ("guangzhou", "guangzhou_dev2.jsonl", "all", True),
                     ("ncpqa", "ncpqa_citizen_dev.jsonl", "all", False), ("ncpqa", "ncpqa_citizen_dev.jsonl", "all", True),
                     ("ncpqa", "ncpqa_citizen_dev2.jsonl", "all", False), ("ncpqa", "ncpqa_citizen_dev2.jsonl", "all", True),
                     ("ncpqa", "ncpqa_citizen_dev3.jsonl", "all", False), ("ncpqa", "ncpqa_citizen_dev3.jsonl", "all", True),
                     ("ncpqa", "-", "blind", False), ("ncpqa", "-", "blind", True),
                     ("guangzhou", "present.jsonl", "all", False), ("guangzhou", "present.jsonl", "all", True)]
    err = capsys.readouterr().err
    assert "absent.jsonl" in err and "is absent" in err


def test_every_setting_names_a_known_split() -> None:
    from evals.harness import SPLITS

    settings: list[Any] = table.SETTINGS + table.BLIND
    assert all(split in SPLITS for _, _, split in settings)
