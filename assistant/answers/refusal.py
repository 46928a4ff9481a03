"""Refusals: the reason, the nearest sections, and the hotline; and what is out of scope."""
from __future__ import annotations

import re

from assistant.answers.library import Library
from assistant.citations import citation
from core.profile import NATION, Profile
from core.quantities import PERIODS, period_range, period_years
from core.types import Answer, Hit
from retriever.scope import query_scope


def refusal_text(reason: str, related: list[Hit], hotline_label: str) -> str:
    text = f"抱歉，{reason}"
    if not text.endswith("。"):
        text += "。"
    sections: list[str] = []
    for h in related[:2]:
        if h.chunk.section and h.chunk.section not in sections:
            sections.append(h.chunk.section)
    if sections:
        text += "文件中相关的内容见：" + "；".join(f"《{related[0].chunk.doc_title}》{s}" for s in sections) + "。"
    return text + f"具体政策请咨询{hotline_label}。"


def refuse(lib: Library, question: str, resolved: str, reason: str, related: list[Hit]) -> Answer:
    cites = [citation(i, h.chunk, score=h.score) for i, h in enumerate(related[:2], start=1)]
    return Answer(text=refusal_text(reason, related, lib.profile.hotline_label), citations=cites, grounded=False,
                  kind="refusal", question=question, resolved_question=resolved,
                  meta={"followup": {"question": resolved, "kind": "refusal"}})


def referral(profile: Profile, question: str, cited: str) -> str | None:
    """The refusal reason for a question on a topic another service answers (the profile's [elsewhere]),
    unless the cited passages speak of that topic in any of its words ("结婚证" asked, "婚姻登记" cited):
    the library may hold such a document after all."""
    for where, words in profile.elsewhere:
        named = [w for w in words if w in question]
        if named and not any(w in cited for w in words):
            return f"{named[0]}方面的问题不在已收录的政策文件范围内，请咨询{where}"
    return None


def answer_said(ans: Answer) -> str:
    """What an answer says and where from (its sections and documents), for ``referral``: not the whole of each
    cited passage, which may name the topic in passing ("住房公积金" among a housing fund's sources)."""
    return ans.text + "".join(c.section + c.document for c in ans.citations)


class Scope:
    """Places, periods and years the library holds documents for."""

    def __init__(self, lib: Library):
        self.lib = lib
        docs = lib.records.documents.values()
        self.regions = {d.meta.region for d in docs if d.meta.region}
        self.region_periods: dict[str, set[str]] = {}
        for d in docs:
            self.region_periods.setdefault(d.meta.region, set()).add(d.meta.period)

    def places(self, text: str) -> list[str]:
        return self.lib.profile.gazetteer.find(text)

    def within_named(self, text: str, hits: list[Hit]) -> list[Hit]:
        """A question naming another place ("湖南的居民医保…") whose best hit is of that place is answered from
        the documents of that place, its parents and no place: a third province's look-alike notice, however close
        in words, would answer with its own dates and amounts. When the best hit is not of that place, every hit
        stays: regions are read from the documents' text, and a national compilation read as another province's
        may be what answers. Naming no place, or the deployment's own, keeps every hit too."""
        if not hits or not hits[0].in_scope or not query_scope(text, self.lib.profile).named:
            return hits
        return [h for h in hits if h.in_scope]

    def _known(self, place: str) -> bool:
        # Only a document of that place covers it: a city's plan does not give its counties' or its
        # province's targets, though retrieval still lets parents' documents compete (see retriever).
        return place == NATION or any(r.startswith(place) or place in r for r in self.regions)

    def out_of_scope(self, text: str, years: list[int], periods: list[str], hits: list[Hit]) -> str | None:
        """The reason a question is about a place, period or year that no document covers, else None."""
        places = self.places(text)
        named = {r for p in places for r in self.regions if r.startswith(p) or p.startswith(r)}
        seen = "".join(h.chunk.doc_title + h.chunk.text for h in hits[:5])
        if not named:
            for p in places:
                if not self._known(p) and p not in seen and p.rstrip("市省县区") not in seen \
                        and not _narrower_seen(text, p, seen):
                    return f"已收录的文件中没有{p}的相关规定"
        # Periods and years are judged within the region asked about (by default the deployment's own).
        scope = named or ({self.lib.profile.region} & self.regions) or self.regions
        here = {p for r in scope for p in self.region_periods.get(r, set()) if p}
        if not here:
            return None
        covered = {y for p in here for y in range(period_years(p).start - 1, period_years(p).stop)}
        prev = {w for w, (a, b) in PERIODS.items() if any(period_years(p).start == b + 1 for p in here)}
        for p in periods:
            if p not in prev and period_range(p) not in here:
                return f"已收录的文件中没有“{p}”时期的规划内容"
        for y in years:
            if y not in covered:
                return f"已收录的文件中没有{y}年的目标或数据"
        return None


# A place named right after another narrows it ("洛阳瀍河区", "重庆市渝北区"): a county the gazetteer need not know.
_NARROWER = re.compile(r"[\u4e00-\u9fff]{2,4}?(?:区|县|旗)")


def _narrower_seen(text: str, place: str, seen: str) -> bool:
    """The question narrows the place to a part of it that the passages name (with or without its suffix): a
    district's notice never names its city ("瀍河回族区…" for "洛阳瀍河区…"), and answers for it."""
    for short in dict.fromkeys((place, place.rstrip("市省县区"))):
        i = text.find(short)
        if i >= 0 and (m := _NARROWER.match(text, i + len(short))):
            part = m.group(0)
            return part in seen or part[:-1] in seen
    return False
