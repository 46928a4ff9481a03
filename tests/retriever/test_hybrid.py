"""HybridRetriever over the tiny four-city corpus, built by the real pipeline (see conftest)."""
from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from core.types import Hit
from tests.retriever.conftest import TINY_DOCS, tiny_settings

JDZ_JOBS = "景德镇市就业创业补贴实施办法"
JJ_JOBS = "九江市就业创业补贴实施办法"
NC_PENSION = "南昌市城乡居民养老保险实施方案"
JDZ_SKILLS = "景德镇市职业技能提升行动方案"


def titles(hits: list[Hit]) -> set[str]:
    return {h.chunk.doc_title for h in hits}


def test_hits_carry_their_channels(tiny_retriever: Any) -> None:
    hits = tiny_retriever.search("创业担保贷款最高额度", k=3)
    assert len(hits) == 3
    top = hits[0]
    assert top.chunk.doc_title == JDZ_JOBS and "20万元" in top.chunk.text
    assert set(top.channels) == {"words", "bigrams", "dense"}
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


@pytest.mark.parametrize("key", ["document", "doc_id"])
def test_filter_by_document_title_or_id(tiny_retriever: Any, key: str) -> None:
    doc_id = next(d for d, m in tiny_retriever.doc_meta.items() if m["title"] == JJ_JOBS)
    value = JJ_JOBS if key == "document" else doc_id
    hits = tiny_retriever.search("一次性创业补贴", k=10, filters={key: value})
    assert hits and titles(hits) == {JJ_JOBS}
    assert "6000元" in hits[0].chunk.text


def test_filter_by_document_source_file(tiny_retriever: Any) -> None:
    hits = tiny_retriever.search("补贴", k=10, filters={"document": f"{NC_PENSION}.txt"})
    assert hits and titles(hits) == {NC_PENSION}


def test_filter_by_region(tiny_retriever: Any) -> None:
    hits = tiny_retriever.search("补贴", k=20, filters={"region": "九江市"})
    assert hits and titles(hits) == {JJ_JOBS}
    both = tiny_retriever.search("补贴", k=20, filters={"region": ["九江市", "南昌市"]})
    assert titles(both) <= {JJ_JOBS, NC_PENSION} and JJ_JOBS in titles(both)


def test_filter_by_period(tiny_retriever: Any) -> None:
    hits = tiny_retriever.search("补贴", k=20, filters={"period": "2021-2025"})
    assert hits and titles(hits) <= {NC_PENSION, JDZ_SKILLS}
    assert {h.chunk.doc_title for h in hits if "补贴" in h.chunk.text} == {JDZ_SKILLS}


def test_filters_combine_and_empty_values_are_ignored(tiny_retriever: Any) -> None:
    hits = tiny_retriever.search("补贴", k=20, filters={"region": "景德镇市", "period": "2016-2020", "document": ""})
    assert hits and titles(hits) == {JDZ_JOBS}
    assert tiny_retriever.search("补贴", k=20, filters={"region": "上海市"}) == []


def test_default_region_wins_an_ambiguous_question(tiny_retriever: Any) -> None:
    top = tiny_retriever.search("一次性创业补贴是多少", k=5)[0]
    assert top.chunk.doc_title == JDZ_JOBS and "5000元" in top.chunk.text


def test_the_default_region_is_what_decides(tiny_engine: Any, tmp_path: Path) -> None:
    from assistant.engine import Engine

    settings = tiny_settings(tmp_path, index_dir=tiny_engine.settings.index_dir, default_region="九江市")
    engine = Engine.open(settings=settings)
    try:
        top = engine.search("一次性创业补贴是多少", k=5)[0]
    finally:
        engine.close()
    assert top.chunk.doc_title == JJ_JOBS and "6000元" in top.chunk.text


@pytest.mark.parametrize("query", ["九江市一次性创业补贴是多少", "九江的一次性创业补贴是多少"])
def test_naming_another_region_makes_its_document_win(tiny_retriever: Any, query: str) -> None:
    top = tiny_retriever.search(query, k=5)[0]
    assert top.chunk.doc_title == JJ_JOBS and "6000元" in top.chunk.text


def test_exact_number_boosts_the_passage_holding_it(tiny_retriever: Any) -> None:
    query = "一次性补贴8000元"
    hits = tiny_retriever.search(query, k=5)
    assert hits[0].chunk.doc_title == JDZ_JOBS and "8000元" in hits[0].chunk.text

    unboosted = copy.copy(tiny_retriever)
    unboosted.config = replace(tiny_retriever.config, number_boost=0.0)
    plain = {h.chunk.id: h.score for h in unboosted.search(query, k=20)}
    boost = tiny_retriever.config.number_boost
    for hit in hits:
        extra = boost if "8000" in hit.chunk.text else 0.0
        assert hit.score == pytest.approx(plain[hit.chunk.id] + extra, abs=1e-5)


@pytest.mark.parametrize("variant", ["创业担报贷款最高额度", "創業擔保貸款最高額度", "创业担保贷款 最高 额度"])
def test_typo_traditional_and_spacing_variants_find_the_same_passage(tiny_retriever: Any, variant: str) -> None:
    clean = tiny_retriever.search("创业担保贷款最高额度", k=3)
    assert tiny_retriever.search(variant, k=1)[0].chunk.id == clean[0].chunk.id


def test_empty_and_punctuation_queries_return_nothing(tiny_retriever: Any) -> None:
    assert tiny_retriever.search("", k=5) == []
    assert tiny_retriever.search("   ", k=5) == []


def test_every_document_is_reachable(tiny_retriever: Any) -> None:
    for title in TINY_DOCS:
        hits = tiny_retriever.search(title, k=3, filters={"document": title})
        assert hits and hits[0].chunk.doc_title == title


def test_default_region_does_not_lift_passages_unrelated_to_the_question(tiny_retriever: Any) -> None:
    # Only the 南昌 document is about pensions; the 景德镇 ones share no word with the question.
    hits = tiny_retriever.search("养老保险缴费档次", k=3)
    assert hits[0].chunk.doc_title == NC_PENSION and "十个档次" in hits[0].chunk.text
    assert all(h.chunk.doc_title == NC_PENSION for h in hits if "words" in h.channels or "bigrams" in h.channels)


def test_region_prior_only_for_passages_with_lexical_evidence(tiny_retriever: Any) -> None:
    boost = tiny_retriever.config.region_boost
    for hit in tiny_retriever.search("养老保险缴费档次", k=20):
        lexical = "words" in hit.channels or "bigrams" in hit.channels
        if hit.chunk.doc_title.startswith("景德镇市") and not lexical:
            assert hit.score < boost


def test_hits_carry_their_documents_date_and_validity(tiny_retriever: Any) -> None:
    hits = tiny_retriever.search("创业补贴", k=20)
    by_title = {h.chunk.doc_title: h for h in hits}
    assert by_title[JDZ_JOBS].expired  # its plan period 2016-2020 is over
    for h in hits:
        meta = tiny_retriever.doc_meta[h.chunk.doc_id]
        assert (h.issue_date, h.expired) == (meta["issue_date"], meta["expired"])
        assert h.in_scope == (meta["region"] == "景德镇市")  # the tiny corpus's other documents are of other cities


def test_in_scope_follows_the_place_the_question_names(tiny_retriever: Any) -> None:
    hits = tiny_retriever.search("九江市一次性创业补贴", k=20)
    assert {h.chunk.doc_title for h in hits if h.in_scope} == {JJ_JOBS}


def test_another_places_copy_of_a_local_passage_is_demoted(tiny_retriever: Any) -> None:
    query = "首次创办小微企业一次性创业补贴"
    plain = copy.copy(tiny_retriever)
    plain.config = replace(tiny_retriever.config, lookalike_factor=1.0)
    before = {h.chunk.doc_title: h.score for h in plain.search(query, k=5)}
    after = {h.chunk.doc_title: h.score for h in tiny_retriever.search(query, k=5)}
    factor = tiny_retriever.config.lookalike_factor
    assert after[JDZ_JOBS] == pytest.approx(before[JDZ_JOBS])
    assert after[JJ_JOBS] == pytest.approx(before[JJ_JOBS] * factor, abs=1e-5)


def test_the_scope_prior_is_given_only_within_the_margin_of_the_best(tiny_retriever: Any) -> None:
    query = "养老保险缴费档次"  # only the 南昌 document is about it; the local ones share one word at most
    flat = copy.copy(tiny_retriever)
    flat.config = replace(tiny_retriever.config, region_boost=0.0, lookalike_factor=1.0)
    base = {h.chunk.id: h.score for h in flat.search(query, k=20)}
    best = max(base.values())
    scoped = copy.copy(tiny_retriever)
    scoped.config = replace(tiny_retriever.config, lookalike_factor=1.0)
    for h in scoped.search(query, k=20):
        local = not h.chunk.doc_title.startswith("南昌")
        near = base[h.chunk.id] >= best - scoped.config.prior_margin and ("words" in h.channels or "bigrams" in h.channels)
        extra = scoped.config.region_boost if local and near else 0.0
        assert h.score == pytest.approx(base[h.chunk.id] + extra, abs=1e-5), h.chunk.text


def test_naming_another_place_takes_the_local_prior_away(tiny_retriever: Any) -> None:
    hits = tiny_retriever.search("九江市创业担保贷款最高额度", k=3)
    assert hits[0].chunk.doc_title == JJ_JOBS and "15万元" in hits[0].chunk.text


def test_an_lsa_querys_chroma_search_runs_beside_the_lexical_scoring(tiny_retriever: Any,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    assert getattr(tiny_retriever.embedder, "kind", "") == "lsa"
    query, threads = tiny_retriever.vectors.query, []

    def spied(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread().name)
        return query(*args, **kwargs)

    before = [(h.chunk.id, h.score, h.channels) for h in tiny_retriever.search("创业担保贷款最高额度", k=5)]
    monkeypatch.setattr(tiny_retriever.vectors, "query", spied)
    after = [(h.chunk.id, h.score, h.channels) for h in tiny_retriever.search("创业担保贷款最高额度", k=5)]
    assert threads and all(name.startswith("dense-query") for name in threads)
    assert after == before


def test_a_named_places_own_documents_get_the_named_prior_on_top_of_the_scope(tiny_retriever: Any) -> None:
    # "九江市…" scopes to 九江市 and its parents; its own document gets named_boost more, the others nothing more.
    query = "九江市一次性创业补贴"
    flat = copy.copy(tiny_retriever)
    flat.config = replace(tiny_retriever.config, named_boost=0.0)
    base = {h.chunk.id: h.score for h in flat.search(query, k=20)}
    boost = tiny_retriever.config.named_boost
    assert boost > 0
    hits = tiny_retriever.search(query, k=20)
    assert hits[0].chunk.doc_title == JJ_JOBS
    assert hits[0].score == pytest.approx(base[hits[0].chunk.id] + boost, abs=1e-5)
    assert all(h.score == pytest.approx(base[h.chunk.id], abs=1e-5) for h in hits if h.chunk.doc_title != JJ_JOBS)


def test_holds_says_whether_some_passage_or_title_has_the_term(tiny_retriever: Any) -> None:
    tiny_retriever._held.clear()
    assert tiny_retriever.holds("创业担保贷款") and tiny_retriever.holds(JJ_JOBS)
    assert not tiny_retriever.holds("消费券")  # a bigram no passage has: known without a scan
    assert tiny_retriever._held == {"创业担保贷款": True, JJ_JOBS: True, "消费券": False}
