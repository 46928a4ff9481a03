"""Column roles on table records: every header gets a role and, where it names one, a year."""
from __future__ import annotations

from ingest.document import parse_text
from ingest.roles import column_roles


def test_thirteenth_plan_headers() -> None:
    roles, years = column_roles(["指标", "2015年基数", "2020年目标", "属性"])
    assert roles == {"指标": "item", "2015年基数": "base", "2020年目标": "target", "属性": "attribute"}
    assert years == {"2015年基数": 2015, "2020年目标": 2020}


def test_review_table_headers() -> None:
    roles, years = column_roles(["指标名称", "十二五规划目标", "2015年完成数", "实际完成", "单位"])
    assert roles["十二五规划目标"] == "plan_target"
    assert roles["2015年完成数"] == "actual" and years["2015年完成数"] == 2015
    assert roles["实际完成"] == "actual"
    assert roles["单位"] == "unit"
    assert years["十二五规划目标"] == 2015  # the plan period's last year


def test_bare_years_earliest_is_base() -> None:
    roles, years = column_roles(["项目", "2020年", "2025年"])
    assert roles == {"项目": "item", "2020年": "base", "2025年": "target"}
    assert years == {"2020年": 2020, "2025年": 2025}


def test_unknown_header_has_no_role() -> None:
    roles, _ = column_roles(["指标", "备注"])
    assert "备注" not in roles


# A 十四五 plan written for this test: other years, other words, the same kinds of columns.
FOURTEENTH_PLAN = """某市人力资源和社会保障事业发展“十四五”规划

一、发展目标

专栏1 “十四五”时期主要指标

指标\t2020年基数\t2025年目标\t年均增长\t属性
一、就业\t\t\t\t
1. 城镇新增就业（万人）\t10.2\t[11]\t—\t预期性
2. 城镇调查失业率（%）\t5.1\t<5.5\t—\t预期性
二、社会保险\t\t\t\t
3. 基本养老保险参保率（%）\t91\t95\t—\t约束性
"""


def test_fourteenth_plan_fixture_gets_roles_without_code_changes() -> None:
    parsed = parse_text(FOURTEENTH_PLAN, "十四五.txt")
    rows = {i.name: i for i in parsed.indicators}
    assert set(rows) == {"城镇新增就业", "城镇调查失业率", "基本养老保险参保率"}
    pension = rows["基本养老保险参保率"]
    assert pension.roles["2020年基数"] == "base" and pension.years["2020年基数"] == 2020
    assert pension.roles["2025年目标"] == "target" and pension.years["2025年目标"] == 2025
    assert pension.roles["属性"] == "attribute" and pension.attribute == "约束性"
    assert "年均增长" not in pension.roles  # a growth rate is none of the roles
    # Values stay keyed by the column's own name.
    assert pension.values["2025年目标"].number == 95
    assert rows["城镇调查失业率"].values["2025年目标"].comparator == "<"
    assert pension.group == "二、社会保险"
