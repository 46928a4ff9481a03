"""Q/A records from FAQ text and from Q&A spreadsheets (.csv / .xlsx written by the test)."""
from __future__ import annotations

from pathlib import Path

import pytest

from core.types import ParsedDocument
from ingest.document import parse_text
from ingest.errors import IngestError
from ingest.load import load_file

FAQ = """某市社会保险常见问题解答

一、参保缴费

问：灵活就业人员可以参加职工养老保险吗？

答：可以。在本市办理就业登记的灵活就业人员，可以个人身份参加职工基本养老保险。

问：缴费基数怎么确定？

答：按上年度全省全口径从业人员月平均工资的60%至300%之间自行选择。

依据：《某省基本养老保险条例》

二、待遇领取

1.退休人员在哪里领取养老金？

答：在最后参保地的社会保险经办机构申领。

2.养老金什么时候发放？

每月15日前发放到本人社会保障卡。
"""


def _parse(text: str, name: str = "faq.txt") -> ParsedDocument:
    return parse_text(text, name)


def test_faq_text_patterns() -> None:
    parsed = _parse(FAQ)
    qas = parsed.qas
    assert [q.question for q in qas] == [
        "灵活就业人员可以参加职工养老保险吗？", "缴费基数怎么确定？", "退休人员在哪里领取养老金？", "养老金什么时候发放？",
    ]
    assert qas[0].answer.startswith("可以。在本市办理就业登记")
    assert qas[1].source == "《某省基本养老保险条例》"
    assert "依据" not in qas[1].answer
    assert qas[3].answer == "每月15日前发放到本人社会保障卡。"  # numbered questions without 答：
    assert [q.category for q in qas] == ["参保缴费", "参保缴费", "待遇领取", "待遇领取"]
    for qa in qas:
        assert qa.section_path[-1] == qa.question
        chunk = next(c for c in parsed.chunks if c.ref == qa.id)
        assert chunk.kind == "qa" and chunk.section_path[-1] == qa.question
        assert qa.question in chunk.text and qa.answer[:10] in chunk.text
    # The answers are indexed once: as Q/A chunks, not again as paragraphs.
    assert not [c for c in parsed.chunks if c.kind == "text" and "每月15日前" in c.text]


def test_inline_question_and_answer_on_one_line() -> None:
    text = "关于失业保险的常见问题 " + " ".join(
        f"{n}、问题{n}怎么办理？答：第{n}个问题的答案是到窗口办理，需要带身份证和社保卡等材料原件。" for n in "一二三四五六")
    qas = _parse(text * 2 if len(text) < 500 else text).qas
    assert len(qas) >= 6
    assert qas[0].question == "问题一怎么办理？" and qas[0].answer.startswith("第一个问题的答案")


def test_a_lone_question_in_a_notice_is_not_an_faq() -> None:
    text = "关于做好就业工作的通知\n\n一、为什么要做好就业工作？\n\n就业是最大的民生。\n\n二、工作要求\n\n各地要落实责任。\n"
    assert _parse(text).qas == []


# ---------------------------------------------------------------------------- spreadsheets

ROWS = [
    ("社保", "失业保险金每月发多少？", "按本市最低工资标准的90%按月发放。", "失业保险条例"),
    ("就业", "一次性创业补贴的申请条件是什么？", "毕业5年内的高校毕业生在本市创办企业并正常经营6个月以上。", ""),
    ("就业", "灵活就业社保补贴怎么申请？", "", ""),  # no answer: named and skipped
    ("医保", "异地就医备案在哪里办？", "通过穗好办APP或医保经办窗口办理。", "医保经办规程"),
]


def _write_xlsx(path: Path, header: list[str], rows: list[tuple[str, ...]]) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    book.save(path)


def _write_csv(path: Path, header: list[str], rows: list[tuple[str, ...]], encoding: str = "utf-8-sig") -> None:
    import csv

    with open(path, "w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_spreadsheet_rows_become_qa_records(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"热线知识库{suffix}"
    header = ["分类", "问题", "答复内容", "政策依据"]
    (_write_xlsx if suffix == ".xlsx" else _write_csv)(path, header, ROWS)
    loaded = load_file(path)
    assert loaded.format == suffix[1:]
    assert len(loaded.warnings) == 1 and "row 4" in loaded.warnings[0] and "no answer" in loaded.warnings[0]
    assert path.name in loaded.warnings[0]
    parsed = parse_text(loaded.text, loaded.source, hints=loaded.meta)
    qas = {q.question: q for q in parsed.qas}
    assert list(qas) == [r[1] for r in ROWS if r[2]]
    first = qas["失业保险金每月发多少？"]
    assert (first.answer, first.category, first.source) == ("按本市最低工资标准的90%按月发放。", "社保", "失业保险条例")
    assert qas["一次性创业补贴的申请条件是什么？"].source == ""
    assert parsed.document.meta.title == "热线知识库"
    assert {c.ref for c in parsed.chunks if c.kind == "qa"} == {q.id for q in parsed.qas}


def test_gbk_csv_with_english_headers(tmp_path: Path) -> None:
    path = tmp_path / "kb.csv"
    _write_csv(path, ["Question", "Answer"], [("退休年龄是多少？", "按国家规定执行。")], encoding="gbk")
    parsed = parse_text(load_file(path).text, "kb.csv")
    assert [(q.question, q.answer) for q in parsed.qas] == [("退休年龄是多少？", "按国家规定执行。")]


def test_spreadsheet_without_question_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "名单.xlsx"
    _write_xlsx(path, ["姓名", "电话"], [("张三", "123")])
    with pytest.raises(IngestError) as info:
        load_file(path)
    assert "名单.xlsx" in str(info.value) and "问题" in str(info.value)


def test_broken_xlsx_is_named(tmp_path: Path) -> None:
    path = tmp_path / "坏.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(IngestError) as info:
        load_file(path)
    assert "坏.xlsx" in str(info.value)
