"""What every answer component receives, and the component protocol."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from assistant.intent import Intent
from core.types import Answer, Hit
from retriever.query import QueryPlan


@dataclass
class Query:
    """One question as the components see it: its text, analysis and follow-up state."""

    question: str  # as asked
    resolved: str  # after merging an elliptical follow-up with the previous question
    plan: QueryPlan  # analysis of ``resolved``
    current: str  # analysed text of this turn alone ("其中专业技术人才呢？")
    intent: Intent
    prev: dict[str, Any] = field(default_factory=dict)  # the previous answer's follow-up state

    @property
    def text(self) -> str:
        return self.plan.text

    @property
    def prev_indicators(self) -> list[str]:
        return list(self.prev.get("indicators", []))

    @property
    def prev_columns(self) -> list[str]:
        return list(self.prev.get("columns", []))


class Component(Protocol):
    """One kind of answer: returns an Answer, or None to let the next component try."""

    def run(self, q: Query, hits: list[Hit]) -> Answer | None: ...
