"""GET /api/targets: indicator records for staff, JSON and Excel-ready CSV."""
from __future__ import annotations

import csv
import io

from api.routes.targets import _cell


def test_query_matches_names(client):
    body = client.get("/api/targets", params={"q": "生育保险参保人数"}).json()
    assert body["count"] == len(body["targets"]) >= 2  # 专栏1 (十二五) and 专栏2 (十三五)
    row = next(t for t in body["targets"] if t["table"] == "专栏2")
    assert row["name"] == "生育保险参保人数" and row["unit"] == "万人"
    assert row["values"]["2020年目标"] == "10" and row["attribute"] == "约束性"
    assert "十三五" in row["document"] and "专栏2" in row["section"] and row["group"].endswith("社会保障")
    assert set(body["columns"]) >= {"2015年基数", "2020年目标"}


def test_query_is_normalized_and_expanded_with_the_thesaurus(client):
    wide = client.get("/api/targets", params={"q": "生育保险 参保人数"}).json()
    assert wide["count"] >= 2  # spaces and full-width characters don't matter
    card = client.get("/api/targets", params={"q": "社保卡"}).json()  # colloquial name of 社会保障卡
    assert card["count"] >= 1 and all("社会保障卡" in t["name"] for t in card["targets"])


def test_filters(client):
    all_rows = client.get("/api/targets").json()
    table = client.get("/api/targets", params={"table": "专栏2"}).json()
    binding = client.get("/api/targets", params={"table": "专栏2", "attribute": "约束性"}).json()
    assert all_rows["count"] > table["count"] > binding["count"] > 0
    assert {t["attribute"] for t in binding["targets"]} == {"约束性"}
    assert client.get("/api/targets", params={"q": "没有这个指标"}).json() == {"count": 0, "columns": [],
                                                                             "targets": []}


def test_csv_export_opens_in_excel(client):
    r = client.get("/api/targets", params={"table": "专栏2", "format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"].startswith("attachment;") and "filename*=UTF-8''" in r.headers[
        "content-disposition"]
    assert r.content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    header = rows[0]
    assert header[:6] == ["表格", "表格标题", "分组", "序号", "指标", "单位"] and header[-3:] == ["属性", "文件", "章节"]
    fert = next(row for row in rows if "生育保险参保人数" in row)
    assert fert[header.index("2020年目标")] == "10"
    assert len(rows) - 1 == client.get("/api/targets", params={"table": "专栏2"}).json()["count"]


def test_csv_cells_cannot_become_formulas():
    assert _cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert _cell("@SUM(A1)") == "'@SUM(A1)"
    assert _cell("-0.5") == "-0.5" and _cell("<3.5") == "<3.5" and _cell(None) == ""


def test_bad_parameters(client):
    assert client.get("/api/targets", params={"format": "xlsx"}).status_code == 422
    assert client.get("/api/targets", params={"q": "x" * 101}).status_code == 422
