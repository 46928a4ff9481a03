"""Indicator tables as data: every row becomes an ``Indicator`` with named columns."""
from __future__ import annotations

import re
from dataclasses import dataclass

from core.quantities import COMPARATOR_WORDS, UNIT_PATTERN, format_value
from core.types import Indicator, Value, content_id
from ingest.roles import ATTRIBUTE, UNIT, column_roles

_GROUP_RE = re.compile(r"^[一二三四五六七八九十]+[、.]\s*\S")
_ROW_RE = re.compile(r"^(\d{1,3})\s*[.、．]\s*(.+)$")
_UNIT_RE = re.compile(r"^(.*?)\s*[（(]([^（）()]{1,8})[）)]\s*$")
_VALUE_RE = re.compile(
    r"^(?P<cmp>[<>≤≥]|约|不低于|不少于|不超过|不高于|以上|以下)?\s*"
    r"(?P<num>-?\d+(?:\.\d+)?)\s*(?P<unit>" + UNIT_PATTERN + ")?"
    r"\s*(?P<post>左右|以上|以下|以内)?$"
)
ATTRIBUTE_COLUMN = "属性"


@dataclass
class TableLine:
    text: str
    start: int
    end: int


def column_name(header: str) -> str:
    """Canonical column name: quotes, spaces and glosses in brackets removed.

    "“十四五”规划目标" → "十四五规划目标"; "2020年基数 (完成数)" → "2020年基数".
    """
    name = re.sub(r"[（(][^（）()]*[）)]", "", header)
    name = re.sub(r"[“”\"'‘’\s]", "", name)
    return name or header.strip()


def parse_value(cell: str, row_unit: str | None) -> Value:
    raw = cell.strip()
    m = _VALUE_RE.match(raw.replace(",", ""))
    if not m:
        return Value(raw=raw)
    cmp_ = m.group("cmp") or m.group("post")
    if cmp_ in COMPARATOR_WORDS:
        cmp_ = COMPARATOR_WORDS[cmp_]
    elif cmp_ == "左右":
        cmp_ = "约"
    return Value(raw=raw, number=float(m.group("num")), comparator=cmp_, unit=m.group("unit") or row_unit)


def split_name_unit(cell: str) -> tuple[str, str | None]:
    m = _UNIT_RE.match(cell.strip())
    if m:
        return m.group(1).strip(), m.group(2).strip()
    return cell.strip(), None


def parse_table(
    lines: list[TableLine], *, doc_id: str, table_id: str, caption: str, section_path: list[str]
) -> list[Indicator]:
    """Rows of a TAB-separated table whose first line is the header."""
    if len(lines) < 2:
        return []
    header = [c.strip() for c in lines[0].text.split("\t")]
    columns = [column_name(h) for h in header[1:]]
    roles, years = column_roles([column_name(header[0]), *columns])
    indicators: list[Indicator] = []
    group = ""
    for line in lines[1:]:
        cells = [c.strip() for c in line.text.split("\t")]
        first = cells[0]
        rest = [c for c in cells[1:] if c]
        if not rest and _GROUP_RE.match(first):
            group = first
            continue
        m = _ROW_RE.match(first)
        row_no = int(m.group(1)) if m else len(indicators) + 1
        name, unit = split_name_unit(m.group(2) if m else first)
        values: dict[str, Value] = {}
        attribute = None
        for col, cell in zip(columns, cells[1:]):
            if not cell:
                continue
            if roles.get(col) == ATTRIBUTE:
                attribute = cell
            elif roles.get(col) == UNIT and unit is None:
                unit = cell
            values[col] = parse_value(cell, unit)
        if not values:
            continue
        indicators.append(
            Indicator(
                id=content_id(doc_id, table_id, row_no, line.text),
                doc_id=doc_id,
                table_id=table_id,
                caption=caption,
                group=group,
                row=row_no,
                name=name,
                unit=unit,
                values=values,
                attribute=attribute,
                section_path=list(section_path),
                start=line.start,
                end=line.end,
                row_text=line.text,
                roles=dict(roles),
                years=dict(years),
            )
        )
    return indicators


def render_row(ind: Indicator) -> str:
    """A row as readable text with its column names, for search and citations."""
    unit = f"（{ind.unit}）" if ind.unit else ""
    cells = "；".join(
        f"{col}：{format_value(v)}" for col, v in ind.values.items()
        if ind.roles.get(col, ATTRIBUTE if col == ATTRIBUTE_COLUMN else "") not in (ATTRIBUTE, UNIT)
    )
    attr = f"；属性：{ind.attribute}" if ind.attribute else ""
    group = f"{ind.group} › " if ind.group else ""
    return f"{ind.table_id} {ind.caption} › {group}{ind.row}. {ind.name}{unit}：{cells}{attr}"
