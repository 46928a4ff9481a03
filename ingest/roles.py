"""What each column of an indicator table means, read from its header alone.

A plan's table says the same things with different words: "<year>年基数", "<year>年目标", "“<N>五”规划目标",
"<year>年完成数", "属性". Each header gets one role and, when it names one, a year, so answers can ask for
"the target" of any plan (十三五, 十四五, …) without knowing one document's column names.
"""
from __future__ import annotations

import re

BASE, TARGET, PLAN_TARGET, ACTUAL, ATTRIBUTE, UNIT, ITEM = (
    "base", "target", "plan_target", "actual", "attribute", "unit", "item")
ROLES = (BASE, TARGET, PLAN_TARGET, ACTUAL, ATTRIBUTE, UNIT, ITEM)

_YEAR = re.compile(r"((?:19|20)\d{2})(?!\d)")
# Checked in order: the first rule whose words a header contains gives its role.
_RULES: list[tuple[str, re.Pattern[str]]] = [
    (ATTRIBUTE, re.compile(r"属性|性质|约束性|预期性")),
    (UNIT, re.compile(r"^(?:计量)?单位$")),
    (PLAN_TARGET, re.compile(r"(?:规划|计划)(?:目标|值)|[一二三四五六七八九十]+五(?:规划)?目标")),
    (ACTUAL, re.compile(r"完成|实际|实现|达到|执行")),
    (BASE, re.compile(r"基数|基期|基准|基础值|现状")),
    (TARGET, re.compile(r"目标|预期|预计|规划")),
    (ITEM, re.compile(r"^(?:主要)?(?:指标|项目|名称|内容|类别|序号|指标名称)")),
]
_BARE_YEAR = re.compile(r"^(?:19|20)\d{2}(?:年(?:底|末)?)?$")


def year_of(header: str) -> int | None:
    m = _YEAR.search(header)
    return int(m.group(1)) if m else None


def header_role(header: str) -> str | None:
    """The role a header names by its words, or None (a bare year is decided by ``column_roles``)."""
    for role, pattern in _RULES:
        if pattern.search(header):
            return role
    return None


def column_roles(headers: list[str]) -> tuple[dict[str, str], dict[str, int]]:
    """Role and year of each column: ``(roles, years)`` keyed by the header as given.

    Headers that are only years ("2015年", "2020") are compared: the earliest is the base, later ones
    are targets. The first column of a table names its rows, so it is the item when nothing else fits.
    """
    roles: dict[str, str] = {}
    years: dict[str, int] = {}
    bare: list[str] = []
    for i, header in enumerate(headers):
        if (year := year_of(header)) is not None:
            years[header] = year
        if _BARE_YEAR.match(header):
            bare.append(header)
        elif role := header_role(header):
            roles[header] = role
        elif i == 0:
            roles[header] = ITEM
    if bare:
        first = min(bare, key=lambda h: years[h])
        for header in bare:
            roles[header] = BASE if header == first and len(bare) > 1 else TARGET
    return roles, years
