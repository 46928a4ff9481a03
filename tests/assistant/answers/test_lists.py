from assistant.answers.config import AnswerConfig
from assistant.answers.library import Library
from assistant.answers.lists import TableLists


def test_rows_by_attribute_with_their_targets(lib: Library) -> None:
    ans = TableLists(lib, AnswerConfig()).run("哪些指标是约束性的", "p14")
    assert ans is not None and "约束性指标共1项" in ans.text and "失业保险参保人数（2025年目标24.5万人）" in ans.text
    assert TableLists(lib, AnswerConfig()).run("有哪些项目", "p14") is None
