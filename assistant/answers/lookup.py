"""Which table rows and text figures a figure question is about.

The rows come from the ranked hits: the row search ranks is the row that is answered
and cited. Among them, the question's words pick by name (bigram Dice and coverage).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.answers.base import Query
from assistant.answers.config import AnswerConfig
from assistant.answers.library import Library
from assistant.answers.units import expected_units, unit_fits
from assistant.facts import FactMatch, match_figures, match_indicators
from core.types import Hit, Indicator

_FIGURE_CUE = re.compile(r"目标|基数|完成数|target", re.I)


@dataclass
class Lookup:
    doc_id: str
    indicators: list[Indicator] = field(default_factory=list)  # chosen rows, best first
    score: float = 0.0  # the best row's match score
    figures: list[FactMatch] = field(default_factory=list)  # text figures that fit, best first
    asks: int = 1  # how many figures the question asks for ("几个…、几个…")
    asks_figure: bool = False

    @property
    def best_figure(self) -> float:
        return self.figures[0].score if self.figures else 0.0


def ranked_rows(hits: list[Hit], lib: Library, doc_id: str) -> list[Indicator]:
    """Table rows behind the ranked hits of one document, in rank order."""
    ids = dict.fromkeys(h.chunk.ref for h in hits if h.chunk.kind == "table_row" and h.chunk.ref in lib.ind_by_id)
    return [lib.ind_by_id[i] for i in ids if lib.ind_by_id[i].doc_id == doc_id]


def look_up(q: Query, hits: list[Hit], lib: Library, doc_id: str, cfg: AnswerConfig) -> Lookup:
    intent = q.intent
    # Computed answers (differences, rates) have their own unit; the row's unit doesn't constrain them.
    want = set() if (intent.diff or intent.met or intent.rate) else expected_units(q.question)
    rows = [r for r in ranked_rows(hits, lib, doc_id) if unit_fits(r.unit, want, r.name, q.question)]
    out = Lookup(doc_id=doc_id)
    matches: list[FactMatch] = []
    # The current question's own words first: "其中专业技术人才呢？" names a new indicator.
    for text in dict.fromkeys([q.current or q.text, q.text]):
        matches = match_indicators(lib.without_places(text), rows)
        if matches and matches[0].score >= cfg.indicator_strong:
            best = matches[0].score
            out.indicators = [m.indicator for m in matches  # type: ignore[misc]
                              if m.score >= max(cfg.indicator_strong, best - cfg.indicator_tie)][:4]
            break
    out.score = matches[0].score if matches else 0.0
    # An elliptical follow-up ("那2015年的基数呢？") keeps the previous indicators.
    out.asks_figure = bool(intent.quantity or intent.diff or intent.met or intent.attribute or intent.rate
                           or q.plan.years or _FIGURE_CUE.search(q.question))
    if not out.indicators and q.prev_indicators and (out.asks_figure or intent.followup):
        prev = [lib.ind_by_id[i] for i in q.prev_indicators if i in lib.ind_by_id]
        out.indicators = [i for i in prev if unit_fits(i.unit, want, i.name, q.question)]
    out.asks = len(re.findall(r"几|多少|多大", q.question))
    out.figures = [m for m in match_figures(q.text, lib.figs.get(doc_id, []))
                   if unit_fits(m.figure.unit, want, m.figure.clause, q.question)  # type: ignore[union-attr]
                   and not (q.plan.years and m.figure.year and m.figure.year not in q.plan.years)]  # type: ignore[union-attr]
    return out
