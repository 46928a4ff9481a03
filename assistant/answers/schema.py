"""A document's table columns by role, and which columns a question asks about.

Roles come from the headers (core.quantities.column_role), so a 十四五 plan's base and
2025 target columns work like a 十三五 plan's, with no column name in code.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.intent import Intent
from core.quantities import PERIODS, column_role
from core.types import Indicator


@dataclass(frozen=True)
class DocSchema:
    """Column names of one document's tables by role ("" when the document has no such column)."""

    base: str = ""
    target: str = ""
    plan_target: str = ""  # the previous period's plan target, e.g. 十二五规划目标
    actual: str = ""  # the previous period's result, e.g. 2015年完成数
    attribute: str = ""
    base_year: int | None = None
    target_year: int | None = None
    prev_period: str = ""  # period word of the plan-target column, e.g. 十二五

    @classmethod
    def from_indicators(cls, inds: list[Indicator]) -> "DocSchema":
        found: dict[str, tuple[str, int | None, str]] = {}
        for ind in inds:
            for col in ind.values:
                # Ingest stored each column's role (with the table-wide rule for bare-year headers).
                r = column_role(col)
                role = ind.roles.get(col, r.role)
                found.setdefault(role, (col, ind.years.get(col, r.year), r.period))
        if any(i.attribute for i in inds) and "attribute" not in found:
            found["attribute"] = (_ATTRIBUTE, None, "")

        def col(role: str) -> str:
            return found.get(role, ("", None, ""))[0]

        return cls(base=col("base"), target=col("target"), plan_target=col("plan_target"), actual=col("actual"),
                   attribute=col("attribute"), base_year=found.get("base", ("", None, ""))[1],
                   target_year=found.get("target", ("", None, ""))[1],
                   prev_period=found.get("plan_target", ("", None, ""))[2])

    @property
    def target_period(self) -> str:
        """The plan period the targets belong to (十三五 for 2020 targets)."""
        return next((w for w, (a, b) in PERIODS.items() if self.target_year and a <= self.target_year <= b), "")

    @property
    def years(self) -> set[int]:
        """Years the tables give figures for."""
        ys = {self.base_year, self.target_year}
        if self.prev_period:
            ys.add(PERIODS[self.prev_period][1])
        return {y for y in ys if y}

    def is_attribute(self, col: str) -> bool:
        return bool(col) and col == self.attribute


_ATTRIBUTE = "属性"  # the name ingest gives the attribute column when a table has one


def wanted_columns(text: str, intent: Intent, schema: DocSchema) -> list[str]:
    """Which columns a figure question is about, most likely first (names from the schema)."""
    s = schema
    prev = bool(s.prev_period) and (s.prev_period in intent.periods or s.prev_period in text)
    if prev:
        return _previous_period_columns(text, intent, s)
    cols: list[str] = []
    if intent.attribute and s.attribute:
        cols.append(s.attribute)
    base_year = s.base_year
    if (base_year and base_year in intent.years) or re.search(r"(基数|基期|起点|原来|以前|当时)", text):
        cols += [c for c in (s.base, s.actual) if c]
    asks_target = re.search(r"(目标|要达到|达到多少|计划|规划要|期末|到时候)", text)
    if (s.target_year and s.target_year in intent.years) or s.target_period in intent.periods or asks_target:
        cols.append(s.target)
    if intent.diff:
        cols += [c for c in (s.target, s.base) if c not in cols]
    if not cols and intent.quantity:
        cols.append(s.target)
    return [c for c in dict.fromkeys(cols) if c]


def _previous_period_columns(text: str, intent: Intent, s: DocSchema) -> list[str]:
    """A question naming the previous period: its plan target and result."""
    if (s.target_year and s.target_year in intent.years) or s.target_period in intent.periods \
            or (s.target_year and str(s.target_year) in text):
        return [c for c in (s.plan_target, s.target) if c]
    cols = []
    if re.search(r"(完成|实际|实现|达到了|结果)", text) or intent.met:
        cols.append(s.actual)
    if re.search(r"(目标|规划)", text) or intent.met or intent.diff:
        cols.append(s.plan_target)
    return [c for c in (cols or [s.plan_target, s.actual]) if c]
