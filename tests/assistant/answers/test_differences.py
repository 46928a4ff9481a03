from assistant.answers.library import Library
from tests.assistant.answers.fixtures import table_answer


def test_difference_between_base_and_target(lib: Library) -> None:
    text = table_answer(lib, "城镇新增就业人数2025年比2020年增加多少？")
    assert "增加0.4万人" in text and "2020年基数3.1万人 → 2025年目标3.5万人" in text
