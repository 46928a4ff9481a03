from assistant.answers.library import Library
from assistant.answers.met import UnmetList
from tests.assistant.answers.fixtures import query, table_answer


def test_previous_period_met_or_not(lib: Library) -> None:
    text = table_answer(lib, "“十三五”失业保险参保人数目标完成了吗？")
    assert "未完成" in text and "规划目标22万人" in text and "2020年完成数20万人" in text
    assert "已完成" in table_answer(lib, "“十三五”城镇新增就业人数目标完成了吗？")


def test_unmet_list(lib: Library) -> None:
    ans = UnmetList(lib).run(query("十三五哪些指标没完成"), "p14")
    assert ans is not None and "2项主要发展指标中，有1项未完成" in ans.text and "失业保险参保人数" in ans.text
