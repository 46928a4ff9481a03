"""Column roles from headers, and the columns a question asks about (十四五 fixture)."""
import pytest

from assistant.answers.library import Library
from assistant.answers.schema import DocSchema, wanted_columns
from core.quantities import ColumnRole, column_role
from tests.assistant.answers.fixtures import query


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
        q = query(text)
        return wanted_columns(q.question, q.intent, s)

    assert cols("2025年失业保险参保人数目标是多少") == ["2025年目标"]
    assert cols("2020年的基数是多少") == ["2020年基数", "2020年完成数"]
    assert cols("十三五失业保险参保人数目标完成了吗") == ["2020年完成数", "十三五规划目标"]
    assert cols("这个指标是约束性的吗") == ["属性"]


def test_roles_stored_at_ingest_win_for_bare_year_headers() -> None:
    from core.types import Indicator, Value

    ind = Indicator(id="i", doc_id="d", table_id="表1", caption="", group="", row=1, name="参保人数", unit="万人",
                    values={"2020年": Value("1", 1.0), "2025年": Value("2", 2.0)}, attribute=None, section_path=[],
                    start=0, end=0, roles={"2020年": "base", "2025年": "target"}, years={"2020年": 2020, "2025年": 2025})
    s = DocSchema.from_indicators([ind])
    assert (s.base, s.target, s.base_year, s.target_year) == ("2020年", "2025年", 2020, 2025)
