"""BM25 baselines over a tiny Chinese corpus, with exact expected rankings."""
from __future__ import annotations

import pytest

from evals.baselines import (CHUNK_SIZE, CharBigramBM25, CrudeExtractive, LangChainBM25, SplitterBm25s, bigrams,
                             evaluate, jieba_tokens, sentences, split_chunks)
from evals.harness import Question

DOCS = [
    ("养老.txt", "城乡居民基本养老保险参保人数达到50万人，养老金按时足额发放。"),
    ("就业.txt", "新增城镇就业人数2万人，城镇登记失业率控制在4.5%以内，开展职业技能培训。"),
    ("医疗.txt", "城镇职工基本医疗保险实现市级统筹，异地就医直接结算，医保目录扩大。"),
    ("人才.txt", "引进高层次人才200名，建设博士后科研工作站，完善人才评价机制。"),
]
TOP1 = [
    ("养老金怎么发放？", "养老.txt"),
    ("失业率控制在多少", "就业.txt"),
    ("异地就医能直接结算吗", "医疗.txt"),
    ("博士后工作站", "人才.txt"),
]


@pytest.fixture(scope="module")
def systems() -> list[LangChainBM25 | CharBigramBM25 | SplitterBm25s]:
    return [LangChainBM25(DOCS), CharBigramBM25(DOCS), SplitterBm25s(DOCS), CrudeExtractive(DOCS)]


@pytest.mark.parametrize(("query", "doc"), TOP1)
def test_top1_document(systems: list[LangChainBM25 | CharBigramBM25], query: str, doc: str) -> None:
    for s in systems:
        results = s.search(query, 10)["results"]
        assert results[0]["document"] == doc, s.name
        assert set(results[0]) == {"text", "document", "section", "score", "chunk_id"}


def test_k_limits_results(systems: list[LangChainBM25 | CharBigramBM25]) -> None:
    assert len(systems[0].search("养老金", 2)["results"]) == 2
    # The bigram baseline drops chunks that share no bigram with the query.
    assert [r["document"] for r in systems[1].search("养老金", 10)["results"]] == ["养老.txt"]


def test_tokenizers() -> None:
    assert {"养老", "保险", "养老保险", "城乡居民"} <= set(jieba_tokens("城乡居民基本养老保险 参保"))
    assert " " not in jieba_tokens("养老 保险\n")
    assert bigrams("失业 率１") == ["失业", "业率", "率1"]
    assert bigrams("率") == ["率"] and bigrams(" ") == []


def test_splitter_bounds_chunks() -> None:
    long_doc = "\n\n".join("第%d段。" % i + "就业" * 150 for i in range(4))
    chunks = split_chunks([("长.txt", long_doc)])
    assert len(chunks) >= 4 and all(len(t) <= CHUNK_SIZE for _, t in chunks)
    assert {name for name, _ in chunks} == {"长.txt"}


def test_evaluate_scores_same_questions() -> None:
    evidence = {"养老.txt": "养老金", "就业.txt": "失业率", "医疗.txt": "异地就医", "人才.txt": "博士后"}
    qs = [Question(id=str(i), kind="k", question=q, evidence=[[evidence[doc]]]) for i, (q, doc) in enumerate(TOP1)]
    qs.append(Question(id="h", kind="k", question="那医保呢", history=["养老金"], evidence=[["医保"]]))  # not scored
    qs.append(Question(id="x", kind="k", question="房价是多少", evidence=[["房价"]]))  # nothing relevant
    out = evaluate(DOCS, qs)
    assert [b["name"] for b in out] == [SplitterBm25s.name, CrudeExtractive.name, LangChainBM25.name, CharBigramBM25.name]
    for b in out:
        assert b["chunks"] == 4  # one sentence per document: one window each for the crude baseline
        assert ("RecursiveCharacterTextSplitter(500, 50)" in b["notes"]) == (b["name"] != CrudeExtractive.name)
        m = b["metrics"]
        assert m["n_retrieval"] == 5
        assert m["hit_at_5"] == pytest.approx(4 / 5) and m["mrr_at_10"] == pytest.approx(4 / 5)
        assert m["search_p95_ms"] is not None and m["search_p95_ms"] >= m["search_p50_ms"]


def test_evaluate_scores_the_crude_answers() -> None:
    qs = [Question(id="a", kind="amount", question="失业率控制在多少", must=[["4.5%"]]),
          Question(id="b", kind="k", question="博士后工作站", must=[["养老金"]]),
          Question(id="r", kind="k", question="明年养老金涨多少", refuse=True)]
    crude = evaluate(DOCS, qs, (CrudeExtractive,))[0]["metrics"]
    # It never refuses: right on the first, wrong document's words missing on the second, and the refusal missed.
    assert crude["answer_accuracy"] == pytest.approx(1 / 3) and crude["refusal_recall"] == 0.0
    assert crude["within_caps"] == 1.0 and crude["latency_p95_ms"] is not None
    assert "hit_at_5" not in crude or crude["n_retrieval"] == 0


SENTENCES = ("第一条 参保人员应当按时缴费。第二条 缴费基数按上年工资确定！第三条 缴费满15年的，可以按月领取养老金；"
             "第四条 领取时须本人申请？第五条 本办法自发布之日起施行。")


def test_sentences_split_at_chinese_stops() -> None:
    assert sentences("一、总则。第一条；好的！\n\n二 结束") == ["一、总则。", "第一条；", "好的！", "二 结束"]
    assert len(sentences(SENTENCES)) == 5


def test_crude_answer_is_the_best_overlapping_sentence_and_what_follows() -> None:
    crude = CrudeExtractive([("办法.txt", SENTENCES), ("其他.txt", "就业见习补贴每人每月1500元。")])
    assert len(crude.chunks) == 3 + 1  # windows of three consecutive sentences, stride one
    answer = crude.answer("缴费满多少年可以按月领取养老金")
    assert answer.startswith("第三条 缴费满15年的") and answer.endswith("本办法自发布之日起施行。")
    assert crude.answer("就业见习补贴多少") == "就业见习补贴每人每月1500元。"
    assert crude.answer("火星探测") == ""  # no word in common: nothing to extract


def test_crude_answer_is_capped() -> None:
    long = "。".join(f"第{i}条 养老金按月发放" + "内容" * 20 for i in range(40)) + "。"
    assert len(CrudeExtractive([("长.txt", long)]).answer("养老金按月发放")) == 500
