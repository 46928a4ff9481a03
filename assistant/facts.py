"""Matching a question to the figures a document states: table rows and text figures.

Both are "facts" with a short descriptor (an indicator's name, a figure's subject and
clause); the question's content words are compared with character-bigram Dice, which
tolerates the reordering and abbreviation of everyday questions.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from core.text import bigrams
from core.types import Figure, Indicator

# Words that say what kind of answer is wanted, not which figure: removed before matching.
_CUES = re.compile(
    r"(\d{4}年?|\d+(\.\d+)?|十[二三四]五|时期|期间|期末|目标值?|规划|计划|是多少|多少|要达到|达到|到时候|要|的|是|吗|呢|吧|啊|呀|"
    r"请问|我想|问一下|什么|哪些|哪个|有|和|与|及|基数|完成数|完成了|完成|实际|属性|约束性|预期性|指标|主要|发展|情况|"
    r"增加|增长|变化|相比|比|还差|差|超出|数字|数据|数量是|全市|我市|本市|那么?|这个|它|其中|了|到|年|为|在|多|几|万人|万张|亿元)"
)


_TAILS = re.compile(r"(参保人数|覆盖人口|人数|总量|数量)$")


def content(text: str) -> str:
    return _CUES.sub(" ", text)


def dice(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def coverage(part: set[str], whole: set[str]) -> float:
    return len(part & whole) / len(part) if part else 0.0


@dataclass
class FactMatch:
    score: float
    indicator: Indicator | None = None
    figure: Figure | None = None


def match_indicators(question: str, indicators: list[Indicator]) -> list[FactMatch]:
    qb = bigrams(content(question))
    out = []
    for ind in indicators:
        nb = bigrams(content(ind.name))  # the same words removed on both sides keeps the comparison fair
        # Dice rewards a name that covers the question; coverage rewards a question naming the whole indicator.
        s = 0.3 * dice(nb, qb) + 0.7 * coverage(nb, qb)
        if s > 0:
            out.append(FactMatch(s, indicator=ind))
    out.sort(key=lambda m: -m.score)
    return out


def match_figures(question: str, figures: list[Figure]) -> list[FactMatch]:
    qb = bigrams(content(question))
    out = []
    for fig in figures:
        sb = bigrams(fig.subject)
        cb = bigrams(content(fig.clause))
        # A two-character subject ("培养") is covered by many questions; only a specific one counts.
        subject = 0.3 * dice(sb, qb) + 0.7 * coverage(sb, qb) if len(sb) >= 3 else 0.0
        s = max(subject, 0.9 * (0.5 * dice(cb, qb) + 0.5 * coverage(qb, cb)))
        if s > 0:
            out.append(FactMatch(s, figure=fig))
    out.sort(key=lambda m: -m.score)
    return out


def same_quantity(a: Indicator, b: Indicator) -> bool:
    """Rows in two tables that measure the same thing ("城镇基本养老保险参保人数" ~ "城镇职工基本养老保险参保人数")."""
    return a.id != b.id and a.unit == b.unit and dice(bigrams(a.name), bigrams(b.name)) >= 0.8


def figure_restates(fig: Figure, ind: Indicator) -> bool:
    """A text figure that states the same indicator's target in words."""
    if (fig.unit or "") != (ind.unit or "") and not (fig.unit == "%" and ind.unit == "%"):
        return False
    # Generic tails ("参保人数", "总量") say nothing about which indicator it is.
    fb = bigrams(_TAILS.sub("", fig.subject))
    nb = bigrams(_TAILS.sub("", ind.name))
    return coverage(nb, fb) >= 0.75
