"""The Guangzhou pages of ../shared/corpora through the eval harness (slow: builds a real index)."""
from __future__ import annotations

from pathlib import Path

import pytest

from evals.corpora import get_corpus

pytestmark = pytest.mark.slow
QUESTIONS = Path(__file__).resolve().parents[2] / "evals" / "questions" / "guangzhou.jsonl"


@pytest.fixture(scope="module")
def guangzhou(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    corpus = get_corpus("guangzhou")
    if corpus.missing():
        pytest.skip(f"the shared corpora are absent ({corpus.missing()[0]}); see evals/corpora.toml")
    from core.settings import load_settings
    from evals.corpora import ensure_index

    settings = load_settings(default_region=corpus.region)
    return ensure_index(corpus, settings, cache=tmp_path_factory.mktemp("eval-cache")), settings


def test_guangzhou_dev_retrieval_beats_the_plain_baseline(guangzhou: tuple[Path, object]) -> None:
    from evals import baselines
    from evals.clients import InProcessClient
    from evals.harness import load_questions, run_retrieval

    index_dir, settings = guangzhou
    questions = load_questions(QUESTIONS)
    client = InProcessClient(index_dir, settings)
    try:
        ours = run_retrieval(client.search, questions)
    finally:
        client.close()
    plain = baselines.SplitterBm25s(baselines.load_documents(list(get_corpus("guangzhou").sources)))
    theirs = run_retrieval(plain.search, questions)
    assert ours["hit_at_5"] >= 0.86  # measured 0.874 with issue 10's ingest
    assert ours["hit_at_5"] > theirs["hit_at_5"] and ours["mrr_at_10"] > theirs["mrr_at_10"]


@pytest.mark.network_ok
def test_the_same_index_scores_the_same_over_http(guangzhou: tuple[Path, object]) -> None:
    from evals.clients import HttpClient, InProcessClient
    from evals.serve import LocalServer

    index_dir, settings = guangzhou
    query = "一次性创业资助申请条件"
    local = InProcessClient(index_dir, settings)
    try:
        want = [r["chunk_id"] for r in local.search(query, 5)["results"]]
    finally:
        local.close()
    with LocalServer(index_dir, settings.default_region) as base_url:  # type: ignore[attr-defined]
        http = HttpClient(base_url)
        try:
            got = [r["chunk_id"] for r in http.search(query, 5)["results"]]
        finally:
            http.close()
    assert got == want and len(got) == 5
