"""What a question names that the library never mentions: "考研", "消费券" (消费 + 券), "病假工资".

A question on a matter no document covers is still answered from the nearest passages when its other words
are common ("疫情期间", "能不能", "延期"). The things it names tell: a noun, or two nouns written together,
that occurs in no passage or title is a matter the library does not hold. Fillers of everyday speech are
mostly not nouns ("偷偷", "这儿"), and the check is only made when no passage is near in meaning either.
"""
from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Iterator


def unheld_names(phrases: Iterable[tuple[str, ...]], nouns: Container[str], holds: Callable[[str], bool],
                 skip: Container[str]) -> Iterator[str]:
    """The nouns (two characters or more), then the noun pairs, of ``phrases`` (runs of words as written) that
    the library does not hold (``holds``): "给市民发消费券" → 消费券 when no passage says 消费券. Lazily: a pair
    may cost a scan of every text, and the first name found is enough to doubt the question."""
    runs = [(words, [w in nouns and w not in skip for w in words]) for words in phrases]
    seen: set[str] = set()
    for words, named in runs:
        for w, ok in zip(words, named):
            if ok and len(w) >= 2 and w not in seen and not holds(w):
                seen.add(w)
                yield w
    for words, named in runs:
        for i in range(len(words) - 1):
            pair = words[i] + words[i + 1]
            if named[i] and named[i + 1] and len(pair) >= 3 and pair not in seen and not holds(pair):
                seen.add(pair)
                yield pair
