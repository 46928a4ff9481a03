"""Chroma vectors in a real embedded Chroma in a temp dir."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from retriever.vectors import EF_SEARCH, ChromaVectors, make_client


def test_a_collection_is_cosine_and_searched_wide_enough_to_be_exact(tmp_path: Path) -> None:
    vectors = ChromaVectors(make_client(tmp_path / "chroma"), "gen-test")
    hnsw = vectors.collection.configuration_json["hnsw"]
    assert hnsw["space"] == "cosine" and hnsw["ef_search"] == EF_SEARCH
    rng = np.random.default_rng(0)
    emb = rng.normal(size=(300, 16)).astype(np.float32)
    vectors.add([f"c{i}" for i in range(300)], emb, [{"doc": "d"} for _ in range(300)])
    q = emb[7] + 0.01
    got = vectors.query(q, 100)
    unit = emb / np.linalg.norm(emb, axis=1, keepdims=True)
    exact = np.argsort(-(unit @ (q / np.linalg.norm(q))))[:100]
    assert [cid for cid, _ in got] == [f"c{i}" for i in exact]  # the true 100 neighbours, in order
    assert abs(got[0][1] - float(unit[7] @ (q / np.linalg.norm(q)))) < 1e-5  # cosine similarity, not distance


def test_a_collection_built_with_the_default_ef_search_is_widened_on_open(tmp_path: Path) -> None:
    client = make_client(tmp_path / "chroma")
    client.get_or_create_collection(name="gen-old", configuration={"hnsw": {"space": "cosine"}}, embedding_function=None)
    vectors = ChromaVectors(client, "gen-old")
    assert vectors.collection.configuration_json["hnsw"]["ef_search"] == EF_SEARCH


def test_a_write_meeting_chromas_sqlite_lock_is_retried_and_other_errors_are_not() -> None:
    import pytest

    from retriever.vectors import _when_unlocked

    calls: list[int] = []

    def locked_twice() -> None:
        calls.append(1)
        if len(calls) < 3:
            raise RuntimeError("Database error: error returned from database: (code: 5) database is locked")

    _when_unlocked(locked_twice, wait=0.0)
    assert len(calls) == 3

    def broken() -> None:
        raise RuntimeError("no such collection")

    with pytest.raises(RuntimeError, match="no such collection"):
        _when_unlocked(broken, wait=0.0)
    def always_locked() -> None:
        raise RuntimeError("database is locked")

    with pytest.raises(RuntimeError, match="locked"):  # given up after the last try
        _when_unlocked(always_locked, tries=2, wait=0.0)


def test_equal_similarities_among_a_subset_go_to_the_smaller_id_whatever_the_order(tmp_path: Path) -> None:
    vectors = ChromaVectors(make_client(tmp_path / "chroma"), "gen-ties")
    best, next_, far = [1.0, 0.0, 0.0], [0.8, 0.6, 0.0], [0.0, 0.0, 1.0]
    # Look-alike passages: two pairs of identical vectors, added with the larger id first.
    vectors.add(["c5", "c9", "c2", "c1", "c7"], np.array([best, next_, next_, best, far], dtype=np.float32),
                [{"doc": "d"} for _ in range(5)])
    q = np.array([1.0, 0.1, 0.0], dtype=np.float32)
    want = ["c1", "c5", "c2"]
    assert [cid for cid, _ in vectors.query_among(q, ("c5", "c9", "c2", "c1", "c7"), 3)] == want
    assert [cid for cid, _ in vectors.query_among(q, ("c7", "c1", "c2", "c9", "c5"), 3)] == want
    got = vectors.query_among(q, ("c9", "c2"), 1)
    assert [cid for cid, _ in got] == ["c2"] and abs(got[0][1] - float(np.dot(next_, q / np.linalg.norm(q)))) < 1e-6
