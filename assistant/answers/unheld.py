"""What a question names that the library never mentions: "考研", "消费券" (消费 + 券), "病假工资".

A question on a matter no document covers is still answered from the nearest passages when its other words
are common ("疫情期间", "能不能", "延期"). The things it names tell: a noun, or two nouns written together,
that occurs in no passage or title is a matter the library does not hold. Fillers of everyday speech are
mostly not nouns ("偷偷", "这儿"), and the check is only made when no passage is near in meaning either.
"""
from __future__ import annotations

from collections.abc import Callable, Container, Iterable


def unheld_names(phrases: Iterable[tuple[str, ...]], nouns: Container[str], holds: Callable[[str], bool],
                 skip: Container[str]) -> list[str]:
    """The nouns (two characters or more) and noun pairs of ``phrases`` (runs of words as written) that the
    library does not hold (``holds``): "给市民发消费券" → ["消费券"] when no passage says 消费券."""
    out: list[str] = []
    for words in phrases:
        named = [w in nouns and w not in skip for w in words]
        for i, w in enumerate(words):
            if named[i] and len(w) >= 2 and not holds(w):
                out.append(w)
            if i + 1 < len(words) and named[i] and named[i + 1] and len(w) + len(words[i + 1]) >= 3:
                pair = w + words[i + 1]
                if not holds(pair):
                    out.append(pair)
    return list(dict.fromkeys(out))
