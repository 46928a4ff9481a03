"""The chunks of one generation as compact columns, with texts and whole records read on demand.

A worker scores 111 k chunks at 1000× but shows a few dozen: holding every chunk as a Python object
took ~110 MB a worker. Here a chunk is a row of small numpy columns (document, kind, offsets) and an
id; its text is a slice of one UTF-8 file and the whole record a line of ``chunks.jsonl``, both read
with ``pread`` when asked for (the OS page cache holds the files once for all workers), the records
decoded and kept in a small cache. Read rather than memory-mapped: the kernel maps 64 KB around each
faulting page, so the ~225 scattered texts a search reads at 1000× mapped ~50 MB into every worker
after a few questions; a pread costs ~0.8 µs more than a slice of a mapping.

    gen/chunk_table/columns.npz   doc, kind, start, end, text_at, row_at (row i = bytes row_at[i]:row_at[i+1]),
                                  digits and digit_at (chunk i's runs of [0-9.], space-separated; newer tables)
    gen/chunk_table/keys.json     ids, document ids, kind names, refs (and the rows that have one)
    gen/chunk_table/texts.bin     the texts, NUL-separated (text i = bytes text_at[i]:text_at[i+1]-1)
    gen/chunk_table/bigrams.bin   per chunk, the sorted uint32 codes the retriever compares passages by: each
                                  distinct character bigram's rank among the library's (chunk i = codes
                                  bigram_at[i]:bigram_at[i+1], all below bigram_space); absent in older tables
"""
from __future__ import annotations

import json
import os
import re
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, overload

import numpy as np

from core.lru import LRU
from core.types import Chunk

TABLE_DIR = "chunk_table"
BIGRAMS = "bigrams.bin"
_SEP = b"\x00"  # between texts: a term without NUL cannot match across two of them
# A number written with Arabic digits and a decimal point lies within one maximal run of these characters,
# so a chunk's runs, joined by a space, hold it exactly when its text does.
_DIGIT_RUN = re.compile(r"[0-9.]+")


class _File:
    """Byte ranges of a read-only file, read with pread: thread-safe, and nothing kept in the process."""

    BLOCK = 1 << 18  # small: a large buffer raises glibc's mmap threshold and stays in the heap

    def __init__(self, path: Path):
        self._fd = os.open(path, os.O_RDONLY)
        weakref.finalize(self, os.close, self._fd)  # closed when the generation's records are dropped
        self._size = os.fstat(self._fd).st_size

    def __getitem__(self, span: slice) -> bytes:
        return os.pread(self._fd, span.stop - span.start, span.start)

    def find(self, needle: bytes) -> int:
        """Offset of the first occurrence of ``needle``, or -1; read block by block."""
        keep = max(len(needle) - 1, 0)
        pos, tail = 0, b""
        while pos < self._size:
            block = tail + os.pread(self._fd, self.BLOCK, pos)
            at = block.find(needle)
            if at != -1:
                return pos - len(tail) + at
            pos += self.BLOCK
            tail = block[-keep:] if keep else b""
        return -1


class _Columns:
    """What the table knows about every chunk without its record: built from the records, or loaded."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.doc_ids: dict[str, int] = {}
        self.kinds: dict[str, int] = {}
        self.ref_at: list[int] = []
        self.refs: list[str] = []
        self.doc: list[int] = []
        self.kind: list[int] = []
        self.start: list[int] = []
        self.end: list[int] = []
        self.texts = bytearray()
        self.text_at: list[int] = [0]
        self.digits = bytearray()
        self.digit_at: list[int] = [0]
        self.titles: dict[str, int] = {}  # distinct document titles and section paths: a few hundred at 1000×
        self.paths: dict[tuple[str, ...], int] = {}
        self.title: list[int] = []
        self.path: list[int] = []

    def add(self, chunk: Chunk) -> None:
        i = len(self.ids)
        self.ids.append(chunk.id)
        self.doc.append(self.doc_ids.setdefault(chunk.doc_id, len(self.doc_ids)))
        self.kind.append(self.kinds.setdefault(chunk.kind, len(self.kinds)))
        self.start.append(chunk.start)
        self.end.append(chunk.end)
        if chunk.ref:
            self.ref_at.append(i)
            self.refs.append(chunk.ref)
        self.texts += chunk.text.encode("utf-8") + _SEP
        self.text_at.append(len(self.texts))
        self.digits += " ".join(_DIGIT_RUN.findall(chunk.text)).encode("ascii") + b" "
        self.digit_at.append(len(self.digits))
        self.title.append(self.titles.setdefault(chunk.doc_title, len(self.titles)))
        self.path.append(self.paths.setdefault(tuple(chunk.section_path), len(self.paths)))

    def arrays(self) -> dict[str, np.ndarray]:
        return {"doc": np.array(self.doc, dtype=np.int32), "kind": np.array(self.kind, dtype=np.uint8),
                "start": np.array(self.start, dtype=np.int64), "end": np.array(self.end, dtype=np.int64),
                "text_at": np.array(self.text_at, dtype=np.int64),
                "digits": np.frombuffer(bytes(self.digits), dtype=np.uint8),
                "digit_at": np.array(self.digit_at, dtype=np.int64),
                "title": np.array(self.title, dtype=np.int32), "path": np.array(self.path, dtype=np.int32)}

    def keys(self) -> dict[str, Any]:
        return {"ids": self.ids, "docs": list(self.doc_ids), "kinds": list(self.kinds), "ref_at": self.ref_at,
                "refs": self.refs, "titles": list(self.titles), "paths": [list(p) for p in self.paths]}


class _JsonlRows:
    """Chunk i decoded from its line of ``chunks.jsonl``, read with pread."""

    def __init__(self, path: Path, row_at: np.ndarray):
        self._data = _File(path)
        self._at = row_at

    def __call__(self, i: int) -> Chunk:
        return Chunk.from_dict(json.loads(self._data[int(self._at[i]):int(self._at[i + 1])]))


class ChunkTable(Sequence[Chunk]):
    """Sequence of the chunks; ``table[i]`` decodes chunk i (cached), the columns need no decoding."""

    CACHED = 4096  # decoded chunks kept: the hits and passages of recent questions (~2 KB each)
    # Texts (and shingle codes) kept: a search at 1000× reads ~290 texts of ~330 candidates (number check,
    # look-alikes, repeats) and ~130 candidates' codes, many again in the next similar question; ~0.5 and ~1 KB each.
    TEXTS_CACHED = 4096

    def __init__(self, keys: dict[str, Any], arrays: Mapping[str, np.ndarray], texts: bytes | _File,
                 rows: Callable[[int], Chunk]):
        self.ids: list[str] = keys["ids"]
        self.index_of = {cid: i for i, cid in enumerate(self.ids)}
        self.doc_ids: list[str] = keys["docs"]
        self.kinds: list[str] = keys["kinds"]
        self.doc = arrays["doc"]
        self.kind = arrays["kind"]
        self.start = arrays["start"]
        self.end = arrays["end"]
        self._text_at = arrays["text_at"]
        # Each chunk's digit runs (1.8 MB at 1000×), in memory: the number prior tests every candidate.
        digits = arrays.get("digits")
        self._digits = None if digits is None else digits.tobytes().decode("ascii")
        self._digit_at = arrays.get("digit_at")
        # Each chunk's document title and section path, without decoding its record (tables written since).
        self._headings: tuple[np.ndarray, np.ndarray, list[str], list[tuple[str, ...]]] | None = None
        if "title" in arrays and "titles" in keys:
            self._headings = (arrays["title"], arrays["path"], keys["titles"], [tuple(p) for p in keys["paths"]])
        self._texts = texts
        self._rows = rows
        self._ref_at = np.array(keys["ref_at"], dtype=np.int64)  # the chunks that render a record, and its id
        self._refs: list[str] = keys["refs"]
        self._by_ref: dict[str, dict[str, list[int]]] = {}
        self._by_doc: tuple[dict[str, int], np.ndarray, np.ndarray] | None = None
        self._cache: LRU[int, Chunk] = LRU(self.CACHED)
        self._text_cache: dict[int, str] = {}
        self._codes: tuple[_File, np.ndarray, int] | None = None  # bigrams.bin, where each chunk's start, space
        self._codes_cache: dict[int, bytes] = {}  # ~0.5 KB a chunk

    # -- building and opening -----------------------------------------------------------------

    @classmethod
    def of(cls, chunks: Sequence[Chunk]) -> "ChunkTable":
        """``chunks`` itself if it is a table, else a table over the list (its objects returned as they are)."""
        if isinstance(chunks, ChunkTable):
            return chunks
        cols = _Columns()
        for c in chunks:
            cols.add(c)
        items = list(chunks)
        return cls(cols.keys(), cols.arrays(), bytes(cols.texts), items.__getitem__)

    @staticmethod
    def write(gen: Path, chunks: Iterable[Chunk], codes: Callable[[str], np.ndarray] | None = None) -> None:
        """Write the table of ``gen/chunks.jsonl`` (already written, one line per chunk in this order), and
        ``codes(text)`` of every chunk when given (the retriever's look-alike shingles: computed once here
        instead of for ~130 candidates a search), each code replaced by its rank among the library's codes."""
        cols = _Columns()
        out = gen / TABLE_DIR
        out.mkdir(exist_ok=True)
        parts: list[np.ndarray] = []
        for c in chunks:
            cols.add(c)
            if codes is not None:
                parts.append(np.asarray(codes(c.text), dtype=np.uint64))
        extra: dict[str, np.ndarray] = {}
        if codes is not None:
            # Ranks keep each chunk's codes sorted and distinct, take half the bytes, and index an array directly.
            vocab, ranks = np.unique(np.concatenate(parts or [np.zeros(0, np.uint64)]), return_inverse=True)
            (out / BIGRAMS).write_bytes(ranks.astype(np.uint32).tobytes())
            extra["bigram_at"] = np.concatenate(([0], np.cumsum([len(p) for p in parts], dtype=np.int64)))
            extra["bigram_space"] = np.array([len(vocab)], dtype=np.int64)
        (out / "texts.bin").write_bytes(bytes(cols.texts))
        (out / "keys.json").write_text(json.dumps(cols.keys(), ensure_ascii=False), encoding="utf-8")
        np.savez(out / "columns.npz", row_at=_line_starts(gen / "chunks.jsonl"), **cols.arrays(), **extra)

    @classmethod
    def open(cls, gen: Path) -> "ChunkTable":
        """The table of a generation; one written before tables existed is read from its chunks.jsonl."""
        path = gen / "chunks.jsonl"
        table_dir = gen / TABLE_DIR
        if not (table_dir / "columns.npz").exists():
            return cls._from_jsonl(path)
        with np.load(table_dir / "columns.npz") as z:
            arrays = {k: z[k] for k in z.files}
        keys = json.loads((table_dir / "keys.json").read_text(encoding="utf-8"))
        table = cls(keys, arrays, _File(table_dir / "texts.bin"), _JsonlRows(path, arrays["row_at"]))
        if "bigram_at" in arrays and (table_dir / BIGRAMS).exists():
            table._codes = (_File(table_dir / BIGRAMS), arrays["bigram_at"], int(arrays["bigram_space"][0]))
        return table

    @classmethod
    def _from_jsonl(cls, path: Path) -> "ChunkTable":
        cols = _Columns()
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    cols.add(Chunk.from_dict(json.loads(line)))
        return cls(cols.keys(), cols.arrays(), bytes(cols.texts), _JsonlRows(path, _line_starts(path)))

    # -- the sequence --------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, i: int) -> Chunk: ...

    @overload
    def __getitem__(self, i: slice) -> list[Chunk]: ...

    def __getitem__(self, i: int | slice) -> Chunk | list[Chunk]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        i = int(i)
        if i < 0:
            i += len(self.ids)
        if not 0 <= i < len(self.ids):
            raise IndexError(i)
        return self._cache.get_or_make(i, lambda: self._rows(i))

    def __iter__(self) -> Iterator[Chunk]:
        return (self[i] for i in range(len(self.ids)))

    def forget(self) -> None:
        """Drop the decoded chunks (those of a warm-up's answers, which nobody was shown)."""
        self._cache.clear()

    def peek(self, i: int) -> Chunk:
        """Chunk ``i`` without caching it: a search reads the records of ~40 candidates and shows ten."""
        got = self._cache.peek(int(i))
        return got if got is not None else self._rows(int(i))

    # -- columns ---------------------------------------------------------------------------------

    def text(self, i: int) -> str:
        i = int(i)
        got = self._text_cache.get(i)
        if got is None:
            got = self._texts[int(self._text_at[i]):int(self._text_at[i + 1]) - 1].decode("utf-8")
            if len(self._text_cache) >= self.TEXTS_CACHED:  # a bound, not an LRU: a clear costs one re-read each
                self._text_cache.clear()
            self._text_cache[i] = got
        return got

    def heading(self, i: int) -> tuple[str, tuple[str, ...]]:
        """Chunk i's document title and section path (a record is decoded only for a table written before)."""
        if self._headings is None:
            chunk = self.peek(i)
            return chunk.doc_title, tuple(chunk.section_path)
        title, path, titles, paths = self._headings
        return titles[title[i]], paths[path[i]]

    def number_test(self, numbers: Sequence[str]) -> Callable[[int], bool]:
        """``test(i)``: whether chunk i's text contains one of ``numbers``, read from its digit runs when all are
        written in Arabic digits (an older table has no runs: its texts are read)."""
        numbers = tuple(numbers)
        if self._digits is None or self._digit_at is None or not all(map(_DIGIT_RUN.fullmatch, numbers)):
            return lambda i: any(x in self.text(i) for x in numbers)
        digits, at = self._digits, self._digit_at
        return lambda i: any(x in digits[at[i]:at[i + 1]] for x in numbers)

    @property
    def code_space(self) -> int | None:
        """Every stored code is below this (None: no stored codes)."""
        return None if self._codes is None else self._codes[2]

    def codes(self, indices: Sequence[int]) -> tuple[np.ndarray, np.ndarray] | None:
        """The stored codes of these chunks (below ``code_space``), concatenated, and where each one's start
        (``bounds[j]:bounds[j+1]``); None when the table has none (written before them, or built in memory)."""
        if self._codes is None:
            return None
        data, at, _ = self._codes
        cache = self._codes_cache
        if len(cache) >= self.TEXTS_CACHED:
            cache.clear()
        rows = np.asarray(indices, dtype=np.int64)
        lo, hi = at[rows], at[rows + 1]
        # Offsets converted once for the batch, not per chunk: numpy scalars cost ~0.3 ms a search at 1000×.
        parts = [cache.get(i) or cache.setdefault(i, data[a:b])
                 for i, a, b in zip(rows.tolist(), (lo * 4).tolist(), (hi * 4).tolist())]
        bounds = np.zeros(len(parts) + 1, dtype=np.int64)
        np.cumsum(hi - lo, out=bounds[1:])
        return np.frombuffer(b"".join(parts), dtype=np.uint32), bounds

    def contains(self, term: str) -> bool:
        """Whether some chunk's text contains ``term``: one scan of the texts file."""
        if not self.ids:
            return False
        if "\x00" in term:
            return any(term in self.text(i) for i in range(len(self.ids)))
        return self._texts.find(term.encode("utf-8")) != -1

    def kind_code(self, kind: str) -> int:
        """The code of ``kind`` in the kind column (-1 when no chunk has it)."""
        return self.kinds.index(kind) if kind in self.kinds else -1

    def of_doc(self, doc_id: str) -> np.ndarray:
        """Indexes of the document's chunks, in table order."""
        if self._by_doc is None:
            order = np.argsort(self.doc, kind="stable")
            bounds = np.searchsorted(self.doc[order], np.arange(len(self.doc_ids) + 1))
            self._by_doc = ({d: i for i, d in enumerate(self.doc_ids)}, order, bounds)
        codes, order, bounds = self._by_doc
        d = codes.get(doc_id)
        return order[bounds[d]:bounds[d + 1]] if d is not None else order[:0]

    def by_ref(self, kind: str) -> dict[str, list[int]]:
        """ref -> indexes of the chunks of ``kind`` rendering it (a table row's indicator, a Q/A record)."""
        got = self._by_ref.get(kind)
        if got is None:
            code = self.kind_code(kind)
            got = {}
            for i in np.flatnonzero(self.kind[self._ref_at] == code) if code >= 0 else ():
                got.setdefault(self._refs[i], []).append(int(self._ref_at[i]))
            self._by_ref[kind] = got
        return got


def _line_starts(path: Path) -> np.ndarray:
    """Byte offset of every non-blank line of a JSONL file, and the file's length last."""
    starts: list[int] = []
    pos = 0
    with open(path, "rb") as f:
        for line in f:
            if line.strip():
                starts.append(pos)
            pos += len(line)
    if starts:
        starts.append(pos)
    return np.array(starts or [0], dtype=np.int64)


class ChunksById(Mapping[str, Chunk]):
    """id -> chunk over a table, decoding only the chunks looked up."""

    def __init__(self, table: ChunkTable):
        self._table = table

    def __getitem__(self, cid: str) -> Chunk:
        return self._table[self._table.index_of[cid]]

    def __contains__(self, cid: object) -> bool:
        return cid in self._table.index_of

    def __iter__(self) -> Iterator[str]:
        return iter(self._table.ids)

    def __len__(self) -> int:
        return len(self._table)
