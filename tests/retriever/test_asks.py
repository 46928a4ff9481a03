"""What a question asks for, and the small prior search gives the passage that holds it."""
from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import pytest

from retriever.asks import asked_shapes, holds_shape
from tests.retriever.conftest import engine_on


@pytest.mark.parametrize("question, shapes", [
    ("失业金一个月能领多少钱", ("amount",)),
    ("失业金最长能领多久", ("duration",)),
    ("截止日期是哪天", ("date",)),
    ("多大年纪能去长者饭堂吃饭", ("age",)),
    ("住院费用报销比例是多少", ("share",)),
    ("一共有多少个药", ("count",)),
    ("居民医保在手机上怎么交", ("where",)),
    ("办人才引进入户要交费吗", ("fee",)),
    ("去资格审核要带哪些材料", ("materials",)),
    ("创业补贴的申请条件是什么", ("conditions",)),
    ("我62岁了，还能去长者饭堂吃饭吗", ("stated_age",)),
    ("没办营业执照就开店，会被怎么罚", ("penalty",)),
    ("居住证办了5年能算多少分", ("score",)),
    # A narrower shape replaces the broad one it refines: the 施行 clause, not any date; the time limit, not any span.
    ("这个办法什么时候开始施行", ("effective",)),
    ("这个办法的有效期是几年", ("duration", "effective")),
    ("交了申请以后审核要多久", ("time_limit",)),
    ("这个政策是关于什么的", ()),
])
def test_the_kind_of_answer_a_question_asks_for(question: str, shapes: tuple[str, ...]) -> None:
    assert asked_shapes(question) == shapes


def test_only_the_configured_shapes_are_asked() -> None:
    assert asked_shapes("去资格审核要带哪些材料", ("amount", "date")) == ()
    assert asked_shapes("这个办法什么时候开始施行", ("date",)) == ("date",)


def test_a_passage_holds_a_value_of_the_kind_asked() -> None:
    assert holds_shape("个人缴费标准为每人549元。", ("amount",))
    assert not holds_shape("居民医保费由税务机关负责征收。", ("amount",))
    assert holds_shape("原则上不得超过30天。", ("duration",))
    assert holds_shape("本办法自2024年4月1日起实施。", ("date",))
    assert holds_shape("可通过“粤税通”微信小程序缴费。", ("where",))
    assert not holds_shape("个人缴费标准为每人549元。", ())
    assert holds_shape("本办法自2024年4月1日起实施，有效期5年。", ("effective",))
    assert not holds_shape("2024年4月1日，市民政局召开会议。", ("effective",))
    assert holds_shape("凭本人有效身份证件和就业登记证明办理。", ("materials",))
    assert not holds_shape("申请材料齐全的，当场受理。", ("materials",))
    assert holds_shape("高级工年龄在35周岁以下。", ("stated_age",))
    assert holds_shape("承诺办结时限：10个工作日。", ("time_limit",))
    assert holds_shape("每满1年计8分。", ("score",))
    assert not holds_shape("占比百分之三十。", ("score",))


@pytest.mark.parametrize("text, span", [
    ("自受理之日起15个工作日内完成审核。", True),
    ("公示时间为20日。", False),  # no 内: a point or a length, left to the date shape
    ("应在60日内提出申请。", True),
    ("缴纳社会保险满4年。", True),
    ("领取期限最长为24个月。", True),
    ("自2026年1月1日起享受待遇。", False),  # a year and a day, not a span
    ("次月10日前划入银行账户。", False),
    ("每年7月调整一次。", False),
])
def test_a_duration_is_a_span_of_time_not_a_date(text: str, span: bool) -> None:
    assert holds_shape(text, ("duration",)) == span


# The first two passages share the question's words; only the second states the amount. The others are
# there so that each channel's min-max range is not set by these two alone.
DOCS = {
    "第一号通告": "一、缴费\n\n居民医保个人缴费由税务机关征收。\n",
    "第二号通告": "一、标准\n\n居民医保个人缴费标准为每人549元。\n",
    "第三号通告": "一、见习\n\n见习期满由见习单位出具证明。\n",
    "第四号通告": "一、窗口\n\n人社窗口延长服务时间，个人业务可以预约。\n",
}


@pytest.fixture(scope="module")
def retriever(tmp_path_factory: pytest.TempPathFactory) -> Any:
    engine = engine_on(tmp_path_factory.mktemp("asks"), DOCS, embedding_backend="lsa")
    yield engine.generation.retriever
    engine.close()


def rank_of(r: Any, query: str, text: str, **config: Any) -> int | None:
    r = copy.copy(r)
    r.config = replace(r.config, **config)
    return next((i for i, h in enumerate(r.search(query, k=5), 1) if text in h.chunk.text), None)


def test_the_passage_holding_the_asked_amount_leads(retriever: Any) -> None:
    question = "居民医保个人缴费一年多少钱"
    assert rank_of(retriever, question, "549元", shape_boost=0.0, coverage_weight=0.0) == 2
    assert rank_of(retriever, question, "549元") == 1


def score_of(r: Any, query: str, text: str, **config: Any) -> float:
    r = copy.copy(r)
    r.config = replace(r.config, **config)
    return next((h.score for h in r.search(query, k=10) if text in h.chunk.text), 0.0)


def test_a_passage_that_is_not_about_the_question_gets_no_shape_prior(retriever: Any) -> None:
    # It holds an amount, but none of 生育津贴: an amount alone must not lift it (and get it answered).
    question = "生育津贴能领多少钱"
    assert score_of(retriever, question, "549元") == score_of(retriever, question, "549元", shape_boost=0.0)
    assert score_of(retriever, question, "549元", shape_min_coverage=0.0) > score_of(retriever, question, "549元")
    # It covers the question's words: the prior applies.
    question = "居民医保个人缴费一年多少钱"
    assert score_of(retriever, question, "549元") > score_of(retriever, question, "549元", shape_boost=0.0)


# No document names a place: every one is in the deployment's scope.
ALL_LOCAL = {
    "第一号办法": "第一条\n\n本办法施行前已提出申请的申请人，应当于2024年3月1日前向街道办事处补交申请材料。\n\n"
                  "第二条\n\n本办法自2024年4月1日起施行，有效期5年。\n",
    "第二号办法": "第一条\n\n见习期满由见习单位出具证明。\n",
}


@pytest.fixture(scope="module")
def local_retriever(tmp_path_factory: pytest.TempPathFactory) -> Any:
    engine = engine_on(tmp_path_factory.mktemp("asks-local"), ALL_LOCAL, embedding_backend="lsa")
    yield engine.generation.retriever
    engine.close()


def test_the_region_prior_is_left_out_when_every_candidate_is_in_scope(local_retriever: Any) -> None:
    question = "申请人向街道办事处提出申请"
    # It would only lift the passages within the margin of the best one, all of them in scope.
    assert score_of(local_retriever, question, "提出申请") == score_of(local_retriever, question, "提出申请",
                                                                     region_boost=0.0)
    assert score_of(local_retriever, question, "提出申请", scope_only_when_mixed=False) == pytest.approx(
        score_of(local_retriever, question, "提出申请") + 0.15)


def test_the_clause_saying_when_a_document_takes_effect_gets_the_prior_not_any_date(local_retriever: Any) -> None:
    question = "办法从哪天开始施行"
    # Both passages hold a date; only the second says when the 办法 takes effect.
    dated, effective = "施行前已提出申请", "起施行"
    assert score_of(local_retriever, question, dated, shapes=("date",)) == pytest.approx(
        score_of(local_retriever, question, dated) + 0.3)
    assert score_of(local_retriever, question, effective, shapes=("date",)) == score_of(local_retriever, question, effective)
    assert rank_of(local_retriever, question, effective) == 1
    assert rank_of(local_retriever, question, dated) == 2
