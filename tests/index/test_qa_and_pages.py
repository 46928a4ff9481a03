"""Q&A spreadsheets, FAQ records and web pages through the real pipeline, store and retriever."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from core.settings import Settings, load_settings
from index import store
from index.pipeline import build_index
from tests.conftest import PLAN_PATH

QUESTIONS = [
    ("社保", "失业保险金每月发多少钱？", "失业保险金按本市最低工资标准的百分之九十按月发放。", "失业保险条例"),
    ("就业", "一次性创业补贴的申请条件是什么？", "毕业五年内的高校毕业生在本市创办企业并正常经营六个月以上可以申请。", ""),
    ("医保", "异地就医备案在哪里办理？", "可以通过手机应用或到医保经办窗口办理异地就医备案。", "医保经办规程"),
    ("养老", "灵活就业人员怎样参加养老保险？", "持身份证到社保经办机构办理个人参保登记，按月或按年缴费。", ""),
]
NAV_PAGE = "<html><body><div class='nav'>" + "".join(
    f"<a href='/c{i}'>栏目{i}</a>" for i in range(40)) + "</div><footer>版权所有</footer></body></html>"
LOGIN_PAGE = ("<html><body><h1>用户登录</h1><form><input name=u><input type=password name=p>"
              "<a href='/r'>注册</a><a href='/f'>忘记密码</a><button>登录</button></form></body></html>")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(index_dir=tmp_path / "index", data_dir=tmp_path / "data")


def _write_xlsx(path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["类别", "问题", "答案", "来源"])
    for row in QUESTIONS[:2]:
        sheet.append(list(row))
    book.save(path)


def _write_csv(path: Path) -> None:
    import csv

    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["问题", "回答", "分类", "依据"])
        for cat, q, a, src in QUESTIONS[2:]:
            writer.writerow([q, a, cat, src])
        writer.writerow(["", "没有问题的一行", "", ""])


def _engine(settings: Settings) -> Any:
    from assistant.engine import Engine

    return Engine.open(settings=settings)


def test_qa_spreadsheets_answer_their_own_questions(tmp_path: Path, settings: Settings) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / PLAN_PATH.name).write_bytes(PLAN_PATH.read_bytes())
    _write_xlsx(docs / "热线知识库.xlsx")
    _write_csv(docs / "常见问题.csv")
    # The hotline's own knowledge base is local: the manifest says so (searches prefer local documents).
    region = settings.deployment.region
    (docs / "manifest.csv").write_text(f"file,region\n热线知识库.xlsx,{region}\n常见问题.csv,{region}\n", encoding="utf-8")
    report = build_index([docs], settings.index_dir, settings)
    assert report.documents == 3 and report.qas == 4
    assert any("常见问题.csv" in s and "row 4" in s for s in report.skipped)  # the bad row, by number

    records = store.Records(store.require_generation(Path(settings.index_dir)))
    assert {q.question for q in records.qas.values()} == {q for _, q, _, _ in QUESTIONS}
    by_question = {q.question: q for q in records.qas.values()}
    assert by_question["异地就医备案在哪里办理？"].source == "医保经办规程"

    engine = _engine(settings)
    for _, question, answer, _ in QUESTIONS:
        hits = engine.search(question, k=5)
        top = hits[0].chunk
        assert top.kind == "qa" and records.qas[top.ref].question == question, (question, top.text)
        assert answer[:12] in top.text


def test_pages_without_main_text_are_skipped_and_nothing_is_lost(tmp_path: Path, settings: Settings) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / PLAN_PATH.name).write_bytes(PLAN_PATH.read_bytes())
    first = build_index([docs], settings.index_dir, settings)
    assert first.documents == 1 and not first.skipped
    (docs / "栏目导航.html").write_text(NAV_PAGE, encoding="utf-8")
    (docs / "登录.html").write_text(LOGIN_PAGE, encoding="utf-8")
    second = build_index([docs], settings.index_dir, settings)
    assert second.documents == 1
    for name in ("栏目导航.html", "登录.html"):
        message = next(s for s in second.skipped if name in s)
        assert "has no main text" in message
    records = store.Records(store.require_generation(Path(settings.index_dir)))
    assert len(records.documents) == 1 and records.indicators  # the plan is still fully indexed


def test_old_generation_without_qas_still_loads(tmp_path: Path, settings: Settings) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / PLAN_PATH.name).write_bytes(PLAN_PATH.read_bytes())
    build_index([docs], settings.index_dir, settings)
    gen = store.require_generation(Path(settings.index_dir))
    (gen / "qas.jsonl").unlink()
    assert store.Records(gen).qas == {}
    # A parse cached before Q/A records existed loads as a document with none.
    cached = next((Path(settings.index_dir) / "cache").glob("*.json.gz"))
    import gzip

    with gzip.open(cached, "rt", encoding="utf-8") as f:
        data = json.load(f)
    data.pop("qas")
    for ind in data["indicators"]:
        ind.pop("roles"), ind.pop("years")
    from core.types import ParsedDocument

    data["document"]["offsets"] = store.unpack_offsets(data["document"]["offsets"])
    old = ParsedDocument.from_dict(data)
    assert old.qas == [] and old.indicators and old.indicators[0].roles == {}
