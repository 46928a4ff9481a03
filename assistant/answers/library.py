"""The records of one index generation, looked up the ways the answers need them."""
from __future__ import annotations

import re
from collections import defaultdict

from assistant.answers.schema import DocSchema
from assistant.facts import bigrams, coverage, same_quantity
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


class Library:
    def __init__(self, records: Records, profile: Profile):
        self.records = records
        self.profile = profile
        self.row_chunk = {c.ref: c for c in records.chunks if c.kind == "table_row"}
        self.ind_by_id = {i.id: i for i in records.indicators}
        self.inds: dict[str, list[Indicator]] = defaultdict(list)
        for i in records.indicators:
            self.inds[i.doc_id].append(i)
        self.figs: dict[str, list[Figure]] = defaultdict(list)
        for f in records.figures:
            self.figs[f.doc_id].append(f)
        self.passages: dict[str, list[Chunk]] = defaultdict(list)
        self.doc_chunks: dict[str, list[Chunk]] = defaultdict(list)
        for c in records.chunks:
            self.doc_chunks[c.doc_id].append(c)
            if c.kind in ("text", "box_item"):
                self.passages[c.doc_id].append(c)
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
        for c in self.passages[fig.doc_id]:
            if c.start <= fig.start < max(c.end, c.start + len(c.text) + 1) and fig.raw.replace("达到", "").replace("达", "") in c.text:
                return c
        return next((c for c in self.passages[fig.doc_id] if fig.sentence[:20] in c.text), None)
