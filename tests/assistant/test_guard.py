"""The figure guard: pure functions, exact cases."""
from __future__ import annotations

import pytest

from assistant.guard import GuardResult, check_figures, numbers_in, sentence_spans, settled_end
from core.types import Citation

PLAN = "景德镇市人力资源和社会保障事业发展“十三五”规划"


def cite(n: int, text: str, document: str = PLAN, section: str = "") -> Citation:
    return Citation(n=n, chunk_id=f"c{n}", doc_id="d1", document=document, section=section, text=text, start=0, end=len(text))


PENSION = cite(
    1,
    "力争到“十三五”期末，城镇职工基本养老保险参保人数达 42.62 万人，城乡居民养老保险参保人数达 54.41 万人，"
    "城镇职工和居民基本医疗保险政策范围内住院费用支付比例稳定在 75% 左右。",
    section="二、指导思想 › （三）发展目标",
)
LOANS = cite(
    2,
    "“十三五”时期，按不超过毕业学年大学生人数 5% 的比例安排开展创业培训，发放创业担保贷款 21 亿元，扶持 1.2 万人创业。",
    section="三、主要任务 › （二）创业",
)
TABLE = cite(3, "4. 城镇职工基本养老保险参保人数(万人)\t45.73\t42.62\t约束性", section="专栏1")
SOURCES = [PENSION, LOANS, TABLE]


# -- numbers_in -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("参保人数达到42.62万人", ["42.62"]),
        ("支付比例稳定在 75% 左右", ["75%"]),
        ("支付比例 75 % 左右", ["75%"]),
        ("增长３．５％", ["3.5%"]),  # full-width digits, point and percent
        ("２０２０年", ["2020"]),
        ("发放 1,200 元", ["1200"]),
        ("2016,2017年", ["2016", "2017"]),  # not a thousands separator
        ("2016-2020年", ["2016", "2020"]),
        ("2018年1月19日", ["2018", "1", "19"]),
        ("42.60万人", ["42.6"]),  # value, not spelling
        ("第05号", ["5"]),
        ("0.5个百分点", ["0.5"]),
        ("达到 42.62 万人[1]。", ["42.62"]),  # citation marker ignored
        ("见[12]和[1][2]、[3,4]、［5］【6】", []),
        ("1. 城镇新增就业", []),  # list numbering at line start
        ("  2、扩大参保", []),
        ("- 3) 完善制度", []),
        ("10. 第十条", []),
        ("1.5万人创业", ["1.5"]),  # a decimal at line start is a figure
        ("（1）实施就业优先战略", []),
        ("(2) 完善制度 (12)", []),
        ("①落实政策 ②加强服务 ⑤开展试点", []),
        ("一、发展基础 二、十三五", []),  # Chinese numerals are not extracted
        ("正文\n3. 第三点有 18.17 万人", ["18.17"]),
        ("拨打12333咨询", ["12333"]),
        ("", []),
    ],
)
def test_numbers_in(text: str, expected: list[str]) -> None:
    assert numbers_in(text) == expected


def test_numbers_in_keeps_order_and_repeats() -> None:
    assert numbers_in("5万人，10万人，5万人") == ["5", "10", "5"]


def test_list_number_mid_line_is_a_figure() -> None:
    # Only line-start "1." is layout; "共 3. " in running text is rare, but "共 3 项" must count.
    assert numbers_in("共 3 项。1. 第一项") == ["3", "1"]


# -- check_figures --------------------------------------------------------------------------


def test_faithful_answer_passes() -> None:
    text = "“十三五”期末城镇职工基本养老保险参保人数目标为42.62万人[1]。\n- 发放创业担保贷款21亿元[2]。\n- 扶持1.2万人创业[2]。"
    assert check_figures(text, SOURCES) == GuardResult(ok=True, unsupported=[])


def test_invented_number_fails() -> None:
    result = check_figures("参保人数将达到 99 万人[1]。", SOURCES)
    assert result == GuardResult(ok=False, unsupported=["99"])


def test_number_must_be_in_the_cited_source() -> None:
    # 21 is in source 2, but the sentence cites 1.
    assert check_figures("发放创业担保贷款21亿元[1]。", SOURCES).unsupported == ["21"]
    assert check_figures("发放创业担保贷款21亿元[2]。", SOURCES).ok


def test_any_of_several_cited_sources_supports() -> None:
    assert check_figures("参保人数42.62万人，贷款21亿元[1][2]。", SOURCES).ok
    assert check_figures("参保人数42.62万人，贷款21亿元[1,2]。", SOURCES).ok


def test_uncited_sentence_may_use_any_source() -> None:
    assert check_figures("发放创业担保贷款21亿元。", SOURCES).ok
    assert check_figures("发放创业担保贷款22亿元。", SOURCES).unsupported == ["22"]


def test_marker_after_the_full_stop_belongs_to_that_sentence() -> None:
    assert check_figures("发放创业担保贷款21亿元。[2]", SOURCES).ok
    assert check_figures("发放创业担保贷款21亿元。[1]", SOURCES).unsupported == ["21"]


def test_clauses_with_their_own_markers_are_checked_separately() -> None:
    assert check_figures("养老参保42.62万人[1]；贷款21亿元[2]。", SOURCES).ok
    assert check_figures("养老参保42.62万人[2]；贷款21亿元[1]。", SOURCES).unsupported == ["42.62", "21"]
    # A clause without a marker takes its sentence's markers.
    assert check_figures("养老参保42.62万人；贷款21亿元[2]。", SOURCES).unsupported == ["42.62"]


@pytest.mark.parametrize(
    ("answer", "bad"),
    [
        ("支付比例10%[1]。", ["10%"]),  # "10" is not inside "2010"/"100"
        ("参保人数42万人[1]。", ["42"]),  # not a prefix of 42.62
        ("参保人数42.6万人[1]。", ["42.6"]),
        ("参保人数2.62万人[1]。", ["2.62"]),  # not a suffix either
        ("参保人数4262万人[1]。", ["4262"]),
        ("参保人数426200人[1]。", ["426200"]),  # converted units are not copies
        ("增加了3.11万人[3]。", ["3.11"]),  # 45.73 - 42.62: arithmetic is not allowed
        ("比例为5%[1]。", ["5%"]),
    ],
)
def test_number_boundaries_and_no_arithmetic(answer: str, bad: list[str]) -> None:
    assert check_figures(answer, SOURCES).unsupported == bad


def test_percent_in_answer_needs_percent_in_source() -> None:
    assert check_figures("比例为 75%[1]。", SOURCES).ok
    assert check_figures("比例为 75％[1]。", SOURCES).ok
    assert check_figures("有75项[1]。", SOURCES).ok  # a bare value may quote a percentage's number
    assert check_figures("扶持1.2%[2]。", SOURCES).unsupported == ["1.2%"]


def test_value_normalization_matches_spellings() -> None:
    assert check_figures("参保人数４２．６２万人[1]。", SOURCES).ok
    assert check_figures("参保人数42.620万人[1]。", SOURCES).ok
    assert check_figures("发放 1,200 元[9]。", [cite(9, "补贴1200元")]).ok


def test_out_of_range_marker_fails() -> None:
    assert check_figures("按规定办理[7]。", SOURCES) == GuardResult(ok=False, unsupported=["[7]"])
    assert check_figures("按规定办理[0]。", SOURCES).unsupported == ["[0]"]
    assert check_figures("按规定办理【4】。", SOURCES).unsupported == ["[4]"]


def test_numbers_under_an_out_of_range_marker_fail_too() -> None:
    assert check_figures("参保人数42.62万人[7]。", SOURCES).unsupported == ["[7]", "42.62"]


def test_no_sources_means_no_figures_and_no_markers() -> None:
    assert check_figures("文件中没有找到相关规定。", []).ok
    assert check_figures("参保人数42.62万人。", []).unsupported == ["42.62"]
    assert check_figures("见[1]。", []).unsupported == ["[1]"]


def test_the_profile_hotline_is_allowed_when_passed() -> None:
    hotline = {"12333"}
    assert check_figures("文件中没有找到相关规定。建议拨打12333人社服务热线咨询。", SOURCES, allowed=hotline).ok
    assert check_figures("请拨打12345咨询。", SOURCES, allowed=hotline).unsupported == ["12345"]
    assert check_figures("请拨打12333咨询。", SOURCES).unsupported == ["12333"]


def test_list_numbering_in_answer_is_not_checked() -> None:
    text = "主要目标如下[1]：\n1. 养老参保42.62万人[1]；\n2. 居民养老54.41万人[1]。\n（3）①支付比例75%[1]。"
    assert check_figures(text, SOURCES).ok


def test_title_and_section_numbers_count_as_source_text() -> None:
    c = cite(1, "扶持创业。", document="关于印发2018年就业工作要点的通知", section="专栏1")
    assert check_figures("见2018年要点专栏1[1]。", [c]).ok


def test_citation_numbers_follow_citation_n() -> None:
    assert check_figures("贷款21亿元[5]。", [cite(5, "发放创业担保贷款 21 亿元")]).ok
    assert check_figures("贷款21亿元[1]。", [cite(5, "发放创业担保贷款 21 亿元")]).unsupported == ["[1]", "21"]


def test_unsupported_is_deduplicated_in_order() -> None:
    assert check_figures("99万人[1]；88万人[1]；99万人[1]。", SOURCES).unsupported == ["99", "88"]


# -- sentence spans (used by the streaming guard) --------------------------------------------


def test_sentence_spans_cover_the_text() -> None:
    text = "第一句[1]。第二句！？“引号。”[2][3]\n- 要点[1]\n尾巴"
    spans = sentence_spans(text)
    assert "".join(text[s:e] for s, e in spans) == text
    assert [text[s:e] for s, e in spans] == ["第一句[1]。", "第二句！？", "“引号。”[2][3]", "\n", "- 要点[1]\n", "尾巴"]


@pytest.mark.parametrize(
    ("text", "end"),
    [
        ("第一句", 0),
        ("第一句。", 0),  # a marker may still follow
        ("第一句。 [", 0),
        ("第一句。[1", 0),
        ("第一句。[1]", 0),
        ("第一句。[1][2", 0),
        ("第一句。[1]第", 7),
        ("第一句。第二", 4),
        ("第一句\n第", 4),
        ("第一句。第二句。[", 4),
    ],
)
def test_settled_end(text: str, end: int) -> None:
    assert settled_end(text) == end
