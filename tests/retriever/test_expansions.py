"""Thesaurus expansions in search: weighed below the question's own words, and only those the library holds."""
from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import pytest

from retriever.query import Thesaurus
from tests.retriever.conftest import engine_on

DOCS = {
    "待遇发放办法": "一、失业金发放\n\n领取失业金期间，失业金每月发放2250元。\n",
    "基金管理办法": "一、基金构成\n\n失业保险基金由失业保险费构成，失业保险费由单位和个人缴纳，失业保险费按月缴纳。\n",
    "见习管理办法": "一、见习期限\n\n见习期限为3至12个月，见习期满由见习单位出具证明。\n",
    "窗口服务规范": "一、服务时间\n\n各区人社部门做好人社服务，人社窗口延长服务时间。\n",
}
THESAURUS = ["失业金\t失业保险金|失业保险|失业保险费", "见习期\t就业见习|人社厅发"]


@pytest.fixture(scope="module")
def retriever(tmp_path_factory: pytest.TempPathFactory) -> Any:
    engine = engine_on(tmp_path_factory.mktemp("expansions"), DOCS, embedding_backend="lsa")
    r = copy.copy(engine.generation.retriever)
    r.thesaurus = Thesaurus.parse(THESAURUS)
    r._held = {}
    yield r
    engine.close()


def ranks(r: Any, query: str, texts: list[str], **config: Any) -> list[int | None]:
    r = copy.copy(r)
    r.config = replace(r.config, **config)
    hits = r.search(query, k=5)
    return [next((i for i, h in enumerate(hits, 1) if t in h.chunk.text), None) for t in texts]


def test_the_question_own_words_outweigh_the_expansions(retriever: Any) -> None:
    assert ranks(retriever, "失业金每月多少", ["2250元", "失业保险基金"]) == [1, 2]
    # Weighed like the question's words, the expansions' repetitions win.
    assert ranks(retriever, "失业金每月多少", ["2250元", "失业保险基金"], expansion_weight=1.0) == [2, 1]


def test_an_expansion_the_library_does_not_hold_is_dropped(retriever: Any) -> None:
    plan = retriever.plan("见习期多长")
    assert plan.expansions == ["就业见习", "人社厅发"]
    assert retriever.held_expansions(plan) == []
    # The passage shares nothing with the question but the bigram 人社 of the absent 人社厅发: no lexical
    # channel scores it (it is listed at all only because the dense channel scores every passage).
    assert ranks(retriever, "见习期多长", ["12个月"]) == [1]
    assert lexical_channels(retriever, "见习期多长", "人社窗口") == set()
    unfiltered = copy.copy(retriever)
    unfiltered.held_expansions = lambda plan: plan.expansions
    assert lexical_channels(unfiltered, "见习期多长", "人社窗口") == {"words", "bigrams"}


def lexical_channels(r: Any, query: str, text: str) -> set[str]:
    hit = next(h for h in r.search(query, k=20) if text in h.chunk.text)
    return set(hit.channels) & {"words", "bigrams"}
