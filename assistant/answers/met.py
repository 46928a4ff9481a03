"""Met or not met, completion rates, and the list of unmet targets of the previous period."""
from __future__ import annotations

from collections.abc import Callable

from assistant import arith
from assistant.answers.base import Query
from assistant.answers.library import Library
from assistant.answers.schema import DocSchema
from assistant.citations import CiteBook
from core.quantities import format_value
from core.types import Answer, Indicator


def _pair(i: Indicator, s: DocSchema) -> bool:
    return bool(s.plan_target and s.actual) and s.plan_target in i.values and s.actual in i.values


def met_line(cluster: list[Indicator], s: DocSchema, rate: bool, cite: Callable[[Indicator], int]) -> str | None:
    """Whether the row's plan target was met (comparators respected), or its completion rate."""
    row = next((i for i in cluster if _pair(i, s)), None)
    if row is None:
        return None
    target, actual = row.values[s.plan_target], row.values[s.actual]
    t, a = format_value(target), format_value(actual)
    period = f"“{s.prev_period}”" if s.prev_period else ""
    if rate:
        return f"{row.name}{period}规划目标{t}，{s.actual}{a}，完成率约{arith.completion_rate(target, actual)}%。[{cite(row)}]"
    verdict = arith.met_target(target, actual)
    status = "无法从数字判断是否完成" if verdict.met is None else ("已完成" if verdict.met else "未完成")
    gap = ""
    d = arith.difference(target, actual)
    if d is not None and target.comparator is None and actual.comparator is None and d != 0:
        gap = f"，比目标{'多' if d > 0 else '少'}{arith.fmt(abs(d))}{target.unit or ''}"
    return f"{period}时期{row.name}目标{status}：规划目标{t}，{s.actual}{a}{gap}。[{cite(row)}]"


class UnmetList:
    """"十二五哪些没完成": every row whose plan target was not met."""

    def __init__(self, lib: Library):
        self.lib = lib

    def run(self, q: Query, doc_id: str) -> Answer | None:
        s = self.lib.schema(doc_id)
        rows = [i for i in self.lib.inds.get(doc_id, []) if _pair(i, s)]
        if not rows:
            return None
        unmet = [i for i in rows if arith.met_target(i.values[s.plan_target], i.values[s.actual]).met is False]
        book = CiteBook()
        period = f"“{s.prev_period}”时期" if s.prev_period else ""
        lines = [f"{period}{len(rows)}项主要发展指标中，有{len(unmet)}项未完成："]
        for k, i in enumerate(unmet, start=1):
            n = book.add(self.lib.row_chunk[i.id])
            lines.append(f"{k}. {i.name}：目标{format_value(i.values[s.plan_target])}，"
                         f"{s.actual}{format_value(i.values[s.actual])}[{n}]")
        return Answer(text="\n".join(lines), citations=book.items, grounded=True, kind="list",
                      meta={"followup": {"kind": "list", "indicators": [i.id for i in unmet]}})
