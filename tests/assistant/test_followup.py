"""Merging an elliptical follow-up with the previous question (pure, no index)."""
from __future__ import annotations

from assistant.followup import merge_followup


def _no_places(_: str) -> list[str]:
    return []


def test_a_follow_up_with_its_own_ask_keeps_the_topic_but_not_the_previous_ask() -> None:
    prev = {"question": "创业担保贷款能贷多少"}
    merged = merge_followup("要带什么材料？", prev, _no_places, own_ask=True)
    assert merged == "创业担保贷款能贷 要带什么材料"
    assert "多少" not in merged


def test_a_follow_up_without_its_own_ask_inherits_the_previous_question() -> None:
    prev = {"question": "60岁坐公交地铁有什么优惠？"}
    assert merge_followup("那过了65岁呢", prev, _no_places) == "60岁坐公交地铁有什么优惠？ 过了65岁"


def test_a_follow_up_naming_a_place_asks_the_previous_question_there() -> None:
    prev = {"question": "甲市的失业金能领多久"}
    assert merge_followup("那乙市呢？", prev, lambda s: [p for p in ("甲市", "乙市") if p in s]) == "乙市的失业金能领多久"
