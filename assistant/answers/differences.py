"""Differences between a row's base and target: exact decimals, with both figures shown."""
from __future__ import annotations

from collections.abc import Callable

from assistant import arith
from assistant.answers.schema import DocSchema
from core.quantities import format_value
from core.types import Indicator


def difference_line(cluster: list[Indicator], s: DocSchema, cite: Callable[[Indicator], int]) -> str | None:
    """"<name><target>比<base>增加N万人（…）" from the first row holding both columns."""
    row = next((i for i in cluster if s.base in i.values and s.target in i.values), None) if s.base and s.target else None
    if row is None:
        return None
    base, target = row.values[s.base], row.values[s.target]
    d = arith.difference(base, target)
    if d is None:
        return None
    verb = "增加" if d > 0 else ("减少" if d < 0 else "持平，变化")
    attr = f"，{row.attribute}指标" if row.attribute else ""
    return (f"{cluster[0].name}{s.target}比{s.base}{verb}{arith.fmt(abs(d))}{target.unit or ''}"
            f"（{s.base}{format_value(base)} → {s.target}{format_value(target)}{attr}）。[{cite(row)}]")
