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
    if named and not _own_question(q, named):
        return _in_place(prev_q, named[0], places(prev_q))
    body = _TAIL.sub("", _LEAD.sub("", q))
    topic = (strip_asks(prev_q) or prev_q) if own_ask else prev_q
    return f"{topic} {body}".strip()


# A turn this long without its place and lead word says more than "那湖北的企业能享受吗" of the previous question.
_OWN_CHARS = 12


def _own_question(q: str, places: list[str]) -> bool:
    """A turn with words of its own, naming a place among them ("那我拉一车菜送到武汉，回来还要不要隔离14天？"
    after a question about tolls), is no "那武汉呢": it is asked as said. One ending in 呢 is elliptical."""
    if q.rstrip("？?").endswith("呢"):
        return False
    return len(_TAIL.sub("", _without(_LEAD.sub("", q), places))) >= _OWN_CHARS


def _level(place: str) -> str:
    return place[-1] if place[-1:] in ("省", "市", "区", "县") else ""


def _without(text: str, places: list[str]) -> str:
    """The text without these places, in full or short ("浙江省" or "浙江")."""
    for p in sorted(places, key=len, reverse=True):
        text = text.replace(p, "").replace(p.rstrip("市省县区"), "")
    return text


def _in_place(prev_q: str, place: str, before: list[str]) -> str:
    """The previous question asked of ``place``: "我从浙江回德阳，需要隔离吗？" then "那从湖北回来呢" replaces the
    province and keeps the city. The places of the same level give way in their own spot; without one, all do,
    and the new place leads."""
    same = [p for p in before if _level(p) == _level(place)]
    for p in sorted(same, key=len, reverse=True):
        spot = next((w for w in (p, p.rstrip("市省县区")) if w and w in prev_q), None)
        if spot:
            return _without(prev_q.replace(spot, place, 1), [o for o in same if o != p])
    return place + _without(prev_q, before)
