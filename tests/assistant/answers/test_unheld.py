"""The things a question names that the library never mentions."""
from __future__ import annotations

from assistant.answers.unheld import unheld_names

_NOUNS = {"消费", "券", "市民", "地方", "补贴", "购车", "孩子", "学费", "门"}
_LIBRARY = "市民申请补贴的地方。消费者权益。"


def _unheld(phrases: list[tuple[str, ...]]) -> list[str]:
    return list(unheld_names(phrases, _NOUNS, lambda t: t in _LIBRARY, skip={"怎么"}))


def test_a_pair_of_nouns_the_library_never_writes_together_is_unheld() -> None:
    # 消费 and 券 are each in some passage's words, but no passage says 消费券.
    assert _unheld([("听说", "有", "的", "地方", "给", "市民", "发", "消费", "券")]) == ["消费券"]


def test_a_noun_no_passage_holds_is_unheld_and_a_held_one_is_not() -> None:
    assert _unheld([("有没有", "购车", "补贴")]) == ["购车", "购车补贴"]
    assert _unheld([("市民", "补贴")]) == ["市民补贴"]  # the pair is not written in the library
    assert _unheld([("补贴",)]) == []


def test_words_that_name_no_thing_and_runs_apart_are_not_paired() -> None:
    # "怎么" is skipped and "领" is no noun; words of two runs ("消费，券") are not neighbours.
    assert _unheld([("消费",), ("券",)]) == []
    assert _unheld([("怎么", "领")]) == []
    assert _unheld([("门",)]) == []  # one character alone names too little
