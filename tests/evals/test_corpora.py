"""Named corpus sets, their cached indexes, and ``python -m evals --corpus`` on a tiny real index."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.__main__ import main
from evals.corpora import CorpusMissing, corpus_sets, ensure_index, get_corpus
from tests.retriever.conftest import write_tiny_corpus

SETS = """
[tiny]
sources = ["shared:tiny"]
region = "九江市"
questions = "shared:tiny.jsonl"

[both]
sources = ["repo:corpus", "shared:tiny"]
"""


@pytest.fixture()
def shared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "shared"
    write_tiny_corpus(root / "tiny")
    rows = [{"id": "q1", "kind": "amount", "question": "一次性创业补贴是多少", "must": [["6000元"]],
             "evidence": [["6000元"]]},
            {"id": "q2", "kind": "refuse", "question": "帮我写一首关于陶瓷的诗", "refuse": True}]
    (root / "tiny.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    sets = tmp_path / "sets.toml"
    sets.write_text(SETS, encoding="utf-8")
    monkeypatch.setenv("POLICY_SHARED_CORPORA", str(root))
    monkeypatch.setenv("POLICY_EVAL_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr("evals.corpora.SETS_FILE", sets)
    return root


def test_sets_resolve_repo_and_shared_paths(shared: Path) -> None:
    sets = corpus_sets()
    assert set(sets) == {"tiny", "both"}
    assert sets["tiny"].sources == (shared / "tiny",) and sets["tiny"].region == "九江市"
    assert sets["tiny"].questions == shared / "tiny.jsonl"
    assert sets["both"].sources[0].name == "corpus" and sets["both"].region is None and sets["both"].questions is None
    with pytest.raises(KeyError, match="choose one of tiny, both"):
        get_corpus("nope")


def test_the_repository_sets_name_the_issue_corpora() -> None:
    sets = corpus_sets(Path(__file__).resolve().parents[2] / "evals" / "corpora.toml", Path("/shared"))
    assert {"plan", "ncpqa", "guangzhou", "mixed"} <= set(sets)
    assert sets["mixed"].region is None and len(sets["mixed"].sources) == 3
    assert sets["ncpqa"].questions == Path("/shared/ncpqa/questions.jsonl")


def test_a_missing_shared_folder_is_named(shared: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICY_SHARED_CORPORA", str(tmp_path / "absent"))
    with pytest.raises(CorpusMissing, match="absent/tiny"):
        get_corpus("tiny").require()
    assert main(["--corpus", "tiny", "--questions", str(shared / "tiny.jsonl")]) == 0  # skipped, not failed


def test_the_index_is_built_once_and_cached(shared: Path, tmp_path: Path) -> None:
    first = ensure_index(get_corpus("tiny"))
    assert first == tmp_path / "cache" / "tiny" and (first / "CURRENT").is_file()
    generation = (first / "CURRENT").read_text(encoding="utf-8")
    assert ensure_index(get_corpus("tiny")) == first
    assert (first / "CURRENT").read_text(encoding="utf-8") == generation  # unchanged input: no rebuild


def test_a_corpus_run_serves_the_sets_region_and_prints_the_summary(shared: Path, tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--corpus", "tiny", "--baselines", "--report-dir", str(tmp_path / "reports")]) == 0
    out = capsys.readouterr().out
    report = json.loads(next((tmp_path / "reports").glob("*.json")).read_text(encoding="utf-8"))
    # Served as 九江市, the 九江 look-alike answers the unnamed question.
    assert report["overall"]["hit_at_5"] == 1.0 and report["meta"]["index"] == "tiny, region 九江市"
    assert [b["name"] for b in report["baselines"]] == ["LangChain splitter + bm25s + jieba",
                                                        "crude extractive (bm25s over 3-sentence windows)"]
    summary = [line for line in out.splitlines() if line.startswith("tiny ")]
    assert len(summary) == 3 and "ours (in-process)" in summary[0]
