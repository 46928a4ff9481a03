"""Quantities: plan periods, units, comparators, table column roles and value formatting.

One home for each of these facts; ingest, retriever and the answers import them from here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from core.types import Value

# Five-year plan periods: word → (first year, last year).
PERIODS: dict[str, tuple[int, int]] = {
    "十五": (2001, 2005), "十一五": (2006, 2010), "十二五": (2011, 2015), "十三五": (2016, 2020),
    "十四五": (2021, 2025), "十五五": (2026, 2030), "十六五": (2031, 2035),
}
PERIOD_WORD = re.compile("|".join(sorted(PERIODS, key=len, reverse=True)))


def period_range(word: str) -> str:
    """``十三五`` → ``2016-2020`` (empty for an unknown word)."""
    span = PERIODS.get(word)
    return f"{span[0]}-{span[1]}" if span else ""


def period_word(period: str) -> str:
    """``2016-2020`` → ``十三五`` (empty when the range is not a plan period)."""
    return next((w for w, (a, b) in PERIODS.items() if period == f"{a}-{b}"), "")


def period_years(period: str) -> range:
    """Years of a ``YYYY-YYYY`` range (empty when it is not one)."""
    m = re.fullmatch(r"(\d{4})-(\d{4})", period or "")
    return range(int(m.group(1)), int(m.group(2)) + 1) if m else range(0)


def in_period(year: int, period: str) -> bool:
    return year in period_years(period)


# Units as written in plans and notices, longest first so "万人次" wins over "万人".
UNITS = ("万人次", "万人", "万张", "万元", "亿元", "万户", "个百分点", "人次", "名", "人", "元", "个", "家", "所", "张", "项", "户",
         "次", "倍", "年", "%")
# The end of a plan period by its word: 十三五 → 2020.
PERIOD_END = {w: b for w, (_, b) in PERIODS.items()}
UNIT_PATTERN = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
# Characters that continue a number as written ("2020 年", "20 万", "15 分钟", "10 号"): units,
# magnitudes and calendar and clock parts.
NUMBER_TAIL = frozenset(u[0] for u in UNITS) | frozenset("月日时点分秒万亿千百角条号件天周岁‰米吨度")
# Comparators as words → symbol; "约" stands for 左右/约.
COMPARATOR_WORDS = {"不低于": "≥", "不少于": "≥", "以上": "≥", "不超过": "≤", "不高于": "≤", "以下": "≤", "以内": "≤"}
COMPARATORS = ("<", ">", "≤", "≥")


def format_value(v: Value) -> str:
    """The value as a reader expects it: "<3.5%", "42.62万人", "约束性"."""
    if v.number is None:
        return v.raw
    num = v.raw
    m = re.search(r"-?\d+(?:\.\d+)?", v.raw)
    if m:
        num = m.group(0)
    cmp_ = v.comparator if v.comparator in COMPARATORS else ("约" if v.comparator == "约" else "")
    return f"{cmp_}{num}{v.unit or ''}"


# -- table column roles --------------------------------------------------------------------------

ROLES = ("base", "target", "plan_target", "actual", "attribute", "unit", "item", "value")


@dataclass(frozen=True)
class ColumnRole:
    """What a table column holds, read from its header: "2025年目标" → target of 2025."""

    role: str
    year: int | None = None
    period: str = ""  # plan-period word named by the header, e.g. 十二五 in "十二五规划目标"


def column_role(header: str) -> ColumnRole:
    """Infer a column's role from its header alone, so any plan's columns need no code."""
    h = re.sub(r"[“”\"'‘’\s]", "", header)
    year_m = re.search(r"(\d{4})年?", h)
    year = int(year_m.group(1)) if year_m else None
    pm = PERIOD_WORD.search(h)
    period = pm.group(0) if pm else ""
    if re.search(r"属性|性质|指标类型", h):
        return ColumnRole("attribute")
    if re.fullmatch(r"(计量)?单位", h):
        return ColumnRole("unit")
    if re.search(r"规划目标|计划目标", h) or (period and "目标" in h and year is None):
        return ColumnRole("plan_target", year or (PERIODS[period][1] if period else None), period)
    if re.search(r"目标|预期|规划值|到\d{4}", h):
        return ColumnRole("target", year, period)
    if re.search(r"基数|基期|基准", h):
        return ColumnRole("base", year, period)
    if re.search(r"完成|实际|实现|现状", h):
        return ColumnRole("actual", year or (PERIODS[period][1] if period else None), period)
    if re.fullmatch(r"(指标|项目|名称|指标名称|序号)", h):
        return ColumnRole("item")
    return ColumnRole("value", year, period)


_SMALL_CN = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)} | {"两": 2}
_CN_DIGIT = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_CN_SCALE = {"十": 10, "百": 100, "千": 1000}
_CN_NUMERAL = "零〇一二两三四五六七八九十百千万亿"
# A Chinese numeral that is a figure: followed by a unit of time, money or age ("五日以上", "三十万元", "两个月"),
# not an ordinal ("第五条") nor a word ("一律", "统一", "十分重要").
# Counters stay words: "三项社会保险" and "一个窗口" describe, where "三个月" and "五百元" are figures.
_CN_FIGURE = re.compile(rf"(?<![第{_CN_NUMERAL}])([零〇一二两三四五六七八九十][{_CN_NUMERAL}]*)"
                        r"(?=个(?:月|工作日|小时)|[日天周岁元倍]|月(?!份)|年(?![级度])|小时|分钟|工作日|万元|亿元)")
_CN_PERCENT = re.compile(rf"百分之([{_CN_NUMERAL}]+)")


def cn_int(text: str) -> int:
    """一 → 1, 十二 → 12, 二十三 → 23, 五百 → 500, 三十万 → 300000, 一千零五 → 1005."""
    for mark, scale in (("亿", 10**8), ("万", 10**4)):
        if mark in text:
            high, _, low = text.partition(mark)
            return (cn_int(high) if high else 1) * scale + (cn_int(low) if low else 0)
    total, digit = 0, None
    for c in text:
        if c in _CN_SCALE:
            total += (1 if digit is None else digit) * _CN_SCALE[c]
            digit = None
        else:
            digit = _CN_DIGIT.get(c, 0)
    return total + (digit or 0)


def as_digits(text: str) -> str:
    """``text`` with its Chinese-numeral figures in digits ("处五日以上十日以下拘留" → "处5日以上10日以下拘留",
    "百分之三十" → "30%"), for judging what a clause states; answers quote the original."""
    if not any(c in _CN_NUMERAL for c in text):
        return text
    text = _CN_PERCENT.sub(lambda m: f"{cn_int(m.group(1))}%", text)
    return _CN_FIGURE.sub(lambda m: str(cn_int(m.group(1))), text)


def small_int(word: str) -> int:
    """A count written in digits or as one Chinese numeral up to 十 ("4", "四", "两"); 0 when it is neither."""
    if word.isdigit():
        return int(word)
    return _SMALL_CN.get(word, 0)


# Scales a citizen states a value of ("我爸照护需求评估是4级", "我50岁了", "交了3年"), and a clause bounds on both
# sides ("3-5级补贴标准为每人每次4元", "16至60周岁"). Units are compared by their first spelling here.
_SCALE_UNITS = {"周岁": "岁", "岁": "岁", "级": "级", "个月": "月", "年": "年"}
_SCALE = "|".join(sorted(_SCALE_UNITS, key=len, reverse=True))
# Not a bound the question sets itself ("一年内可以换吗", "80岁以上的老人"): that is a range, not the asker's value.
_STATED = re.compile(rf"(?<![\d.\-－—–~～至到])(\d+(?:\.\d+)?)\s*({_SCALE})(?![\d\-－—–~～至到]|[内后前]|以[内上下]|之[内后前]|及以)")
_RANGE = re.compile(rf"(\d+(?:\.\d+)?)\s*(?:{_SCALE})?\s*(?:-|－|—|–|~|～|至|到)\s*(\d+(?:\.\d+)?)\s*({_SCALE})")


# What a condition on each scale is called, for saying that the passages set none.
SCALE_NAMES = {"岁": "年龄", "年": "年限", "月": "时长", "级": "等级"}


def _scale(value: float, unit: str) -> str:
    # "2020年" is a calendar year and "3年" a duration: a year stated says nothing of a "3-5年" range.
    unit = _SCALE_UNITS[unit]
    return "年份" if unit == "年" and value >= 1000 else unit


def stated_values(text: str) -> list[tuple[float, str]]:
    """The values with a scale unit a text states on their own, not as a bound of a range ("4级" → (4, "级"))."""
    return [(v := float(m.group(1)), _scale(v, m.group(2))) for m in _STATED.finditer(as_digits(text))]


def value_ranges(text: str) -> list[tuple[float, float, str]]:
    """The two-sided ranges of a text, low to high, with their unit ("1-2级", "16至60周岁")."""
    out = []
    for m in _RANGE.finditer(as_digits(text)):
        low, high = sorted((float(m.group(1)), float(m.group(2))))
        out.append((low, high, _scale(low, m.group(3))))
    return out


# A one-sided condition on a scale: "年满16周岁", "不满50周岁", "60周岁以上", "3个月以内".
_BOUND = re.compile(rf"(?:年满|满|未满|不满|不足|超过|大于|高于|低于|小于|不低于|不少于|不超过|不高于)(\d+(?:\.\d+)?)\s*({_SCALE})"
                    rf"|(\d+(?:\.\d+)?)\s*({_SCALE})(?:及|或)?(?:以上|以下|以内)")


def conditioned_units(text: str) -> set[str]:
    """The scale units a text sets a condition on, by a range or a bound ("年满16周岁" → {"岁"})."""
    digits = as_digits(text)
    out = {unit for _, _, unit in value_ranges(digits)}
    for m in _BOUND.finditer(digits):
        value, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        out.add(_scale(float(value), unit))
    return out


def range_fit(values: list[tuple[float, str]], text: str) -> float:
    """Above 1 when a range of the text holds one of the values, the more the narrower it is ("3-5级" over
    "1-5级" for 4级); -1 when the text has ranges of their units and none holds one; 0 when it has none of
    those units (or no value was stated)."""
    if not values:
        return 0.0
    ranges = [r for r in value_ranges(text) if any(u == r[2] for _, u in values)]
    if not ranges:
        return 0.0
    widths = [hi - lo for v, u in values for lo, hi, unit in ranges if lo <= v <= hi and u == unit]
    return 1 + 1 / (1 + min(widths)) if widths else -1.0
