from assistant.answers.library import Library
from tests.assistant.answers.fixtures import table_answer


def test_target_value_from_the_2025_column(lib: Library) -> None:
    text = table_answer(lib, "2025年失业保险参保人数目标是多少？")
    assert "失业保险参保人数2025年目标为24.5万人" in text and "约束性指标" in text and "[1]" in text


def test_attribute_of_a_row(lib: Library) -> None:
    assert "城镇新增就业人数是预期性指标" in table_answer(lib, "城镇新增就业人数是约束性还是预期性指标？")
