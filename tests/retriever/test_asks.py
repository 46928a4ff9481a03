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
    ("批下来以后多久发钱", ("duration",)),
    ("这个办法什么时候开始施行", ("date",)),
    ("多大年纪能去长者饭堂吃饭", ("age",)),
    ("住院费用报销比例是多少", ("share",)),
    ("一共有多少个药", ("count",)),
    ("居民医保在手机上怎么交", ("where",)),
    ("办人才引进入户要交费吗", ("fee",)),
    ("去资格审核要带哪些材料", ()),
    ("创业补贴的申请条件是什么", ()),
])
def test_the_kind_of_answer_a_question_asks_for(question: str, shapes: tuple[str, ...]) -> None:
    assert asked_shapes(question) == shapes


def test_a_passage_holds_a_value_of_the_kind_asked() -> None:
    assert holds_shape("个人缴费标准为每人549元。", ("amount",))
    assert not holds_shape("居民医保费由税务机关负责征收。", ("amount",))
    assert holds_shape("原则上不得超过30天。", ("duration",))
    assert holds_shape("本办法自2024年4月1日起实施。", ("date",))
    assert holds_shape("可通过“粤税通”微信小程序缴费。", ("where",))
    assert not holds_shape("个人缴费标准为每人549元。", ())


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
    question = "居民医保个人缴费要交多少钱"
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
    question = "居民医保个人缴费要交多少钱"
    assert score_of(retriever, question, "549元") > score_of(retriever, question, "549元", shape_boost=0.0)
