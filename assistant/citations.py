"""Citation numbering for one answer: the same chunk always gets the same [n]."""
from __future__ import annotations

from core.types import Chunk, Citation


def citation(n: int, chunk: Chunk, text: str | None = None, score: float = 0.0) -> Citation:
    return Citation(n=n, chunk_id=chunk.id, doc_id=chunk.doc_id, document=chunk.doc_title, section=chunk.section,
                    text=text if text is not None else chunk.text, start=chunk.start, end=chunk.end,
                    score=round(score, 4))


class CiteBook:
    """Numbered citations in order of first use."""

    def __init__(self) -> None:
        self.items: list[Citation] = []

    def add(self, chunk: Chunk, score: float = 1.0) -> int:
        for c in self.items:
            if c.chunk_id == chunk.id:
                return c.n
        self.items.append(citation(len(self.items) + 1, chunk, score=score))
        return len(self.items)
