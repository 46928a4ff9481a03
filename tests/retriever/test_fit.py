"""The within-document fit: of the question's words the document's title lacks, the share a passage (and its own
heading) holds. The title's words are in every passage of the document and cannot tell them apart."""
from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import pytest

from tests.retriever.conftest import engine_on

# One notice whose title holds most of the question's words; its sections differ in the rest. The second notice
# is there so that the channels' min-max ranges are not set by one document alone.
DOCS = {
    "城乡居民医保缴费通告": (
        "一、缴费提醒\n\n城乡居民医保缴费请按时办理，逾期缴费的需补缴城乡居民医保费，缴费后可在网上查询缴费记录。\n\n"
        "二、缴费标准\n\n个人部分由市医保局会同市财政局按年度确定，并在每年集中参保期开始前向社会公布。\n\n"
        "三、参保范围\n\n本市户籍居民和持本市居住证的人员可以参加城乡居民医保，在校学生由学校统一办理。\n"
    ),
    "就业见习管理办法": "一、见习期限\n\n见习期限为3至12个月，期满由见习单位出具证明。\n",
}
QUESTION = "城乡居民医保的缴费标准由谁确定"


@pytest.fixture(scope="module")
def retriever(tmp_path_factory: pytest.TempPathFactory) -> Any:
    engine = engine_on(tmp_path_factory.mktemp("fit"), DOCS, embedding_backend="lsa")
    yield engine.generation.retriever
    engine.close()


def scores(r: Any, query: str, **config: Any) -> dict[str, float]:
    r = copy.copy(r)
    r.config = replace(r.config, **config)
    return {h.chunk.section_path[-1]: h.score for h in r.search(query, k=10) if h.chunk.section_path}


def test_a_heading_naming_what_the_title_lacks_gets_the_heading_prior(retriever: Any) -> None:
    with_it = scores(retriever, QUESTION, heading_weight=0.1)
    without = scores(retriever, QUESTION, heading_weight=0.0)
    # 标准 is the question's word the title lacks; 缴费 is in the title, so 缴费提醒 names nothing new.
    assert with_it["二、缴费标准"] > without["二、缴费标准"]
    assert with_it["一、缴费提醒"] == without["一、缴费提醒"]
    assert with_it["三、参保范围"] == without["三、参保范围"]


def test_the_fit_is_off_by_default(retriever: Any) -> None:
    assert scores(retriever, QUESTION) == scores(retriever, QUESTION, local_weight=0.0, heading_weight=0.0)


def test_a_passage_repeating_the_title_gets_no_local_prior(retriever: Any) -> None:
    with_it = scores(retriever, QUESTION, local_weight=0.1)
    without = scores(retriever, QUESTION, local_weight=0.0)
    assert with_it["二、缴费标准"] - without["二、缴费标准"] > 0.05  # 标准, 确定 in its heading and text
    # Its text says 城乡居民医保 and 缴费 three times over: all of them title words.
    assert with_it["一、缴费提醒"] == without["一、缴费提醒"]
