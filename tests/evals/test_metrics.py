"""Scoring rules on hand-made inputs with exact expected values."""
from __future__ import annotations

import pytest

from evals import metrics as m
from evals.metrics import Outcome


def test_normalize_nfkc_and_whitespace() -> None:
    assert m.normalize("１２ 万\n人\u3000（约）") == "12万人(约)"
    assert m.normalize("") == ""


def test_must_groups_any_within_all_across() -> None:
    answer = "到2020年，城镇登记失业率控制在 4.5% 以内。"
    assert m.group_met(answer, ["4.5%", "百分之四点五"])
    assert m.missing_groups(answer, [["４．５％"], ["失业率"], ["2019", "2021"]]) == [["2019", "2021"]]
    assert m.missing_groups(answer, []) == []


def test_relevance_needs_every_string_of_one_group() -> None:
    passage = "新增城镇就业\n2万人，失业率控制在4.5%以内"
    assert m.is_relevant(passage, [["城镇就业2万人", "4.5%"]])
    assert not m.is_relevant(passage, [["城镇就业", "养老"]])
    assert m.is_relevant(passage, [["城镇就业", "养老"], ["失业率"]])
    assert not m.is_relevant(passage, [])


@pytest.mark.parametrize(
    ("refuse", "grounded", "answer", "expected"),
    [
        (False, True, "参保人数50万人", True),
        (False, True, "参保人数很多", False),  # a must group unmet
        (False, False, "参保人数50万人", False),  # refused an answerable question
        (True, False, "文件中没有相关内容", True),
        (True, True, "参保人数50万人", False),  # answered what it should have refused
    ],
)
def test_answer_correct(refuse: bool, grounded: bool, answer: str, expected: bool) -> None:
    assert m.answer_correct(refuse, grounded, answer, [["50万"], ["参保"]]) is expected


def test_citation_correct_with_and_without_section() -> None:
    cites = [
        {"text": "无关内容", "section": "一、发展基础"},
        {"text": "养老保险参保人数达到50万人", "section": "三、主要任务 › （二）完善社会保障体系"},
    ]
    ev = [["养老保险", "50万人"]]
    assert m.citation_correct(cites, ev, None)
    assert m.citation_correct(cites, ev, "社会保障")
    assert not m.citation_correct(cites, ev, "发展基础")  # the matching citation is elsewhere
    assert not m.citation_correct([], ev, None)


def test_first_relevant_rank_is_one_based_and_capped() -> None:
    texts = ["a", "b", "含失业率的段落", "失业率"]
    assert m.first_relevant_rank(texts, [["失业率"]]) == 3
    assert m.first_relevant_rank(texts, [["失业率"]], k=2) is None
    assert m.first_relevant_rank(texts, [["养老"]]) is None


def test_hit_and_mrr_exact() -> None:
    assert m.mrr([1, 2, 4]) == pytest.approx(0.58333333333)  # (1 + 1/2 + 1/4) / 3
    assert m.hit_at([1, 2, 4], 5) == 1.0
    assert m.hit_at([1, None, 7], 5) == pytest.approx(1 / 3)
    assert m.mrr([1, None, 7]) == pytest.approx((1 + 0 + 1 / 7) / 3)
    assert m.mrr([12], k=10) == 0.0
    assert m.hit_at([], 5) is None and m.mrr([]) is None


def test_percentile_linear_interpolation() -> None:
    assert m.percentile([40, 10, 30, 20], 50) == 25
    assert m.percentile([10, 20, 30, 40], 95) == pytest.approx(38.5)
    assert m.percentile([7], 95) == 7
    assert m.percentile([], 50) is None


def _outcomes() -> list[Outcome]:
    return [
        Outcome("1", "figure", "q1", refuse=False, grounded=True, correct=True, citation_ok=True,
                retrieval=True, rank=1, latency_ms=100, search_ms=10),
        Outcome("2", "figure", "q2", refuse=False, grounded=True, correct=False, missing=[["50万"]],
                citation_ok=False, retrieval=True, rank=None, latency_ms=200, search_ms=30),
        Outcome("3", "policy", "q3", refuse=False, grounded=False, correct=False, latency_ms=300),
        Outcome("4", "refusal", "q4", refuse=True, grounded=False, correct=True, latency_ms=400),
        Outcome("5", "refusal", "q5", refuse=True, grounded=True, correct=False, retrieval=True, rank=4,
                latency_ms=500, search_ms=20),
    ]


def test_summarize_exact() -> None:
    s = m.summarize(_outcomes())
    assert s["n"] == 5 and s["n_answerable"] == 3 and s["n_refuse"] == 2 and s["n_cited"] == 2
    assert s["answer_accuracy"] == pytest.approx(2 / 5)
    assert s["answerable_accuracy"] == pytest.approx(1 / 3)
    assert s["citation_accuracy"] == pytest.approx(1 / 2)
    assert s["refusal_recall"] == pytest.approx(1 / 2)
    assert s["false_refusal_rate"] == pytest.approx(1 / 3)
    assert s["n_retrieval"] == 3
    assert s["hit_at_5"] == pytest.approx(2 / 3)
    assert s["mrr_at_10"] == pytest.approx((1 + 0 + 1 / 4) / 3)
    assert s["latency_p50_ms"] == 300 and s["latency_p95_ms"] == pytest.approx(480)
    assert s["search_p50_ms"] == 20


def test_summarize_by_kind_and_empty_denominators() -> None:
    s = m.summarize_by_kind(_outcomes())
    assert list(s["kinds"]) == ["figure", "policy", "refusal"]
    assert s["kinds"]["figure"]["answer_accuracy"] == pytest.approx(1 / 2)
    assert s["kinds"]["figure"]["refusal_recall"] is None  # no refuse questions of that kind
    assert s["kinds"]["policy"]["hit_at_5"] is None
    assert s["overall"]["n"] == 5


def test_problems_explain_failures() -> None:
    o = _outcomes()
    assert o[0].problems() == []
    assert o[1].problems() == ["missing one of: 50万", "no citation contains the evidence",
                               "no relevant search result in the top 10"]
    assert o[2].problems() == ["refused an answerable question"]
    assert o[4].problems() == ["expected a refusal (grounded=false) but it answered"]


def test_length_caps_by_kind() -> None:
    from evals.metrics import FIGURE_CAP, OTHER_CAP, length_cap, within_cap

    assert (FIGURE_CAP, OTHER_CAP) == (200, 600)
    assert length_cap("amount") == 200 and length_cap("target2020") == 200
    assert length_cap("procedure") == 600 and length_cap("ncpqa") == 600
    assert within_cap("amount", "额" * 200) and not within_cap("amount", "额" * 201)
    assert within_cap("amount", "额" * 200 + " \n ")  # whitespace is not counted


def test_summary_counts_caps_over_answered_questions_only() -> None:
    from evals.metrics import Outcome, summarize

    outcomes = [Outcome(id="a", kind="amount", question="", refuse=False, answer="x" * 150, grounded=True),
                Outcome(id="b", kind="amount", question="", refuse=False, answer="x" * 250, grounded=True),
                Outcome(id="c", kind="procedure", question="", refuse=False, answer="x" * 590, grounded=True),
                Outcome(id="d", kind="refuse", question="", refuse=True, answer="y" * 900, grounded=False)]
    s = summarize(outcomes)
    assert s["within_caps"] == pytest.approx(2 / 3) and s["answer_chars_p50"] == 250


def test_summary_rows_put_ours_then_the_baselines() -> None:
    from evals.report import SUMMARY_HEADER, summary_rows

    result = {"overall": {"hit_at_5": 0.96, "answer_accuracy": 0.8}, "meta": {"set": "ncpqa", "index": "mixed", "via": "HTTP"},
              "baselines": [{"name": "crude", "metrics": {"hit_at_5": 0.7, "answer_accuracy": 0.69}}]}
    rows = summary_rows(result)
    assert SUMMARY_HEADER[:5] == ["set", "index", "system", "hit@5", "MRR@10"]
    assert rows[0][:6] == ["ncpqa", "mixed", "ours (HTTP)", "0.960", "—", "80.0%"]
    assert rows[1][:6] == ["ncpqa", "mixed", "crude", "0.700", "—", "69.0%"]
