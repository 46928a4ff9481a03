"""The load test on 2 clients for 2 s against 127.0.0.1: it runs, stays bounded and reports well-formed numbers."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from evals import bench_load
from evals.bench_common import ApiServer, build_corpus_index, require_loopback


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000", "http://127.0.0.2:80/", "http://[::1]:8000",
                                 "http://localhost:8000", "https://127.0.0.1"])
def test_loopback_urls_are_accepted(url: str) -> None:
    assert require_loopback(url) == url.rstrip("/")


@pytest.mark.parametrize("url", ["http://10.0.0.1:8000", "http://example.com", "http://0.0.0.0:8000",
                                 "ftp://127.0.0.1", "127.0.0.1:8000", "http://192.168.1.2"])
def test_other_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError):
        require_loopback(url)


@pytest.mark.parametrize("argv", [["--base-url", "http://10.1.2.3:8000"], ["--clients", "0"], ["--seconds", "0"],
                                  ["--workers", "0"], ["--workers", "x"], ["--endpoint", "admin"],
                                  ["--base-url", "http://127.0.0.1:9", "--workers", "2"]])
def test_cli_refuses_bad_options_before_sending_anything(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as info:
        bench_load.main(argv)
    assert info.value.code == 2


def test_summarize_counts_statuses_errors_and_latency_of_2xx_only() -> None:
    run = bench_load.Run(started=0.0, ended=2.0)
    run.records = [bench_load.Record(0.1, 10.0, "200"), bench_load.Record(0.5, 30.0, "200"),
                   bench_load.Record(1.2, 5.0, "503"), bench_load.Record(1.9, 2000.0, "ReadTimeout")]
    s = bench_load.summarize(run, seconds=2.0)
    assert (s["requests"], s["ok"], s["errors"]) == (4, 2, 2)
    assert s["status_counts"] == {"200": 2, "503": 1, "ReadTimeout": 1}
    assert s["requests_per_s"] == 2.0 and s["ok_per_s"] == 1.0
    assert s["latency"]["n"] == 2 and s["latency"]["p50_ms"] == 20.0 and s["latency"]["max_ms"] == 30.0
    assert s["throughput_per_s"] == [2, 2]  # the timed-out request finished after the deadline: last second
    assert sum(s["histogram"]["counts"]) == 2
    edges = s["histogram"]["edges_ms"]
    for ms in (10.0, 30.0):
        i = bench_load._bin(ms)
        assert edges[i] <= ms < edges[i + 1]


def test_budget_bounds_the_request_count() -> None:
    b = bench_load.Budget(2)
    assert [b.take() for _ in range(4)] == [True, True, False, False]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("bench-load-index")
    build_corpus_index(work / "index", work / "data")
    return work / "index"


@pytest.fixture(scope="module")
def server(index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    work = tmp_path_factory.mktemp("bench-load-server")
    with ApiServer(index_dir, work / "data", work / "server.log") as s:
        s.wait_ready()
        yield s


def _check_run(run: dict, clients: int) -> None:
    assert run["clients"] == clients
    assert run["requests"] > 0 and run["ok"] == run["requests"] and run["errors"] == 0
    assert set(run["status_counts"]) == {"200"}
    assert run["requests_per_s"] > 0 and run["duration_s"] > 0
    lat = run["latency"]
    assert lat["n"] == run["ok"] and 0 < lat["p50_ms"] <= lat["p95_ms"] <= lat["p99_ms"] <= lat["max_ms"]
    assert sum(run["throughput_per_s"]) == run["requests"]
    assert sum(run["histogram"]["counts"]) == run["ok"]
    assert run["client_cpu_s"] > 0


@pytest.mark.slow
@pytest.mark.network_ok
def test_spawned_server_two_clients_two_seconds(tmp_path: Path, index_dir: Path) -> None:
    out = tmp_path / "reports"
    result = bench_load.run_benchmark(2, 2.0, [1], "chat", out_dir=out, warmup=0.5, index_dir=index_dir,
                                      work_dir=tmp_path / "work")
    files = {k: Path(v) for k, v in result["files"].items()}
    assert set(files) == {"json", "md", "png"}
    for kind, path in files.items():
        assert path.parent == out and path.name.startswith("bench-load-") and path.stat().st_size > 0, kind
    data = json.loads(files["json"].read_text(encoding="utf-8"))
    (run,) = data["runs"]
    _check_run(run, 2)
    assert run["workers"] == 1 and run["server_rss_mb"] > 0 and run["requests_per_s_vs_first"] == 1.0
    assert len(run["throughput_per_s"]) == 2
    assert data["meta"]["endpoint"] == "chat" and data["meta"]["target"] == "spawned"
    log = (tmp_path / "work" / "server-w1.log").read_text(encoding="utf-8")
    assert "POST /api/chat" in log and "Finished server process" in log, "the server was stopped at the end"
    table = files["md"].read_text(encoding="utf-8")
    assert table.startswith("# Load test") and "1 worker(s)" in table and "req/s" in table


@pytest.mark.slow
@pytest.mark.network_ok
def test_base_url_search_run_is_bounded_by_max_requests(server: ApiServer) -> None:
    result = bench_load.run_benchmark(2, 5.0, endpoint="search", base_url=server.base_url + "/", out_dir=None,
                                      max_requests=7, warmup=0)
    (run,) = result["runs"]
    _check_run(run, 2)
    assert run["requests"] == 7 and run["workers"] is None and "server_rss_mb" not in run
    assert result["meta"]["target"] == server.base_url
    assert "files" not in result
