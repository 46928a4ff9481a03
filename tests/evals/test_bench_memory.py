"""The service memory benchmark: real `python -m api` workers, memory read from /proc."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from evals.bench_memory import main, measure_service, process_memory


def test_process_memory_reads_this_process() -> None:
    m = process_memory(os.getpid())
    assert m["rss"] > 10 and 0 < m["pss"] <= m["rss"] and 0 < m["uss"] <= m["rss"]


def test_cli_measures_one_worker_after_the_warm_up_and_after_the_workload(plan_engine, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"id": "q1", "kind": "target2020", "question": "城镇新增就业人数目标是多少"}\n', encoding="utf-8")
    assert main(["--index-dir", str(plan_engine.settings.index_dir), "--workers", "1", "--rounds", "1",
                 "--questions", str(questions)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "after 1 questions × (chat, search)" in lines[0]
    cells = [c.strip() for c in lines[2].strip("|").split("|")]
    assert cells[0] == "1" and float(cells[-1]) > 100  # the worker's RSS after serving the workload


def test_cli_refuses_a_missing_question_file_before_starting_a_server(plan_engine, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main(["--index-dir", str(plan_engine.settings.index_dir), "--questions", str(tmp_path / "none.jsonl")])
    assert e.value.code == 2 and "--no-workload" in capsys.readouterr().err


def test_cli_refuses_a_directory_without_an_index(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main(["--index-dir", str(tmp_path)])
    assert e.value.code == 2 and "python -m ingest" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.network_ok
def test_two_workers_are_measured_after_answering(plan_engine) -> None:  # type: ignore[no-untyped-def]
    questions = ["城镇新增就业人数目标是多少", "养老保险参保人数", "失业保险金标准是多少"]
    r = measure_service(Path(plan_engine.settings.index_dir), workers=2, rounds=2, timeout=180, questions=questions)
    assert len(r["per_worker"]) == 2 and r["master"] is not None
    after = r["after_workload"]
    assert after["questions"] == 3 and len(after["per_worker"]) == 2
    assert after["max_worker_rss"] == max(w["rss"] for w in after["per_worker"]) > 100
    # Every worker opened the index and answered: far more than a bare interpreter.
    assert all(w["rss"] > 100 for w in r["per_worker"])
    assert r["total_pss"] <= r["total_rss"] and r["max_worker_rss"] == max(w["rss"] for w in r["per_worker"])



def test_breakdown_names_what_a_worker_loads(plan_engine, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    from evals.bench_memory import BREAKDOWN_STAGES

    assert main(["--index-dir", str(plan_engine.settings.index_dir), "--breakdown"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "| part loaded | RSS MB after | growth MB |"
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]
    assert [r[0] for r in rows] == list(BREAKDOWN_STAGES)
    growth = {r[0]: float(r[2]) for r in rows}
    assert growth["jieba dictionary"] > 30  # the one large part every worker holds: jieba's ~600k entries
    assert abs(sum(growth.values()) - float(rows[-1][1])) <= len(rows)  # growths add up to the last RSS
