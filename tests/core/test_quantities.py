"""Units, periods and numbers as written."""
from __future__ import annotations

import pytest

from core.quantities import as_digits, cn_int, range_fit, stated_values, value_ranges



def test_small_counts_in_digits_or_one_numeral() -> None:
    from core.quantities import small_int

    assert [small_int(w) for w in ("4", "四", "两", "十", "十二", "")] == [4, 4, 2, 10, 0, 0]


def test_cn_int() -> None:
    words = ("一", "九", "十", "十二", "二十", "二十三", "五百", "一百二十", "一千零五", "两万", "三十万")
    assert [cn_int(t) for t in words] == [1, 9, 10, 12, 20, 23, 500, 120, 1005, 20000, 300000]


@pytest.mark.parametrize(("text", "expected"), [
    ("处五日以上十日以下拘留，可以并处五百元以下罚款", "处5日以上10日以下拘留，可以并处500元以下罚款"),
    ("捐赠额未超过百分之三十的部分", "捐赠额未超过30%的部分"),
    ("延长两个月，补贴三十万元", "延长2个月，补贴300000元"),
    # ordinals, words and counters are not figures
    ("第五条 一律认定为工伤，十分重要，统一办理", "第五条 一律认定为工伤，十分重要，统一办理"),
    ("三项社会保险，一个窗口，两万个岗位", "三项社会保险，一个窗口，两万个岗位"),
])
def test_as_digits(text: str, expected: str) -> None:
    assert as_digits(text) == expected


def test_values_a_question_states_with_a_scale_unit() -> None:
    assert stated_values("我爸照护需求评估是4级，送餐有补贴吗？") == [(4.0, "级")]
    assert stated_values("我五十岁了还能申请吗") == [(50.0, "岁")]  # Chinese numerals too
    assert stated_values("2020年的目标") == [(2020.0, "年份")]  # a calendar year, not a duration
    assert stated_values("16-60周岁") == []  # a range's bounds are not stated values
    assert stated_values("选定的医院一年内可以换吗") == stated_values("80岁以上老人的津贴") == []  # nor the question's own
    assert stated_values("缴费满15年能领吗") == [(15.0, "年")]


def test_two_sided_ranges_and_their_units() -> None:
    text = "老年人照护需求等级1-2级补贴标准为每人每次2元，3-5级补贴标准为每人每次4元"
    assert value_ranges(text) == [(1.0, 2.0, "级"), (3.0, 5.0, "级")]
    assert value_ranges("年龄在16至60周岁之间") == value_ranges("16周岁至60周岁") == [(16.0, 60.0, "岁")]
    assert value_ranges("2016-2020年") == [(2016.0, 2020.0, "年份")]


def test_a_range_holds_or_leaves_out_the_stated_value() -> None:
    four = [(4.0, "级")]
    assert range_fit(four, "1-2级补贴标准为每人每次2元") == -1
    assert range_fit(four, "3-5级补贴标准为每人每次4元") > range_fit(four, "1-5级老年人可享受送餐补贴") > 1  # narrower first
    assert range_fit(four, "每人每次2元") == 0  # no range of that unit
    assert range_fit([(2020.0, "年份")], "缓缴期限1-3年") == 0  # a year says nothing of a duration
    assert range_fit([], "1-2级") == 0


def test_the_units_a_text_sets_a_condition_on() -> None:
    from core.quantities import conditioned_units

    assert conditioned_units("外省户籍男性年满50周岁和女性年满40周岁") == {"岁"}
    assert conditioned_units("60周岁以上的老人") == conditioned_units("年龄在16至60周岁") == {"岁"}
    assert conditioned_units("缴费满十五年") == {"年"}
    assert conditioned_units("每人每次2元") == conditioned_units("2020年以前") == set()
