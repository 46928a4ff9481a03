"""The distractor generator: deterministic, other cities only, same structure, different figures."""
from __future__ import annotations

import random
import re
import time
from pathlib import Path

import pytest

from evals import distractors
from evals.distractors import CITIES, PERIODS, generate, main, rewrite

ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "corpus" / "景德镇市人力资源和社会保障事业发展十三五规划.txt"

_ROW_RE = re.compile(r"^\s*(\d+)\.\s*(.+?)\t\s*(\S+)\t\s*(\S+)\t\s*(预期性|约束性)\s*$")
_DOCNO_RE = re.compile(r"[\u4e00-\u9fff]{1,3}人社发〔\d{4}〕\d+号")
_NUM_RE = re.compile(r"\d+(?:\.\d+)?")


def table2(text: str) -> list[tuple[str, str, str, str, str]]:
    """Rows of 专栏2: (number, indicator name, base, target, attribute)."""
    lines = text.split("\n")
    start = next(i for i, ln in enumerate(lines) if ln.strip().startswith("专栏2"))
    rows = []
    for ln in lines[start + 1:]:
        if re.match(r"^[一二三四五六七八九十]+、", ln.strip()) and "\t" not in ln:
            break  # the next numbered section
        m = _ROW_RE.match(ln)
        if m:
            rows.append(m.groups())
    return rows


def numbers(cell: str) -> list[str]:
    return _NUM_RE.findall(cell)


@pytest.fixture(scope="module")
def plan_text() -> str:
    return PLAN.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return generate(12, tmp_path_factory.mktemp("distractors"), seed=7)


def test_plan_table_parses(plan_text: str) -> None:
    rows = table2(plan_text)
    assert len(rows) == 16
    assert sum(r[4] == "约束性" for r in rows) == 5
    assert rows[8][1].startswith("生育保险参保人数") and rows[8][2:4] == ("8.3", "10")


def test_writes_n_files(docs: list[Path]) -> None:
    assert len(docs) == 12
    assert all(p.is_file() and p.suffix == ".txt" for p in docs)
    assert len({p.name for p in docs}) == 12
    for i, p in enumerate(docs, 1):
        m = re.fullmatch(r"distractor_(\d{4})_(.+市)_(十[二三四]五)\.txt", p.name)
        assert m, p.name
        assert int(m.group(1)) == i
        assert m.group(2) in {c.name for c in CITIES} and m.group(3) in PERIODS


def test_deterministic_for_a_seed(tmp_path: Path, docs: list[Path]) -> None:
    again = generate(12, tmp_path / "again", seed=7)
    assert [p.name for p in again] == [p.name for p in docs]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(again, docs))
    # a prefix of a larger run is the same as a smaller run
    more = generate(3, tmp_path / "prefix", seed=7)
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(more, docs))


def test_other_seed_differs(tmp_path: Path, docs: list[Path]) -> None:
    other = generate(12, tmp_path / "other", seed=8)
    assert [p.read_bytes() for p in other] != [p.read_bytes() for p in docs]


def test_never_about_jingdezhen(docs: list[Path]) -> None:
    for p in docs:
        text = p.read_text(encoding="utf-8")
        assert "景德镇" not in text, p.name
        assert "景人社发" not in text, p.name
        city = p.name.split("_")[2]
        assert text.count(city) >= 10, p.name


def test_same_indicators_different_figures(docs: list[Path], plan_text: str) -> None:
    plan_rows = table2(plan_text)
    for p in docs:
        rows = table2(p.read_text(encoding="utf-8"))
        assert [r[1] for r in rows] == [r[1] for r in plan_rows], p.name
        assert [r[0] for r in rows] == [r[0] for r in plan_rows], p.name
        assert [r[4] for r in rows] == [r[4] for r in plan_rows], p.name
        cells = [(mine, theirs) for r, pr in zip(rows, plan_rows) for mine, theirs in zip(r[2:4], pr[2:4])]
        assert len(cells) == 32
        differ = sum(numbers(a) != numbers(b) for a, b in cells)
        assert differ >= 0.8 * len(cells), (p.name, differ)
        # formats kept: decimals and % signs
        for a, b in cells:
            assert ("%" in a) == ("%" in b), (p.name, a, b)
            assert [len(x.partition(".")[2]) for x in numbers(a)] == [len(x.partition(".")[2]) for x in numbers(b)]


def test_docno_and_structure(docs: list[Path], plan_text: str) -> None:
    plan_docno = _DOCNO_RE.search(plan_text).group()
    assert plan_docno == "景人社发〔2018〕10号"
    sections = re.findall(r"^([一二三四五六七八九十]+)、", plan_text, re.M)
    boxes = re.findall(r"^专栏\s*(\d)", plan_text, re.M)
    for p in docs:
        text = p.read_text(encoding="utf-8")
        docno = _DOCNO_RE.search(text)
        assert docno and docno.group() != plan_docno, p.name
        prefix = next(c.prefix for c in CITIES if c.name == p.name.split("_")[2])
        assert docno.group().startswith(prefix + "人社发"), p.name
        assert re.findall(r"^([一二三四五六七八九十]+)、", text, re.M) == sections, p.name
        assert re.findall(r"^专栏\s*(\d)", text, re.M) == boxes, p.name


def test_period_and_years_follow(docs: list[Path]) -> None:
    for p in docs:
        text = p.read_text(encoding="utf-8")
        period = p.name.rsplit("_", 1)[1].removesuffix(".txt")
        prev, base, _, _ = PERIODS[period]
        assert f"“{period}”规划" in text and f"“{prev}”时期主要发展指标完成情况" in text, p.name
        assert f"{base}年基数" in text and f"{base + 5}年目标" in text, p.name
        others = set(PERIODS) - {period, prev}
        assert not any(f"“{o}”" in text for o in others), p.name


def test_running_text_figures_change(plan_text: str) -> None:
    city = next(c for c in CITIES if c.name == "九江市")
    text = rewrite(plan_text, city, "十三五", random.Random(3))
    assert "九人社发〔" in text and "九江市人力资源和社会保障局" in text
    for phrase in ("城镇累积新增就业 12 万人", "月人均养老金达到 80 元", "发行社会保障卡150万张"):
        assert phrase in plan_text
        assert phrase not in text
    assert "12333" in text  # the hotline number is not a figure


def test_other_province_words(plan_text: str) -> None:
    city = next(c for c in CITIES if c.province == "湖南省")
    text = rewrite(plan_text, city, "十四五", random.Random(1))
    assert "江西" not in text and "赣" not in text
    assert "湖南省" in text and "2025年目标" in text and "十四五" in text


def test_rejects_source_city(plan_text: str) -> None:
    with pytest.raises(ValueError):
        rewrite(plan_text, distractors.City("景德镇市", "景", "江西省"), "十三五", random.Random(0))


def test_cli(tmp_path: Path) -> None:
    assert main(["3", str(tmp_path / "cli"), "--seed", "5"]) == 0
    assert len(list((tmp_path / "cli").glob("distractor_*.txt"))) == 3


def test_speed(tmp_path: Path) -> None:
    t0 = time.perf_counter()
    generate(200, tmp_path / "many", seed=0)
    assert time.perf_counter() - t0 < 8.0  # 1,000 documents must stay well under ~20 s
