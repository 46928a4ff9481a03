"""Optional cross-encoder reranking (RERANK_MODEL); torch loads only when configured."""
from __future__ import annotations

from dataclasses import replace

from core.types import Hit


class CrossEncoderReranker:
    def __init__(self, model: str, device: str = "cpu", top_n: int = 30):
        from sentence_transformers import CrossEncoder  # heavy import, on purpose here

        self.model = CrossEncoder(model, device=device)
        self.top_n = top_n

    def rerank(self, query: str, hits: list[Hit]) -> list[Hit]:
        """Reorder the first ``top_n`` hits by the cross-encoder's score; the rest keep their order."""
        head, tail = hits[: self.top_n], hits[self.top_n:]
        if not head:
            return hits
        scores = self.model.predict([(query, h.chunk.indexed_text()) for h in head], show_progress_bar=False)
        rescored = [replace(h, score=float(s), channels={**h.channels, "rerank": float(s)})
                    for h, s in zip(head, scores)]
        rescored.sort(key=lambda h: -h.score)
        return rescored + tail
