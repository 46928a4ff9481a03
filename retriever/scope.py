"""Region and time as a hierarchy: which documents a question prefers, and which are out of date.

A document of the deployment's region, of its parents or children, or with no region is local.
A question naming a place is scoped to that place and its parents instead. Preference is only a
prior on relevance (see ``SearchConfig.region_prior``): a document outside the scope still
competes on relevance alone.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Mapping

from core.profile import NATION, Profile
from core.quantities import small_int

# A status that says the document no longer applies (失效, 废止, 已废除, 停止执行); "现行有效" does not.
_EXPIRED_STATUS = re.compile(r"失效|废止|废除|停止执行|停止施行|已撤销|已修订")
_DATE = r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
_UNTIL = re.compile(r"有效期[^。；]{0,30}?至\s*" + _DATE)
_YEARS = re.compile(r"有效期(?:限)?(?:为)?\s*([1-9一二三四五六七八九十])\s*年")
_SINCE = re.compile(r"自\s*" + _DATE + r"\s*起(?:施行|实施|执行)")


@dataclass(frozen=True)
class Scope:
    """The places a question prefers: ``regions`` (canonical names), ``named`` when the question names them."""

    regions: frozenset[str]
    named: tuple[str, ...] = ()
    include_unplaced: bool = True  # documents with no region are preferred too

    def prefers(self, region: str, profile: Profile) -> bool:
        if not region:
            return self.include_unplaced
        place = profile.gazetteer.canonical(region)
        if place in self.regions:
            return True
        # A child of the deployment's region (天河区 under 广州市) is local even when the profile lists no children.
        return not self.named and profile.region in profile.gazetteer.ancestors(place)


def local_scope(profile: Profile) -> Scope:
    regions = {profile.gazetteer.canonical(r) for r in profile.local_regions if r}
    return Scope(frozenset(regions))


def query_scope(text: str, profile: Profile) -> Scope:
    """The scope of a question: the places it names and their parents, else the deployment's local scope."""
    named = [p for p in profile.gazetteer.find(text) if p != NATION]
    local = local_scope(profile)
    outside = [p for p in named if not local.prefers(p, profile)]
    if not outside:  # naming only the region itself, a parent or a child keeps the local scope
        return local
    regions = {p for place in outside for p in (place, *profile.gazetteer.ancestors(place))}
    return Scope(frozenset(regions), tuple(outside))


def parse_date(text: str) -> date | None:
    """An ISO date (``2018-01-19``, ``2018-01``, ``2018``) or a Chinese one, else None."""
    m = re.fullmatch(r"\s*(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?\s*", text or "")
    if m:
        return _safe_date(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1))
    m = re.search(_DATE, text or "")
    return _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


def _safe_date(y: int, mo: int, d: int) -> date | None:
    try:
        return date(y, mo, d)
    except ValueError:
        return None


def valid_until(text: str, issue_date: str = "") -> str:
    """The last day of a document's 有效期 as an ISO date, from "有效期至…" or "…起施行，有效期N年"; else ""."""
    head = text[:20000]
    m = _UNTIL.search(head)
    if m:
        end = _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        return end.isoformat() if end else ""
    m = _YEARS.search(head)
    if not m:
        return ""
    years = small_int(m.group(1))
    since = _SINCE.search(head)
    start = _safe_date(int(since.group(1)), int(since.group(2)), int(since.group(3))) if since else parse_date(issue_date)
    if start is None:
        return ""
    end = _safe_date(start.year + years, start.month, start.day) or date(start.year + years, start.month, 28)
    return end.isoformat()


def expired(meta: Mapping[str, Any], today: date | None = None) -> bool:
    """Past its 有效期, past the end of its plan period, or marked 失效/废止 in its status."""
    today = today or date.today()
    if _EXPIRED_STATUS.search(str(meta.get("status") or "")):
        return True
    end = parse_date(str(meta.get("valid_until") or ""))
    if end is not None:
        return end < today
    m = re.match(r"\d{4}-(\d{4})$", str(meta.get("period") or ""))
    return bool(m) and int(m.group(1)) < today.year


def document_meta(doc: Any, today: date | None = None) -> dict[str, Any]:
    """What search keeps of a ``core.types.Document``: title, source, region, period, date and validity."""
    m = doc.meta
    until = getattr(m, "valid_until", "") or valid_until(doc.text, m.issue_date)
    meta: dict[str, Any] = {"title": m.title, "source": doc.source, "region": m.region, "period": m.period,
                            "issue_date": m.issue_date, "status": m.status, "valid_until": until}
    meta["expired"] = expired(meta, today)
    return meta
