"""The search benchmark on a tiny corpus: it runs and its report is well formed (no speed is asserted)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals import bench_search


def test_parse_sizes() -> None:
    assert bench_search.parse_sizes("100, 1,10,10") == [1, 10, 100]
    for bad in ("", "0,1", "-1", "a"):
        with pytest.raises(ValueError):
            bench_search.parse_sizes(bad)


@pytest.mark.parametrize("argv", [["--sizes", "0"], ["--repeat", "0"], ["--queries", "0"], ["--k", "0"]])
def test_cli_rejects_bad_options(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as info:
        bench_search.main(argv)
    assert info.value.code == 2


def test_time_passes_warms_up_then_times_every_query_per_repeat() -> None:
    calls: list[tuple[str, str, int]] = []
    searches = {name: (lambda q, k, name=name: calls.append((name, q, k))) for name in ("a", "b")}
    times = bench_search.time_passes(searches, ["q1", "q2", "q3"], 5, repeat=2)
    assert {name: [len(p.ms) for p in passes] for name, passes in times.items()} == {"a": [3, 3], "b": [3, 3]}
    assert all(len(p.cpu_ms) == 3 and min(p.ms + p.cpu_ms) >= 0 for v in times.values() for p in v)
    assert len(calls) == 2 * 3 * (1 + 2) and {k for _, _, k in calls} == {5}
    # Systems take turns pass by pass rather than one finishing all its passes first.
    order = [name for name, _, _ in calls[6:]]
    assert order == ["a"] * 3 + ["b"] * 3 + ["a"] * 3 + ["b"] * 3


def test_pass_summary_keeps_each_pass_and_the_cpu_beside_the_wall() -> None:
    quick = bench_search.Pass(ms=[1.0, 2.0, 3.0], cpu_ms=[1.0, 1.0, 1.0], steal_ms=0.0)
    slow = bench_search.Pass(ms=[1.0, 2.0, 30.0], cpu_ms=[1.0, 1.0, 2.0], steal_ms=40.0)
    got = bench_search.pass_summary([quick, slow])
    assert got["n"] == 6 and got["p50_ms"] == 2.0 and got["max_ms"] == 30.0
    assert got["pass_p95_ms"] == [2.9, 27.2] and got["pass_steal_ms"] == [0.0, 40.0]
    assert got["cpu_p95_ms"] == 1.75  # the slow search waited: 30 ms of wall for 2 ms of CPU


def test_steal_is_read_from_proc_stat_where_there_is_one() -> None:
    from evals.bench_common import steal_ms

    got = steal_ms()
    assert (got is None) == (not Path("/proc/stat").exists())
    if got is not None:
        later = steal_ms()
        assert later is not None and later >= got >= 0


def test_benchmark_on_sizes_1_and_2(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    result = bench_search.run_benchmark([1, 2], queries=3, repeat=1, out_dir=out, work_dir=tmp_path / "work")

    files = {k: Path(v) for k, v in result["files"].items()}
    assert set(files) == {"json", "md", "png"}
    for kind, path in files.items():
        assert path.parent == out and path.name.startswith("bench-search-") and path.stat().st_size > 0, kind
    data = json.loads(files["json"].read_text(encoding="utf-8"))
    assert data["meta"]["queries"] == 3 and data["meta"]["timed_searches_per_system"] == 3
    assert [r["size"] for r in data["sizes"]] == [1, 2]
    assert [r["documents"] for r in data["sizes"]] == [1, 2]
    assert data["sizes"][1]["characters"] > data["sizes"][0]["characters"] > 0
    for row in data["sizes"]:
        assert set(row["systems"]) == set(bench_search.SYSTEMS)
        for name, s in row["systems"].items():
            assert s["n"] == 3, name
            for field in ("p50_ms", "p95_ms", "mean_ms", "chunks"):
                assert s[field] > 0, (row["size"], name, field)
            assert s["p95_ms"] >= s["p50_ms"]
        assert row["systems"]["ours"]["build_s"] > 0 and row["systems"]["ours"]["open_s"] > 0
        for p in ("p50", "p95", "mean"):
            assert row["ratio_to_langchain"][p] > 0
        alone = row["ours_alone"]
        assert alone["n"] == 3 and alone["p95_ms"] >= alone["p50_ms"] > 0 and len(alone["pass_p95_ms"]) == 1
        assert all(len(s["pass_p95_ms"]) == 1 and s["cpu_p95_ms"] > 0 for s in row["systems"].values())
        mem = row["memory_mb"]
        assert mem["process_rss_after_open"] > 0 and mem["fresh_process_rss"] > mem["fresh_process_before_open"] > 0
        assert mem["index"] > 0
    assert not list((tmp_path / "work").glob("index-*")), "temporary indexes are removed after measuring"

    table = files["md"].read_text(encoding="utf-8")
    assert table.startswith("# Search benchmark")
    for word in ("ours alone p50 / p95 ms", "ours p50 / p95 ms", "LangChain", "bigram", "RSS", "1×", "2×",
                 "steal ms per pass"):
        assert word in table


def test_benchmark_times_an_index_built_earlier_and_keeps_it(tmp_path: Path) -> None:
    from core.settings import load_settings
    from evals.distractors import generate
    from index.pipeline import build_index

    index_dir, work = tmp_path / "kept", tmp_path / "work"
    settings = load_settings(index_dir=index_dir, data_dir=tmp_path / "data")
    built = build_index([settings.corpus_dir, *generate(1, tmp_path / "elsewhere", seed=0)], index_dir, settings)
    assert bench_search.manifest_size(index_dir) == 2

    result = bench_search.run_benchmark([2], queries=2, repeat=1, out_dir=None, work_dir=work, index_dir=index_dir)
    row = result["sizes"][0]
    assert row["documents"] == 2 and row["systems"]["ours"]["chunks"] == built.chunks
    assert row["systems"]["ours"]["build_s"] is None and row["systems"]["ours"]["n"] == 2
    assert "| — |" in bench_search.markdown_table(result) and (index_dir / "CURRENT").exists()

    with pytest.raises(RuntimeError, match="same distractors"):  # another seed's distractors: other documents
        bench_search.run_benchmark([2], queries=2, repeat=1, seed=5, out_dir=None, work_dir=tmp_path / "w5",
                                   index_dir=index_dir)
