"""The ingest benchmark on a handful of documents: it runs, and its report has every field (no speed asserted)."""
from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from evals import bench_ingest
from evals.distractors import generate
from ingest.document import parse_text


def test_compose_keeps_header_and_a_table(tmp_path: Path) -> None:
    (path,) = generate(1, tmp_path, seed=3)
    full = path.read_text(encoding="utf-8")
    doc = bench_ingest.compose(full, 1500, random.Random(0))
    assert len(full) > 10_000
    assert 1000 <= len(doc) <= 1500
    assert re.search(r"^专栏\d", doc, re.M)
    parsed = parse_text(doc, path.name)
    assert parsed.indicators, "the 专栏 table must still parse into indicators"
    assert parsed.document.meta.doc_number and parsed.document.meta.region
    assert parsed.document.meta.title in full


@pytest.mark.parametrize("argv", [["--docs", "0"], ["--repeat", "0"], ["--repeat-noop", "0"]])
def test_cli_rejects_bad_counts(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as info:
        bench_ingest.main(argv)
    assert info.value.code == 2


def test_benchmark_on_five_documents(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    result = bench_ingest.run_benchmark(5, seed=1, out_dir=out, repeat=1, repeat_noop=2, work_dir=tmp_path / "work")

    files = {k: Path(v) for k, v in result["files"].items()}
    assert set(files) == {"json", "md", "png"}
    for kind, path in files.items():
        assert path.parent == out and path.name.startswith("bench-ingest-") and path.stat().st_size > 0, kind
    data = json.loads(files["json"].read_text(encoding="utf-8"))

    corpus = data["corpus"]
    assert corpus["documents"] == 5
    assert 0 < corpus["characters"] <= 5 * 1500 < corpus["generated_characters"]
    for key in ("parse_only", "cold_build"):
        section = data[key]
        for field in ("seconds", "documents_per_s", "characters_per_s", "chunks", "indicators"):
            assert section[field] > 0, (key, field)
        assert len(section["runs"]) == 1
    cold = data["cold_build"]
    assert cold["documents"] == 5
    assert cold["chunks"] == data["parse_only"]["chunks"]
    assert cold["indicators"] == data["parse_only"]["indicators"]
    assert cold["ratio_to_parse_only"] > 0
    assert data["noop"]["seconds"] > 0 and len(data["noop"]["runs"]) == 2
    update = data["update"]
    assert update["files"] == 1 and update["seconds"] > 0 and update["reparsed"] == [1]
    for part in ("records", "lexical", "dense", "chroma", "cache", "total", "index_dir", "index_dir_after_updates"):
        assert data["size_mb"][part] > 0, part
    assert data["size_mb"]["total"] == pytest.approx(
        sum(data["size_mb"][k] for k in ("records", "lexical", "dense", "chroma", "cache")), abs=0.01)

    table = files["md"].read_text(encoding="utf-8")
    for word in ("cold build", "no-op", "parse only", "update", "chroma", "characters/s"):
        assert word in table
    assert table.startswith(bench_ingest.markdown_table(data).split("\n")[0])
