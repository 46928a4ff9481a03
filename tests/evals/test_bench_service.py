"""The service start-up benchmark with one repeat: it runs and its report is well formed (no speed asserted)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals import bench_service
from evals.bench_common import ApiServer, ServerError


@pytest.mark.parametrize("argv", [["--repeat", "0"], ["--timeout", "0"]])
def test_cli_rejects_bad_options(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as info:
        bench_service.main(argv)
    assert info.value.code == 2


@pytest.mark.slow
def test_a_server_that_cannot_start_is_reported_with_its_log(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "index"
    not_a_dir.write_text("a file where the index directory should be", encoding="utf-8")
    server = ApiServer(not_a_dir, tmp_path / "data", tmp_path / "server.log")
    with server, pytest.raises(ServerError, match="exited"):
        server.wait_ready(timeout=120)
    assert server.proc is None


@pytest.mark.slow
def test_benchmark_with_one_repeat(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    result = bench_service.run_benchmark(1, out, work_dir=tmp_path / "work")

    files = {k: Path(v) for k, v in result["files"].items()}
    assert set(files) == {"json", "md", "png"}
    for kind, path in files.items():
        assert path.parent == out and path.name.startswith("bench-service-") and path.stat().st_size > 0, kind
    data = json.loads(files["json"].read_text(encoding="utf-8"))

    base = data["in_process"]
    for field in ("build_index_s", "build_index_first_s", "engine_open_s", "engine_open_first_s"):
        assert base[field] > 0, field
    assert len(base["build_index_runs"]) == 1 and len(base["engine_open_runs"]) == 1
    assert set(data["starts"]) == {"prebuilt", "no_index"}
    for name, start in data["starts"].items():
        assert len(start["runs"]) == 1, name
        for field in bench_service.MARKS:
            assert start[field] > 0, (name, field)
        assert start["healthz_s"] <= start["ready_s"] <= start["first_chat_s"], name
    assert len(data["ratios"]) == 5 and all(v > 0 for v in data["ratios"].values())
    assert isinstance(data["build_in_service_s"], float)  # a difference of two timings: its sign is not asserted
    # Each no-index start built its own index in the directory it was given.
    assert (tmp_path / "work" / "empty-0" / "CURRENT").exists()
    logs = sorted(p.name for p in (tmp_path / "work").glob("*.log"))
    assert logs == ["no_index-0.log", "prebuilt-0.log"]
    assert "Finished server process" in (tmp_path / "work" / "prebuilt-0.log").read_text(encoding="utf-8")

    table = files["md"].read_text(encoding="utf-8")
    assert table.startswith("# Service start-up benchmark")
    for word in ("prebuilt index", "no index", "Engine.open", "build_index", "/readyz"):
        assert word in table
