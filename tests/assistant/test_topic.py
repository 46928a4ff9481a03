"""A first turn that names no matter gets a question back (pure, with a tiny IDF table)."""
from __future__ import annotations

from assistant.topic import clarify_text, names_topic
from retriever.query import Thesaurus
from retriever.terms import TermWeights

_VOCAB = ("创业", "担保", "贷款", "申请", "材料", "失业", "保险金", "领取", "什么", "还能")


def _words(text: str) -> list[str]:
    return [w for w in _VOCAB if w in text]


_WEIGHTS = TermWeights(_words, {w: 1.0 for w in _VOCAB}, Thesaurus.parse([])).weights


def test_a_turn_that_only_says_how_it_asks_names_no_topic() -> None:
    assert not names_topic("我50岁了还能申请吗？", _WEIGHTS)
    assert not names_topic("要带什么材料？", _WEIGHTS)
    assert not names_topic("怎么申请", _WEIGHTS)


def test_a_turn_naming_its_matter_has_a_topic() -> None:
    assert names_topic("创业担保贷款能贷多少", _WEIGHTS)
    assert names_topic("我50岁了还能申请创业担保贷款吗？", _WEIGHTS)
    assert names_topic("失业保险金能领多久", _WEIGHTS)
    assert names_topic("What is the 2020 target for unemployment insurance?", _WEIGHTS)


def test_the_question_back_points_to_the_hotline() -> None:
    assert clarify_text("热线12345").endswith("也可以咨询热线12345。")
