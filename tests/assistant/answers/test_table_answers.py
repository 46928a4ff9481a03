"""Figure components on a hand-written 十四五 plan: roles, not column names, pick the figures."""
from __future__ import annotations

import pytest

from assistant.answers.base import Query
from assistant.answers.config import AnswerConfig
from assistant.answers.library import Library
from assistant.answers.lookup import look_up
from assistant.answers.met import UnmetList
from assistant.answers.schema import DocSchema, wanted_columns
from assistant.answers.values import TableValues
from assistant.intent import read_intent
from core.quantities import ColumnRole, column_role
from core.types import Hit
from retriever.query import Thesaurus, analyze
from tests.assistant.answers.fixtures import PROFILE, fourteenth_plan

THESAURUS = Thesaurus.parse([])


@pytest.fixture(scope="module")
def lib() -> Library:
    return Library(fourteenth_plan(), PROFILE)  # type: ignore[arg-type]


def _query(text: str) -> Query:
    plan = analyze(text, THESAURUS)
    return Query(question=text, resolved=text, plan=plan, current=plan.text,
                 intent=read_intent(plan.normalized, plan.periods, plan.years))


def _answer(lib: Library, text: str) -> str:
    q = _query(text)
    hits = [Hit(chunk=c, score=1.0) for c in lib.records.chunks]
    found = look_up(q, hits, lib, "p14", AnswerConfig())
    cols = wanted_columns(q.question, q.intent, lib.schema("p14"))
    return TableValues(lib, AnswerConfig()).run(q, found, cols).text


@pytest.mark.parametrize("header,role", [
    ("2020年基数", ColumnRole("base", 2020)), ("2025年目标", ColumnRole("target", 2025)),
    ("“十三五”规划目标", ColumnRole("plan_target", 2020, "十三五")), ("2020年完成数", ColumnRole("actual", 2020)),
    ("属性", ColumnRole("attribute")), ("2015年基数", ColumnRole("base", 2015)), ("2020年目标", ColumnRole("target", 2020)),
])
def test_column_roles_from_headers(header: str, role: ColumnRole) -> None:
    assert column_role(header) == role


def test_schema_of_a_fourteenth_plan(lib: Library) -> None:
    s = lib.schema("p14")
    assert (s.base, s.target, s.plan_target, s.actual) == ("2020年基数", "2025年目标", "十三五规划目标", "2020年完成数")
    assert (s.base_year, s.target_year, s.prev_period, s.target_period) == (2020, 2025, "十三五", "十四五")
    assert DocSchema().years == set()


def test_columns_asked(lib: Library) -> None:
    s = lib.schema("p14")

    def cols(text: str) -> list[str]:
        q = _query(text)
        return wanted_columns(q.question, q.intent, s)

    assert cols("2025年失业保险参保人数目标是多少") == ["2025年目标"]
    assert cols("2020年的基数是多少") == ["2020年基数", "2020年完成数"]
    assert cols("十三五失业保险参保人数目标完成了吗") == ["2020年完成数", "十三五规划目标"]
    assert cols("这个指标是约束性的吗") == ["属性"]


def test_target_value_from_the_2025_column(lib: Library) -> None:
    text = _answer(lib, "2025年失业保险参保人数目标是多少？")
    assert "失业保险参保人数2025年目标为24.5万人" in text and "约束性指标" in text and "[1]" in text


def test_difference_between_base_and_target(lib: Library) -> None:
    assert "增加0.4万人" in _answer(lib, "城镇新增就业人数2025年比2020年增加多少？")


def test_previous_period_met_or_not(lib: Library) -> None:
    text = _answer(lib, "“十三五”失业保险参保人数目标完成了吗？")
    assert "未完成" in text and "规划目标22万人" in text and "2020年完成数20万人" in text


def test_unmet_list(lib: Library) -> None:
    ans = UnmetList(lib).run(_query("十三五哪些指标没完成"), "p14")
    assert ans is not None and "2项主要发展指标中，有1项未完成" in ans.text and "失业保险参保人数" in ans.text
