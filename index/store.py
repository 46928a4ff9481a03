"""The index directory: atomic generations of records, lexical and vector indexes.

    index_dir/
      CURRENT               name of the generation being served
      gen-<time>-<hash>/    manifest.json, *.jsonl records, chunk_table/, lexical/, dense/, chroma/
      cache/                parsed documents keyed by file hash, so unchanged files aren't re-parsed

A rebuild writes a new generation beside the served one and then swaps CURRENT with
``os.replace``, which is atomic: a crash at any point leaves the old index serving.
"""
from __future__ import annotations

import gzip
import json
import os
import shutil
import threading
import time
import uuid
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Iterator

import numpy as np

from core.chunk_table import ChunksById, ChunkTable
from core.types import QA, Document, Figure, Indicator, ParsedDocument, Section

CURRENT = "CURRENT"
MANIFEST = "manifest.json"
_KEEP_OLD = 1  # generations kept besides the current one, for readers that opened it just before a swap


class IndexMissing(FileNotFoundError):
    """No index has been built in this directory yet."""


def pack_offsets(offsets: list[int]) -> list[list[int]]:
    """Run-length encode the clean→raw offset map: [clean_start, raw_start, length] runs."""
    runs: list[list[int]] = []
    for i, raw in enumerate(offsets):
        if runs and raw == runs[-1][1] + runs[-1][2] and i == runs[-1][0] + runs[-1][2]:
            runs[-1][2] += 1
        else:
            runs.append([i, raw, 1])
    return runs


class PackedOffsets(Sequence[int]):
    """The clean→raw offset map read straight from its runs, without a Python int per character.

    A served document only maps the few spans it cites; unpacked, the map was the largest part of the
    records (~36 bytes a character: 17.7 M characters at 1000×).
    """

    __slots__ = ("_starts", "_raws", "_len")

    def __init__(self, runs: list[list[int]]):
        # Two int64 arrays rather than lists of ints: 16 bytes a run instead of 72 (425 k runs at 1000×).
        table = np.array(runs, dtype=np.int64).reshape(-1, 3)
        self._starts = np.ascontiguousarray(table[:, 0])
        self._raws = np.ascontiguousarray(table[:, 1])
        self._len = int(table[-1, 0] + table[-1, 2]) if len(table) else 0

    def __len__(self) -> int:
        return self._len

    def __getitem__(self, i: int) -> int:  # type: ignore[override]
        if not isinstance(i, int):
            raise TypeError("PackedOffsets takes integer indexes only")
        if i < 0:
            i += self._len
        if not 0 <= i < self._len:
            raise IndexError(i)
        run = int(np.searchsorted(self._starts, i, side="right")) - 1
        return int(self._raws[run]) + i - int(self._starts[run])


def unpack_offsets(runs: list[list[int]]) -> list[int]:
    out: list[int] = []
    for _, raw, n in runs:
        out.extend(range(raw, raw + n))
    return out


def _write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")))
            f.write("\n")


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


class _Shared:
    """One string object per distinct short value (document ids and titles, section paths, kinds, column
    names, units...), which every chunk, figure and indicator row would otherwise hold its own copy of.
    At 1000× this takes the records from 457 to 297 MB. Used while loading only, then dropped."""

    MAX_LEN = 80  # longer strings are passage and sentence text: rarely repeated

    def __init__(self) -> None:
        self._memo: dict[str, str] = {}
        self.decoder = json.JSONDecoder(object_pairs_hook=self._object)

    def _value(self, v: Any) -> Any:
        if type(v) is str:
            return self._memo.setdefault(v, v) if len(v) <= self.MAX_LEN else v
        if type(v) is list:
            return [self._value(x) for x in v]
        return v

    def _object(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        return {self._memo.setdefault(k, k): self._value(v) for k, v in pairs}

    def read(self, path: Path) -> Iterator[dict[str, Any]]:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    yield self.decoder.decode(line)


def _doc_row(doc: Document) -> dict[str, Any]:
    row = doc.to_dict()
    row["offsets"] = pack_offsets(doc.offsets)
    return row


def current_generation(index_dir: Path) -> Path | None:
    try:
        name = (index_dir / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    gen = index_dir / name
    return gen if (gen / MANIFEST).exists() else None


def require_generation(index_dir: Path) -> Path:
    gen = current_generation(index_dir)
    if gen is None:
        raise IndexMissing(f"no index in {index_dir}; build it with: python -m ingest --index-dir {index_dir}")
    return gen


def read_manifest(gen: Path) -> dict[str, Any]:
    return json.loads((gen / MANIFEST).read_text(encoding="utf-8"))


def new_generation(index_dir: Path) -> Path:
    """A fresh, hidden working directory for a rebuild."""
    index_dir.mkdir(parents=True, exist_ok=True)
    # Microseconds in the name: generations sort by age even when two builds finish within a second.
    name = f".building-gen-{datetime.now().strftime('%Y%m%d%H%M%S%f')}-{uuid.uuid4().hex[:8]}"
    path = index_dir / name
    path.mkdir()
    return path


def write_records(gen: Path, docs: list[ParsedDocument]) -> None:
    _write_jsonl(gen / "documents.jsonl", (_doc_row(p.document) for p in docs))
    _write_jsonl(gen / "sections.jsonl", (s.to_dict() for p in docs for s in p.sections))
    _write_jsonl(gen / "chunks.jsonl", (c.to_dict() for p in docs for c in p.chunks))
    from retriever.lookalike import shingles

    ChunkTable.write(gen, (c for p in docs for c in p.chunks), codes=shingles)
    _write_jsonl(gen / "indicators.jsonl", (i.to_dict() for p in docs for i in p.indicators))
    _write_jsonl(gen / "figures.jsonl", (f.to_dict() for p in docs for f in p.figures))
    _write_jsonl(gen / "qas.jsonl", (q.to_dict() for p in docs for q in p.qas))


def publish(index_dir: Path, building: Path, manifest: dict[str, Any]) -> Path:
    """Make ``building`` the served generation. The manifest is written last: its presence marks completeness."""
    (building / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    final = index_dir / building.name.removeprefix(".building-")
    os.replace(building, final)
    tmp = index_dir / f".{CURRENT}.{uuid.uuid4().hex[:8]}"
    try:
        tmp.write_text(final.name, encoding="utf-8")
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, index_dir / CURRENT)
    except BaseException:
        # Not swapped in: remove it (the caller's discard(building) no longer sees it under its old name).
        tmp.unlink(missing_ok=True)
        if current_generation(index_dir) != final:
            shutil.rmtree(final, ignore_errors=True)
        raise
    return final


def collect_garbage(index_dir: Path, on_remove: Any = None) -> list[str]:
    """Remove half-built and superseded generations, keeping the current one and the last few."""
    current = current_generation(index_dir)
    removed: list[str] = []
    gens = sorted((p for p in index_dir.glob("gen-*") if p.is_dir()), key=lambda p: p.name)
    keep = {current.name} if current else set()
    older = [g for g in gens if g.name not in keep]
    for g in older[: max(0, len(older) - _KEEP_OLD)]:
        if on_remove:
            on_remove(g)
        shutil.rmtree(g, ignore_errors=True)
        removed.append(g.name)
    for stale in index_dir.glob(".building-gen-*"):
        # Only builds that died: a live build touches its directory continuously.
        if time.time() - stale.stat().st_mtime > 3600:
            shutil.rmtree(stale, ignore_errors=True)
            removed.append(stale.name)
    return removed


def discard(building: Path) -> None:
    shutil.rmtree(building, ignore_errors=True)


class Records:
    """The structured records of one generation, in memory: repeated strings shared, offset maps packed.

    ``documents`` holds each document's id, source, metadata and offset map but not its full text
    (``text`` and ``raw_text`` are empty): answers work from the chunks, and the full text is read from
    disk by ``document(id)`` when someone opens the document (1000×: 70 MB less per worker).
    ``chunks`` is a ``ChunkTable``: columns in memory, texts and records read on demand (1000×: ~95 MB less).
    """

    _CACHED_TEXTS = 8  # full documents kept after being opened

    def __init__(self, gen: Path):
        self.gen = gen
        self.manifest = read_manifest(gen)
        shared = _Shared()
        self.documents: dict[str, Document] = {}
        self._where: dict[str, tuple[int, int]] = {}  # doc id -> (byte offset, length) in documents.jsonl
        self._full: dict[str, Document] = {}
        self._lock = threading.Lock()
        with open(gen / "documents.jsonl", "rb") as f:
            while line := f.readline():
                if not line.strip():
                    continue
                row = shared.decoder.decode(line.decode("utf-8"))
                row["text"] = row["raw_text"] = ""
                row["offsets"] = PackedOffsets(row["offsets"])
                doc = Document.from_dict(row)
                self.documents[doc.id] = doc
                self._where[doc.id] = (f.tell() - len(line), len(line))
        read = shared.read
        self.sections = [Section.from_dict(r) for r in read(gen / "sections.jsonl")]
        self.chunks = ChunkTable.open(gen)
        self.indicators = [Indicator.from_dict(r) for r in read(gen / "indicators.jsonl")]
        self.figures = [Figure.from_dict(r) for r in read(gen / "figures.jsonl")]
        # Generations written before Q/A records existed have no qas.jsonl.
        qa_path = gen / "qas.jsonl"
        self.qas: dict[str, QA] = {q.id: q for q in map(QA.from_dict, read(qa_path))} if qa_path.exists() else {}
        self.chunk_by_id = ChunksById(self.chunks)

    def document(self, doc_id: str) -> Document | None:
        """The document with its full text (cleaned and raw), or None for an unknown id."""
        with self._lock:
            doc = self._full.get(doc_id)
        if doc is not None or doc_id not in self._where:
            return doc
        offset, length = self._where[doc_id]
        with open(self.gen / "documents.jsonl", "rb") as f:
            f.seek(offset)
            row = json.loads(f.read(length).decode("utf-8"))
        row["offsets"] = PackedOffsets(row["offsets"])
        doc = Document.from_dict(row)
        with self._lock:
            self._full[doc_id] = doc
            while len(self._full) > self._CACHED_TEXTS:
                self._full.pop(next(iter(self._full)))
        return doc


# Parsed-document cache --------------------------------------------------------------


def cache_path(index_dir: Path, key: str) -> Path:
    return index_dir / "cache" / f"{key}.json.gz"


def cache_get(index_dir: Path, key: str) -> ParsedDocument | None:
    path = cache_path(index_dir, key)
    try:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            data = json.load(f)
    except (FileNotFoundError, OSError, ValueError):
        return None
    data["document"]["offsets"] = unpack_offsets(data["document"]["offsets"])
    return ParsedDocument.from_dict(data)


def cache_put(index_dir: Path, key: str, parsed: ParsedDocument) -> None:
    path = cache_path(index_dir, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = parsed.to_dict()
    data["document"]["offsets"] = pack_offsets(parsed.document.offsets)
    tmp = path.with_suffix(f".{uuid.uuid4().hex[:6]}.tmp")
    with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=1) as f:
        json.dump(data, f, ensure_ascii=False, separators=(",", ":"))
    os.replace(tmp, path)


def prune_cache(index_dir: Path, live_keys: set[str]) -> None:
    for path in (index_dir / "cache").glob("*.json.gz"):
        if path.name.removesuffix(".json.gz") not in live_keys:
            path.unlink(missing_ok=True)
