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
