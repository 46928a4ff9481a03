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


def test_a_follow_up_naming_a_province_replaces_the_province_and_keeps_the_city() -> None:
    prev = {"question": "我从浙江回德阳，需要隔离吗？"}

    def places(s: str) -> list[str]:
        return [p for p, short in (("浙江省", "浙江"), ("湖北省", "湖北"), ("德阳市", "德阳")) if short in s]

    assert merge_followup("那如果是从湖北回来的呢？", prev, places) == "我从湖北省回德阳，需要隔离吗？"
    # A place of no level named before: it gives way, and the new place leads, as before.
    assert merge_followup("那德阳呢？", {"question": "浙江的补贴多少"}, places) == "德阳市的补贴多少"


def test_a_follow_up_with_words_of_its_own_naming_a_place_keeps_them() -> None:
    prev = {"question": "听说现在走高速不收过路费了，从哪天开始的？"}

    def places(s: str) -> list[str]:
        return ["武汉市"] if "武汉" in s else []

    merged = merge_followup("那我拉一车菜送到武汉，回来还要不要隔离14天？", prev, places)
    assert merged.endswith("我拉一车菜送到武汉，回来还要不要隔离14天") and merged.startswith(prev["question"])
    # An elliptical one is still the previous question asked there.
    assert merge_followup("那要是送到武汉呢？", prev, places) == "武汉市听说现在走高速不收过路费了，从哪天开始的？"
