"""Units, periods and numbers as written."""
from __future__ import annotations

import pytest

from core.quantities import as_digits, cn_int



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
