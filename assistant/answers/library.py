"""The records of one index generation, looked up the ways the answers need them."""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Mapping

from assistant.answers.schema import DocSchema
from assistant.facts import bigrams, coverage, same_quantity
from core.chunk_table import ChunkTable
from core.profile import Profile
from core.types import Chunk, Figure, Indicator
from index.store import Records


TITLE_CHARS = 48  # a title longer than this is an ingest fault; never let it fill the answer


def _cn_date(iso: str) -> str:
    m = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?", iso or "")
    if not m:
        return ""
    y, mo = int(m.group(1)), int(m.group(2))
    return f"{y}年{mo}月{int(m.group(3))}日" if m.group(3) else f"{y}年{mo}月"


class RowChunks(Mapping[str, Chunk]):
    """Indicator id -> the table-row chunk rendering it, decoded when looked up."""

    def __init__(self, table: ChunkTable):
        self._table = table
        self._at = table.by_ref("table_row")

    def __getitem__(self, ref: str) -> Chunk:
        return self._table[self._at[ref][-1]]

    def __contains__(self, ref: object) -> bool:
        return ref in self._at

    def __iter__(self) -> Iterator[str]:
        return iter(self._at)

    def __len__(self) -> int:
        return len(self._at)


class DocChunks:
    """doc id -> its chunks (optionally of some kinds only), decoded when a document is asked for."""

    def __init__(self, table: ChunkTable, kinds: tuple[str, ...] = ()):
        self._table = table
        self._codes = [table.kind_code(k) for k in kinds]

    def indexes(self, doc_id: str) -> list[int]:
        idx = self._table.of_doc(doc_id)
        if self._codes:
            idx = idx[[int(self._table.kind[i]) in self._codes for i in idx]] if len(idx) else idx
        return [int(i) for i in idx]

    def __getitem__(self, doc_id: str) -> list[Chunk]:
        return [self._table[i] for i in self.indexes(doc_id)]


class Library:
    def __init__(self, records: Records, profile: Profile):
        self.records = records
        self.profile = profile
        # Views over the chunk table rather than dicts of every chunk: a worker decodes only the chunks it shows.
        self.chunks = table = ChunkTable.of(records.chunks)
        self.row_chunk = RowChunks(table)
        self.ind_by_id = {i.id: i for i in records.indicators}
        self.inds: dict[str, list[Indicator]] = defaultdict(list)
        for i in records.indicators:
            self.inds[i.doc_id].append(i)
        self.figs: dict[str, list[Figure]] = defaultdict(list)
        for f in records.figures:
            self.figs[f.doc_id].append(f)
        self.passages = DocChunks(table, ("text", "box_item"))
        self.doc_chunks = DocChunks(table)
        self.schemas = {d: DocSchema.from_indicators(inds) for d, inds in self.inds.items()}
        self._name_bigrams = [bigrams(n) for n in {i.name for i in records.indicators}]

    @property
    def several_documents(self) -> bool:
        return len(self.records.documents) > 1

    def title(self, doc_id: str) -> str:
        doc = self.records.documents.get(doc_id)
        return doc.meta.title if doc else ""

    def lead(self, doc_id: str) -> str:
        """"根据《title》（2025年11月印发）：" — whose words these are, and of when."""
        doc = self.records.documents.get(doc_id)
        if doc is None:
            return ""
        title = doc.meta.title or doc.source
        if title in self.profile.own_plans:
            return "根据规划："  # the deployment's own plan: its readers know it
        title = title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1] + "…"
        date = _cn_date(doc.meta.issue_date)
        return f"根据《{title}》（{date}）：" if date else f"根据《{title}》："

    def schema(self, doc_id: str) -> DocSchema:
        return self.schemas.get(doc_id) or DocSchema()

    def mentions_indicator(self, text: str, floor: float) -> bool:
        qb = bigrams(text)
        return any(coverage(nb, qb) >= floor for nb in self._name_bigrams)

    def without_places(self, text: str) -> str:
        """The text with place names removed: "某市2020年…" is about the indicator, not the place."""
        for place in self.profile.gazetteer.find(text):
            text = text.replace(place, " ").replace(place.rstrip("市省县区"), " ")
        return text

    def cluster(self, ind: Indicator) -> list[Indicator]:
        """The row and the rows of other tables that measure the same thing, its own table first."""
        same = [j for j in self.inds[ind.doc_id] if j.id == ind.id or j.name == ind.name or same_quantity(ind, j)]
        return sorted(same, key=lambda j: (j.table_id != ind.table_id, j.table_id))

    def passage_of(self, fig: Figure) -> Chunk | None:
        """The passage a text figure was read from."""
        t = self.chunks
        idx = self.passages.indexes(fig.doc_id)
        raw = fig.raw.replace("达到", "").replace("达", "")
        for i in idx:
            start, text = int(t.start[i]), t.text(i)
            if start <= fig.start < max(int(t.end[i]), start + len(text) + 1) and raw in text:
                return t[i]
        return next((t[i] for i in idx if fig.sentence[:20] in t.text(i)), None)
