"""The vector channel in Chroma: an embedded PersistentClient, or a Chroma server.

We always pass our own embeddings, so Chroma never loads (or downloads) a model of its own.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

_BATCH = 4000  # below Chroma's max batch size


def make_client(chroma_dir: Path | None, host: str | None = None, port: int = 8000) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if host:
        return chromadb.HttpClient(host=host, port=port, settings=settings)
    assert chroma_dir is not None
    chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(chroma_dir), settings=settings)


class ChromaVectors:
    """One collection per index generation, cosine space."""

    def __init__(self, client: Any, name: str):
        self.client = client
        self.name = name
        self.collection = client.get_or_create_collection(
            name=name, metadata={"hnsw:space": "cosine"}, embedding_function=None
        )

    def add(self, ids: list[str], embeddings: np.ndarray, metadatas: list[dict[str, Any]]) -> None:
        for i in range(0, len(ids), _BATCH):
            self.collection.add(
                ids=ids[i:i + _BATCH],
                embeddings=embeddings[i:i + _BATCH].astype(np.float32).tolist(),
                metadatas=metadatas[i:i + _BATCH],
            )

    def count(self) -> int:
        return int(self.collection.count())

    def query(self, embedding: np.ndarray, k: int, where: dict[str, Any] | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity), best first."""
        n = min(k, self.count())
        if n <= 0:
            return []
        res = self.collection.query(
            query_embeddings=[embedding.astype(np.float32).tolist()], n_results=n, where=where or None,
            include=["distances"],
        )
        ids = res["ids"][0]
        dists = res["distances"][0]
        return [(i, 1.0 - float(d)) for i, d in zip(ids, dists)]

    def drop(self) -> None:
        try:
            self.client.delete_collection(self.name)
        except Exception:  # already gone: nothing to clean up
            pass
