"""Indicator records (规划指标) for staff: filter, read as JSON, or export to Excel as CSV."""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from functools import lru_cache
from typing import Literal
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import EngineDep
from api.schemas import TargetOut, TargetsResponse
from core.types import Indicator

router = APIRouter(prefix="/api", tags=["指标"])
_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _query_tools():  # type: ignore[no-untyped-def]
    """retriever.query's normalizer and thesaurus when available; plain NFKC otherwise."""
    try:
        from retriever.query import Thesaurus, normalize

        return normalize, Thesaurus.load()
    except Exception:  # the retriever is optional here: matching names still works without synonyms
        return (lambda s: unicodedata.normalize("NFKC", s)), None


def _norm(text: str) -> str:
    normalize, _ = _query_tools()
    return _SPACE.sub("", normalize(text or "")).lower()


def _terms(q: str) -> list[str]:
    normalize, thesaurus = _query_tools()
    terms = [_norm(q)]
    if thesaurus is not None:
        try:
            terms += [_norm(t) for t in thesaurus.expand(normalize(q))]
        except Exception:
            pass
    return [t for t in dict.fromkeys(terms) if t]


def find_targets(indicators: list[Indicator], q: str | None, table: str | None,
                 attribute: str | None) -> list[Indicator]:
    terms = _terms(q) if q and q.strip() else []
    table_n = _norm(table) if table else ""
    attr_n = _norm(attribute) if attribute else ""
    out = []
    for ind in indicators:
        if table_n and _norm(ind.table_id) != table_n:
            continue
        if attr_n and _norm(ind.attribute or "") != attr_n:
            continue
        if terms and not any(t in _norm(ind.name) for t in terms):
            continue
        out.append(ind)
    return out


def to_out(ind: Indicator, titles: dict[str, str]) -> TargetOut:
    return TargetOut(id=ind.id, table=ind.table_id, caption=ind.caption, group=ind.group, row=ind.row, name=ind.name,
                     unit=ind.unit, values={k: v.raw for k, v in ind.values.items()}, attribute=ind.attribute,
                     document=titles.get(ind.doc_id, ""), document_id=ind.doc_id, section=" › ".join(ind.section_path))


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # Excel runs a cell starting with = + - @ as a formula; plain numbers such as -0.5 are left alone.
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not re.fullmatch(r"[-+]?\d+(\.\d+)?%?", text):
        return "'" + text
    return text


def to_csv(rows: list[TargetOut], columns: list[str]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["表格", "表格标题", "分组", "序号", "指标", "单位", *columns, "属性", "文件", "章节"])
    for r in rows:
        w.writerow([_cell(x) for x in (r.table, r.caption, r.group, r.row, r.name, r.unit,
                                       *(r.values.get(c, "") for c in columns), r.attribute, r.document, r.section)])
    return "\ufeff" + buf.getvalue()  # the BOM is what makes Excel read the file as UTF-8, not GBK


@router.get("/targets", response_model=TargetsResponse, summary="规划指标查询与导出",
            responses={200: {"content": {"text/csv": {}}, "description": "JSON；format=csv 时为 Excel 可直接打开的 CSV"}})
def targets(engine: EngineDep,
            q: str | None = Query(None, max_length=100, description="指标名称关键词（支持常用说法，如 社保卡）",
                                  examples=["参保人数"]),
            table: str | None = Query(None, max_length=50, description="表格编号，如 专栏2", examples=["专栏2"]),
            attribute: str | None = Query(None, max_length=20, description="约束性 或 预期性", examples=["约束性"]),
            format: Literal["json", "csv"] = Query("json", description="json 或 csv")):  # noqa: A002
    """规划中各指标表的每一行：表格、分组、指标名称、单位、各列数值（保持原文写法）、属性、所在文件与章节。"""
    records = engine.generation.records
    titles = {d.id: d.meta.title or d.source for d in records.documents.values()}
    rows = [to_out(i, titles) for i in find_targets(records.indicators, q, table, attribute)]
    columns = list(dict.fromkeys(c for r in rows for c in r.values))
    if format == "csv":
        name = quote("规划指标.csv")
        # filename for old clients, filename* (RFC 6266) for a Chinese name in current browsers.
        disposition = f"attachment; filename=\"targets.csv\"; filename*=UTF-8''{name}"
        return Response(to_csv(rows, columns), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": disposition})
    return TargetsResponse(count=len(rows), columns=columns, targets=rows)
