"""Passage vectors computed once: an on-disk store keyed by model id and text hash.

A real embedding model costs ~0.3 s per passage on two cores, so every generation (and every
index directory sharing the data dir) reuses what an earlier build embedded: re-ingesting an
unchanged corpus embeds nothing, and changing one document embeds only its chunks.
SQLite because several processes (API workers, ``python -m ingest``) may build at once.
"""
from __future__ import annotations

import hashlib
import logging
import re
import sqlite3
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from core.sqlite import use_wal

log = logging.getLogger("policy.vectors")


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class VectorCache:
    """One SQLite file per model id: (text hash) -> float32 vector."""

    def __init__(self, directory: Path, model_id: str, dim: int):
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", model_id).strip("_")[:120] or "model"
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / f"{safe}.sqlite3"
        self.model_id = model_id
        self.dim = dim
        self._db = sqlite3.connect(self.path, timeout=60, check_same_thread=False)
        use_wal(self._db, 60.0)
        self._db.execute("CREATE TABLE IF NOT EXISTS vec (key TEXT PRIMARY KEY, model TEXT NOT NULL, v BLOB NOT NULL)")

    def get_many(self, keys: list[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        for i in range(0, len(keys), 500):  # below SQLite's bound-parameter limit
            part = keys[i:i + 500]
            rows = self._db.execute(
                f"SELECT key, v FROM vec WHERE model = ? AND key IN ({','.join('?' * len(part))})",
                [self.model_id, *part])
            for key, blob in rows:
                vec = np.frombuffer(blob, dtype=np.float32)
                if vec.shape[0] == self.dim:
                    found[key] = vec
        return found

    def put_many(self, items: Iterable[tuple[str, np.ndarray]]) -> None:
        rows = [(k, self.model_id, np.ascontiguousarray(v, dtype=np.float32).tobytes()) for k, v in items]
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO vec (key, model, v) VALUES (?, ?, ?)", rows)

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM vec WHERE model = ?", [self.model_id]).fetchone()[0])

    def close(self) -> None:
        self._db.close()


@dataclass
class EmbedStats:
    total: int = 0
    cached: int = 0
    embedded: int = 0
    seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return round(self.embedded / self.seconds, 2) if self.seconds > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"total": self.total, "cached": self.cached, "embedded": self.embedded,
                "seconds": round(self.seconds, 2), "chunks_per_second": self.per_second}


def embed_with_cache(embedder: Any, texts: list[str], cache: VectorCache | None, batch: int = 32,
                     progress: bool = False) -> tuple[np.ndarray, EmbedStats]:
    """Vectors for ``texts`` in order: cached ones read back, the rest embedded in batches and stored.

    Each batch is stored as soon as it is done, so an interrupted build resumes where it stopped.
    """
    keys = [text_key(t) for t in texts]
    have = cache.get_many(sorted(set(keys))) if cache is not None else {}
    todo: dict[str, str] = {}
    for k, t in zip(keys, texts):
        if k not in have and k not in todo:
            todo[k] = t
    stats = EmbedStats(total=len(texts), cached=len(texts) - sum(1 for k in keys if k not in have))
    pending = list(todo.items())
    t0 = time.perf_counter()
    bar = _bar(len(pending), progress)
    for i in range(0, len(pending), batch):
        part = pending[i:i + batch]
        vecs = np.asarray(embedder.embed_documents([t for _, t in part]), dtype=np.float32)
        got = list(zip([k for k, _ in part], vecs))
        have.update(got)
        if cache is not None:
            cache.put_many(got)
        stats.embedded += len(part)
        if bar is not None:
            bar.update(len(part))
    if bar is not None:
        bar.close()
    stats.seconds = time.perf_counter() - t0
    if stats.embedded:
        log.info("embedded %d passages (%d cached) at %.2f/s", stats.embedded, stats.cached, stats.per_second)
    dim = int(getattr(embedder, "dim", 0) or (next(iter(have.values())).shape[0] if have else 0))
    out = np.stack([have[k] for k in keys]) if keys else np.zeros((0, dim), dtype=np.float32)
    return out, stats


def _bar(total: int, enabled: bool) -> Any:
    if not enabled or total == 0:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc="embed", unit="chunk", file=sys.stderr, disable=None)
