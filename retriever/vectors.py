"""The vector channel in Chroma: an embedded PersistentClient, or a Chroma server.

We always pass our own embeddings, so Chroma never loads (or downloads) a model of its own.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from core.lru import LRU

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

_BATCH = 4000  # below Chroma's max batch size
_SUBSETS = 8  # id sets (regions) whose vectors query_among keeps in memory


def make_client(chroma_dir: Path | None, host: str | None = None, port: int = 8000) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if host:
        return chromadb.HttpClient(host=host, port=port, settings=settings)
    assert chroma_dir is not None
    chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(chroma_dir), settings=settings)


EF_SEARCH = 400


class ChromaVectors:
    """One collection per index generation, cosine space."""

    def __init__(self, client: Any, name: str):
        self.client = client
        self.name = name
        # Chroma loads an HNSW graph differently in each process, and at its default ef_search (100) a
        # query for 100 neighbours misses a few of them, a different few each time: two workers then
        # ranked near-ties apart. At EF_SEARCH the same true neighbours come back in every process.
        self.collection = client.get_or_create_collection(
            name=name, configuration={"hnsw": {"space": "cosine", "ef_search": EF_SEARCH}}, embedding_function=None
        )
        if (self.collection.configuration_json.get("hnsw") or {}).get("ef_search", EF_SEARCH) < EF_SEARCH:
            _when_unlocked(lambda: self.collection.modify(configuration={"hnsw": {"ef_search": EF_SEARCH}}))
        # A generation's collection only changes through add(); Chroma's count() costs ~5 ms
        # at 50k vectors, as much as the query itself, so it is asked once.
        self._count: int | None = None
        self._subsets: LRU[tuple[str, ...], tuple[list[str], np.ndarray]] = LRU(_SUBSETS)

    def add(self, ids: list[str], embeddings: np.ndarray, metadatas: list[dict[str, Any]]) -> None:
        # Chroma takes float32 arrays as they are; .tolist() cost a Python float per dimension.
        vecs = np.ascontiguousarray(embeddings, dtype=np.float32)
        for i in range(0, len(ids), _BATCH):
            self.collection.add(ids=ids[i:i + _BATCH], embeddings=vecs[i:i + _BATCH],
                                metadatas=metadatas[i:i + _BATCH])
        self._count = None
        self._subsets.clear()

    def count(self) -> int:
        if self._count is None:
            self._count = int(self.collection.count())
        return self._count

    def query(self, embedding: np.ndarray, k: int, where: dict[str, Any] | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity), best first."""
        n = min(k, self.count())
        if n <= 0:
            return []
        res = self.collection.query(
            query_embeddings=[np.asarray(embedding, dtype=np.float32)], n_results=n, where=where or None,
            include=["distances"],
        )
        ids = res["ids"][0]
        dists = res["distances"][0]
        return [(i, 1.0 - float(d)) for i, d in zip(ids, dists)]

    def query_among(self, embedding: np.ndarray, ids: tuple[str, ...], k: int) -> list[tuple[str, float]]:
        """Like ``query`` restricted to ``ids``, computed exactly here on their vectors.

        A filtered HNSW query took ~40 ms at 57k vectors against ~1 ms unfiltered; the few
        documents of one region are fetched from Chroma once and scored with one product.
        """
        if not ids or k <= 0:
            return []
        found, matrix = self._subset(ids)
        if not found:
            return []
        q = np.asarray(embedding, dtype=np.float32)
        sims = matrix @ (q / max(float(np.linalg.norm(q)), 1e-12))
        # The rows are in id order (``_subset``), so a stable sort gives equal similarities (look-alike
        # passages) to the smaller id: the same passages in every process, whatever order Chroma returned.
        best = np.argsort(-sims, kind="stable")[: min(k, len(found))]
        return [(found[i], float(sims[i])) for i in best]

    def _subset(self, ids: tuple[str, ...]) -> tuple[list[str], np.ndarray]:
        return self._subsets.get_or_make(ids, lambda: self._fetch(ids))

    def _fetch(self, ids: tuple[str, ...]) -> tuple[list[str], np.ndarray]:
        got = self.collection.get(ids=list(ids), include=["embeddings"])
        order = sorted(range(len(got["ids"])), key=got["ids"].__getitem__)
        matrix = np.asarray(got["embeddings"], dtype=np.float32).reshape(len(got["ids"]), -1)[order]
        matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
        return [got["ids"][i] for i in order], matrix

    def drop(self) -> None:
        try:
            self.client.delete_collection(self.name)
        except Exception:  # already gone: nothing to clean up
            pass


def _when_unlocked(write: Callable[[], object], tries: int = 5, wait: float = 0.05) -> None:
    """Run a write to Chroma's SQLite, retried while another connection holds the lock ("database is locked"
    right after a collection is created, or while another process adds to it); other errors are raised."""
    import time

    for attempt in range(tries):
        try:
            write()
            return
        except Exception as exc:  # chromadb.errors.InternalError; not imported here to keep chromadb lazy
            if "database is locked" not in str(exc) or attempt == tries - 1:
                raise
            time.sleep(wait * (attempt + 1))
