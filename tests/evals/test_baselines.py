"""BM25 baselines over a tiny Chinese corpus, with exact expected rankings."""
from __future__ import annotations

import pytest

from evals.baselines import CHUNK_SIZE, CharBigramBM25, LangChainBM25, bigrams, evaluate, jieba_tokens, split_chunks
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
def systems() -> list[LangChainBM25 | CharBigramBM25]:
    return [LangChainBM25(DOCS), CharBigramBM25(DOCS)]


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
    assert [b["name"] for b in out] == [LangChainBM25.name, CharBigramBM25.name]
    for b in out:
        assert b["chunks"] == 4 and "RecursiveCharacterTextSplitter(500, 50)" in b["notes"]
        m = b["metrics"]
        assert m["n_retrieval"] == 5
        assert m["hit_at_5"] == pytest.approx(4 / 5) and m["mrr_at_10"] == pytest.approx(4 / 5)
        assert m["search_p95_ms"] is not None and m["search_p95_ms"] >= m["search_p50_ms"]
