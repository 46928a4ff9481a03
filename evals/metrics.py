"""Scoring rules for the evals: pure functions over strings and payload dicts.

Nothing here touches a store or a client, so every rule is unit-tested on hand-made inputs.
"""
from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

Groups = Sequence[Sequence[str]]

# Length caps by question kind, in one place (issue 11): a figure question is answered within 200
# characters; conditions, steps and every other answered kind within 600. Refusals are not capped.
FIGURE_KINDS = frozenset({"amount", "target2020", "target12", "baseline2015", "result12", "text_target",
                          "arithmetic", "conflict", "figure"})
FIGURE_CAP, OTHER_CAP = 200, 600


def length_cap(kind: str) -> int:
    """The most characters an answer to a question of this kind may have."""
    return FIGURE_CAP if kind in FIGURE_KINDS else OTHER_CAP


def within_cap(kind: str, answer: str) -> bool:
    """Whether an answer fits its kind's cap (whitespace not counted)."""
    return len(normalize(answer)) <= length_cap(kind)


def normalize(s: str) -> str:
    """NFKC, then drop all whitespace: full-width digits and stray line breaks must not matter."""
    return "".join(unicodedata.normalize("NFKC", s or "").split())


def group_met(text: str, group: Sequence[str]) -> bool:
    """A ``must`` group is met when ANY of its strings occurs in the text."""
    t = normalize(text)
    return any(normalize(s) in t for s in group)


def missing_groups(answer: str, must: Groups) -> list[list[str]]:
    """The ``must`` groups the answer does not meet."""
    return [list(g) for g in must if not group_met(answer, g)]


def is_relevant(passage: str, evidence: Groups) -> bool:
    """A passage is relevant when it contains EVERY string of ONE evidence group."""
    t = normalize(passage)
    return any(g and all(normalize(s) in t for s in g) for g in evidence)


def answer_correct(refuse: bool, grounded: bool, answer: str, must: Groups) -> bool:
    """Answerable: grounded and every must group met. Unanswerable: not grounded."""
    if refuse:
        return not grounded
    return grounded and not missing_groups(answer, must)


def citation_correct(citations: Iterable[dict[str, Any]], evidence: Groups, section: str | None) -> bool:
    """Some citation's text is relevant and, when ``section`` is set, its section path names it."""
    want = normalize(section) if section else ""
    for c in citations:
        if is_relevant(str(c.get("text") or ""), evidence) and want in normalize(str(c.get("section") or "")):
            return True
    return False


def first_relevant_rank(texts: Sequence[str], evidence: Groups, k: int = 10) -> int | None:
    """1-based rank of the first relevant passage among the top k, or None."""
    for i, t in enumerate(texts[:k], start=1):
        if is_relevant(t, evidence):
            return i
    return None


def hit_at(ranks: Sequence[int | None], k: int) -> float | None:
    """Fraction of questions whose first relevant rank is <= k (None when no questions)."""
    if not ranks:
        return None
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks)


def mrr(ranks: Sequence[int | None], k: int = 10) -> float | None:
    """Mean of 1/rank of the first relevant result within k, 0 when there is none."""
    if not ranks:
        return None
    return sum(1.0 / r if r is not None and r <= k else 0.0 for r in ranks) / len(ranks)


def percentile(values: Sequence[float], p: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default), None when empty."""
    if not values:
        return None
    xs = sorted(values)
    pos = (len(xs) - 1) * p / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


@dataclass
class Outcome:
    """What happened to one question; ``rank``/``citation_ok`` are None when not evaluated."""

    id: str
    kind: str
    question: str
    refuse: bool
    answer: str = ""
    grounded: bool = False
    correct: bool = False
    missing: list[list[str]] = field(default_factory=list)
    citation_ok: bool | None = None
    retrieval: bool = False  # evaluated for retrieval (no history, has evidence)
    rank: int | None = None
    latency_ms: float | None = None
    search_ms: float | None = None
    error: str | None = None

    def problems(self) -> list[str]:
        """Human-readable reasons this question counts as failed (empty when it passed)."""
        out: list[str] = []
        if self.error:
            out.append(f"error: {self.error}")
        if self.refuse and self.grounded:
            out.append("expected a refusal (grounded=false) but it answered")
        if not self.refuse and not self.grounded and not self.error:
            out.append("refused an answerable question")
        if not self.refuse and self.grounded:
            out.extend("missing one of: " + " | ".join(g) for g in self.missing)
        if self.citation_ok is False:
            out.append("no citation contains the evidence")
        if self.retrieval and self.rank is None:
            out.append("no relevant search result in the top 10")
        return out


def retrieval_summary(ranks: Sequence[int | None], search_ms: Sequence[float]) -> dict[str, float | int | None]:
    """hit@5, MRR@10 and search latency for one system over the same questions."""
    return {
        "n_retrieval": len(ranks),
        "hit_at_5": hit_at(ranks, 5),
        "mrr_at_10": mrr(ranks, 10),
        "search_p50_ms": percentile(search_ms, 50),
        "search_p95_ms": percentile(search_ms, 95),
    }


def summarize(outcomes: Sequence[Outcome]) -> dict[str, float | int | None]:
    """All metrics over a set of outcomes; a metric is None when its denominator is empty."""
    answerable = [o for o in outcomes if not o.refuse]
    refusals = [o for o in outcomes if o.refuse]
    cited = [o for o in answerable if o.citation_ok is not None]
    retrieved = [o for o in outcomes if o.retrieval]
    latencies = [o.latency_ms for o in outcomes if o.latency_ms is not None]
    answered = [o for o in outcomes if o.grounded and not o.error]
    out: dict[str, float | int | None] = {
        "n": len(outcomes),
        "n_answerable": len(answerable),
        "n_refuse": len(refusals),
        "n_cited": len(cited),
        "answer_accuracy": _ratio(sum(o.correct for o in outcomes), len(outcomes)),
        "answerable_accuracy": _ratio(sum(o.correct for o in answerable), len(answerable)),
        "citation_accuracy": _ratio(sum(bool(o.citation_ok) for o in cited), len(cited)),
        "refusal_recall": _ratio(sum(not o.grounded for o in refusals), len(refusals)),
        "false_refusal_rate": _ratio(sum(not o.grounded for o in answerable), len(answerable)),
        "within_caps": _ratio(sum(within_cap(o.kind, o.answer) for o in answered), len(answered)),
        "answer_chars_p50": percentile([len(normalize(o.answer)) for o in answered], 50),
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p95_ms": percentile(latencies, 95),
    }
    out.update(retrieval_summary([o.rank for o in retrieved], [o.search_ms for o in retrieved if o.search_ms is not None]))
    return out


def summarize_by_kind(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """``{"overall": {...}, "kinds": {kind: {...}}}`` with kinds in first-seen order."""
    kinds: dict[str, list[Outcome]] = {}
    for o in outcomes:
        kinds.setdefault(o.kind, []).append(o)
    return {"overall": summarize(outcomes), "kinds": {k: summarize(v) for k, v in kinds.items()}}
