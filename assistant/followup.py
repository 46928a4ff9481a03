"""Follow-up questions: what the previous turns resolved, and merging an elliptical question with it."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from assistant.intent import strip_asks

_LEAD = re.compile(r"^(那么?|那个|这个|这两个|它们?|其中|and|what about|how about)\s*", re.I)
_TAIL = re.compile(r"[呢吗？?]+$")


def previous_state(history: list[Any]) -> dict[str, Any] | None:
    """What the last answered turns resolved: their question, indicators and columns."""
    metas = [t.meta for t in history if getattr(t, "role", "") == "assistant" and t.meta]
    if not metas:
        return None
    last = dict(metas[-1])
    # "这两个…" refers to the indicators of the last two answers.
    inds: list[str] = []
    for m in metas[-2:]:
        inds.extend(i for i in m.get("indicators", []) if i not in inds)
    last["recent_indicators"] = inds
    return last


def merge_followup(q: str, prev: dict[str, Any], places: Callable[[str], list[str]], own_ask: bool = False) -> str:
    """"那广州呢？" after a question about another place asks the previous question about 广州.

    A turn with its own ask ("要带什么材料？" after "创业担保贷款能贷多少") keeps the previous topic
    but not the previous ask, or the answer would be the amount again."""
    prev_q = prev.get("question", "")
    if not prev_q:
        return q
    named = places(q)
    if named:
        stripped = prev_q
        for p in sorted(places(prev_q), key=len, reverse=True):
            stripped = stripped.replace(p, "").replace(p.rstrip("市省县区"), "")
        return f"{named[0]}{stripped}"
    body = _TAIL.sub("", _LEAD.sub("", q))
    topic = (strip_asks(prev_q) or prev_q) if own_ask else prev_q
    return f"{topic} {body}".strip()
