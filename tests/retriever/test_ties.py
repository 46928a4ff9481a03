"""Passages tied at a channel's last candidate place are chosen by their ids (content hashes), not by the order
the documents were ingested in: machines that built one library from the same files rank it the same."""
from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from tests.retriever.conftest import engine_on

SHARED = "一、补贴\n\n对首次创办小微企业的，给予一次性创业补贴5000元。\n"
DOCS = {f"第{n}号通知": SHARED for n in "一二三四五"}  # five documents holding the same passage


@pytest.fixture(scope="module")
def retriever(tmp_path_factory: pytest.TempPathFactory) -> Any:
    engine = engine_on(tmp_path_factory.mktemp("ties"), DOCS, embedding_backend="lsa")
    yield engine.generation.retriever
    engine.close()


def test_the_tied_passage_with_the_first_id_takes_the_last_place(retriever: Any,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    query = "一次性创业补贴"
    plan = retriever.plan(query)
    tied = [i for i in range(len(retriever.ids)) if "5000元" in retriever.chunks.text(i)]
    assert len(tied) == len(DOCS)
    words = retriever.words.scores(plan.normalized)
    assert len({float(words[i]) for i in tied}) == 1  # the same text: the same BM25 score in every document
    monkeypatch.setattr(retriever, "config", dataclasses.replace(retriever.config, candidates=2))
    channels = retriever._channels(plan, None, retriever.scope(plan.normalized), None, ())
    first_two = sorted(retriever.ids[i] for i in tied)[:2]
    assert sorted(channels["words"]) == first_two
    assert sorted(channels["bigrams"]) == first_two
    # The ids, not the positions: here the first two positions do not hold the first two ids.
    assert sorted(retriever.ids[i] for i in sorted(tied)[:2]) != first_two
