from decimal import Decimal

import pytest

from assistant.arith import completion_rate, difference, fmt, met_target
from core.types import Value


def v(raw: str, number: float, cmp: str | None = None, unit: str | None = "万人") -> Value:
    return Value(raw=raw, number=number, comparator=cmp, unit=unit)


def test_difference_is_exact_decimal() -> None:
    assert difference(v("8.3", 8.3), v("10", 10.0)) == Decimal("1.7")
    assert fmt(difference(v("141.08", 141.08), v("148.5", 148.5))) == "7.42"
    assert fmt(difference(v("45.73", 45.73), v("42.62", 42.62))) == "-3.11"
    assert fmt(Decimal("62.50")) == "62.5" and fmt(Decimal("14.0")) == "14"


@pytest.mark.parametrize(
    "target,actual,met",
    [
        (v("32", 32), v("27.33", 27.33), False),
        (v("6.7", 6.7), v("9.72", 9.72), True),
        (v("13.6", 13.6), v("13.6", 13.6), True),
        (v("<3.5", 3.5, "<", "%"), v("<3.5", 3.5, "<", "%"), True),
        (v("<3.5", 3.5, "<", "%"), v("3.9", 3.9, None, "%"), False),
        (v(">13", 13, ">", "%"), v("16.27", 16.27, None, "%"), True),
        (v(">13", 13, ">", "%"), v("13", 13, None, "%"), False),
        (v("97", 97, None, "%"), v("96", 96, None, "%"), False),
    ],
)
def test_met_target_honours_comparators(target: Value, actual: Value, met: bool) -> None:
    assert met_target(target, actual).met is met


def test_met_target_cannot_judge_a_range_against_a_plain_target() -> None:
    assert met_target(v("95", 95), v(">90", 90, ">")).met is None


def test_completion_rate() -> None:
    assert completion_rate(v("155.46", 155.46), v("71.98", 71.98)) == Decimal("46.3")
