"""The 27 saved Guangzhou government pages: metadata, no site furniture, FAQ records, flattened text.

Expected values were read by eye from each page as a browser shows it: the article title, the issuing
office (发布机构 / the title's issuer / 信息来源 when that is an office), and the date (成文日期, else the
date under the signature, else 发布时间). Pages are read from ../shared/corpora and never copied here.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest

from core.types import ParsedDocument
from ingest.document import parse_text
from ingest.load import load_file
from tests.ingest.shared_corpora import corpus_dir

# page prefix: (title, first issuer or "" when the page names none, date, region)
EXPECTED = {
    "02_": ("2026年广州市天河区积分制入学学位申请指引", "天河区教育局", "2026-06-25", "天河区"),
    "05_": ("广州市天河区教育局关于印发《2026年广州市天河区幼儿园招生工作方案》的通知", "广州市天河区教育局", "2026-04-20", "天河区"),
    "06_": ("广州市医疗保险服务中心关于开展2026年度广州市城乡居民基本医疗保险集中参保缴费工作的通告", "广州市医疗保险服务中心", "2025-10-17", "广州市"),
    "07_": ("无需个人垫付！广州异地就医备案，上“穗好办”快速办理！", "广州市医疗保障局", "2023-12-14", "广州市"),
    "08_": ("广州市卫生健康委等4部门关于印发推进广州市家庭医生签约服务高质量发展实施方案的通知", "广州市卫生健康委员会", "2023-10-19", "广州市"),
    "10_": ("广东多项医保新措1月1日起实施", "", "2025-01-01", "广东省"),  # a newspaper article (广州日报)
    "10b": ("广州市医疗保障局 广州市财政局 广州市卫生健康委员会关于印发广州市社会医疗保险统筹基金支付门诊特定病种费用范围及标准的通知", "广州市医疗保障局", "2019-06-17", "广州市"),
    "11_": ("广州市人民政府办公厅关于印发广州市公共租赁住房管理办法的通知", "广州市人民政府办公厅", "2024-07-26", "广州市"),
    "13_": ("广州市住房和城乡建设局关于进一步加强户籍家庭住房保障工作的通知", "广州市住房和城乡建设局", "2024-03-04", "广州市"),
    "14_": ("房屋租赁登记备案可以网办吗？您想了解的在这里！", "区住建园林局", "2023-07-27", "天河区"),
    "16_": ("广州市高校毕业生创业补贴，请查收", "市人力资源社会保障局", "2025-04-08", "广州市"),
    "18_": ("广州市人力资源和社会保障局广州市财政局关于印发广州市就业见习基地管理办法的通知", "广州市人力资源和社会保障局", "2019-10-09", "广州市"),
    "18b": ("广东省高校毕业生就业创业扶持政策清单", "广东省人力资源和社会保障厅", "2026-08-03", "广东省"),
    "19_": ("广州市失业保险常见问题解答（2025年11月版）", "广州市人力资源和社会保障局", "2025-12-05", "广州市"),
    "20_": ("广州市劳动人事争议仲裁网上申请流程", "广州市人力资源和社会保障局", "2022-05-06", "广州市"),
    "21_": ("灵活就业人员参加养老保险简介", "市人社局", "2021-08-05", "广州市"),
    "23_": ("2025年，广州市企业职工基本养老金申领详解", "市人力资源社会保障局", "2025-08-21", "广州市"),
    "25_": ("“社保服务进万家”问答课堂——如何进行企业基本养老保险转移", "广州市人力资源和社会保障局", "2025-10-15", "广州市"),
    "26_": ("广州市民政局 广州市财政局关于印发我市2025年最低生活保障及相关社会救助标准的通知", "广州市民政局", "2025-05-30", "广州市"),
    "28_": ("广州市人民政府办公厅关于进一步加强特困人员救助供养工作的通知", "广州市人民政府办公厅", "2021-04-13", "广州市"),
    "29_": ("广州市人民政府办公厅关于印发广州市临时救助实施细则的通知", "广州市人民政府办公厅", "2021-12-01", "广州市"),
    "30_": ("广州市民政局 广州市财政局 广州市市场监督管理局关于印发广州市老年人助餐配餐服务管理办法的通知", "广州市民政局", "2024-03-14", "广州市"),
    "33_": ("广州市老年人优待办法", "广州市人民政府办公厅", "2021-01-29", "广州市"),
    "35_": ("广州市人力资源和社会保障局 广州市公安局关于印发广州市引进人才入户管理办法实施细则的通知", "广州市人力资源和社会保障局", "2022-07-07", "广州市"),
    "35c": ("广州市人民政府办公厅关于印发广州市引进人才入户管理办法的通知", "广州市人民政府办公厅", "2020-06-29", "广州市"),
    "36b": ("广州市人民政府办公厅关于重新发布广州市积分制入户管理办法的通知", "广州市人民政府办公厅", "2025-06-30", "广州市"),
    "37_": ("中华人民共和国市场主体登记管理条例", "", "2021-07-30", "全国"),
}
# The issue's furniture words and what else these sites show around an article.
FURNITURE = ["返回顶部", "网站地图", "版权所有", "ICP备", "扫一扫", "浏览字号", "打印本页", "关闭窗口", "分享到", "首页",
             "当前位置", "联系我们", "主办单位", "技术支持", "字体大小", "浏览次数", "网站标识码", "市委组织部", "无障碍浏览"]
# Where a furniture word is part of the article's own sentence (checked by eye on the page).
IN_BODY = {("07_", "首页"): "首页—热门服务", ("37_", "首页"): "在其首页显著位置"}
# Q/A records counted by hand: 19 has 一…十六 plus 案例1–3 (each with 答：); 14 has three 问：/答： pairs;
# 25 is a 问答 page whose two top-level headings are its questions; the others ask nothing.
QA_COUNTS = {"19_": 19, "25_": 2, "14_": 3}


def _page(prefix: str) -> Path:
    return next(p for p in corpus_dir("guangzhou").glob("*.html") if p.name.startswith(prefix))


@lru_cache(maxsize=None)
def _parsed(prefix: str) -> ParsedDocument:
    loaded = load_file(_page(prefix))
    return parse_text(loaded.text, loaded.source, None, 400, hints=loaded.meta)


def test_every_page_is_listed() -> None:
    pages = sorted(p.name for p in corpus_dir("guangzhou").glob("*.html"))
    assert len(pages) == len(EXPECTED) == 27
    assert all(any(name.startswith(k) for name in pages) for k in EXPECTED)


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_title_issuer_date_region(prefix: str) -> None:
    meta = _parsed(prefix).document.meta
    title, issuer, date, region = EXPECTED[prefix]
    assert meta.title == title
    assert (meta.issuers[0] if meta.issuers else "") == issuer
    assert meta.issue_date == date
    assert meta.region == region


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_no_furniture_in_any_chunk(prefix: str) -> None:
    parsed = _parsed(prefix)
    assert len(parsed.chunks) >= 2
    for chunk in parsed.chunks:
        for word in FURNITURE:
            allowed = IN_BODY.get((prefix, word))
            text = chunk.text.replace(allowed, "") if allowed else chunk.text
            assert word not in text, f"{prefix}: furniture {word!r} in chunk {chunk.text[:80]!r}"


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_faq_records(prefix: str) -> None:
    parsed = _parsed(prefix)
    assert len(parsed.qas) == QA_COUNTS.get(prefix, 0)
    qa_chunks = {c.ref for c in parsed.chunks if c.kind == "qa"}
    assert qa_chunks == {q.id for q in parsed.qas}
    for qa in parsed.qas:
        assert qa.section_path[-1] == qa.question and qa.answer
        assert qa.question in parsed.document.text[qa.start:qa.end]


def test_faq_questions_and_answers_are_the_pages() -> None:
    qas = _parsed("19_").qas
    assert qas[0].question == "领取失业保险金需要符合什么条件？"
    assert qas[0].answer.startswith("失业人员同时符合下列条件的")
    case = next(q for q in qas if q.question.startswith("案例1"))
    assert case.answer.startswith("不能，")  # the "答：" prefix is not part of the answer
    assert qas[-1].question == "如何办理失业保险跨省转移？"


def test_main_text_is_kept() -> None:
    text = _parsed("26_").document.text
    assert "全市城乡最低生活保障标准为每人每月1309元" in text
    assert text.count("全市城乡最低生活保障标准为每人每月1309元") == 1  # a hidden second copy is not read
    # the article's colspan/rowspan table becomes records
    assert len(_parsed("08_").indicators) > 10


def _flattened(prefix: str) -> ParsedDocument:
    loaded = load_file(_page(prefix))
    one_line = re.sub(r"\s*\n\s*", "", loaded.text)
    assert "\n" not in one_line
    return parse_text(one_line, "flat.txt")


# Pages whose headings run straight into their body ("一、认定范围本市…", page 28) cannot be cut back
# without a delimiter; these pages put a sentence end, a space or a title between heading and text.
@pytest.mark.parametrize("prefix", ["11_", "26_", "29_", "30_", "33_", "35_", "37_"])
def test_flattened_page_has_the_pages_sections(prefix: str) -> None:
    page = [s.title for s in _parsed(prefix).sections if s.kind == "heading"]
    flat = [s.title for s in _flattened(prefix).sections if s.kind == "heading"]
    assert len(page) >= 2
    assert flat == page
