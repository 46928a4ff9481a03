"""How much each word of a question weighs, and whether passages cover it (thesaurus-aware)."""
from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from typing import Protocol

from core.quantities import PERIODS
from core.text import has_cjk
from retriever.query import Thesaurus
from retriever.tokenize import DATA_DIR, load_word_list

QUESTION_WORDS = DATA_DIR / "question_words.txt"

_NUMBER = re.compile(r"[\d.]+")
# A number in words with its counter ("四十多个", "七八个", "两家", "两年") is a value the asker states, not what the
# question is about: like a number in digits it weighs nothing. But "一年", "一次" ask a rate ("一年补多少钱"), and
# a plan period ("十三五") names a period.
_WORD_NUMBER = re.compile(r"(?!一[个名人次家年天月岁份件项条位只批]?$)"
                          r"[一二三四五六七八九十两几多][零一二三四五六七八九十两几多百千万]*[个名人次家年天月岁份件项条位只批]?")
_ENGLISH = re.compile(r"[a-zA-Z]{3,}")


class IdfLookup(Protocol):
    """What TermWeights reads of the IDF table: a dict, or the lexical channel's lazy ``TokenIdf``."""

    def __contains__(self, token: object) -> bool: ...

    def __getitem__(self, token: str) -> float: ...


class TermWeights:
    def __init__(self, words: Callable[[str], list[str]], idf: IdfLookup, thesaurus: Thesaurus):
        self._thesaurus = thesaurus
        # A chat weighs its question three times (search, refusal check, sentence choice), and each known word
        # costs two lookups in the lexical channel's vocabulary: ~1.5 ms a chat, now once per text. The cache holds
        # the words and the IDF, not self: a dropped generation's files close when it goes, not at the next gc.
        self._weighed = functools.lru_cache(maxsize=1024)(functools.partial(_weigh, words, idf))

    def weights(self, text: str) -> dict[str, float]:
        """Content words of a question with IDF weights.

        A word the corpus doesn't know weighs like the average known word of the same question:
        IDF scales with corpus size, and a fixed high weight would make the same question look
        less covered in a bigger index.
        """
        return dict(self._weighed(text))

    def forms(self, term: str) -> tuple[str, ...]:
        """The term and the canonical wordings the thesaurus gives it ("社保卡" → 社会保障卡)."""
        return tuple(dict.fromkeys((term, *self._thesaurus.expand(term))))

    def matcher(self, terms: dict[str, float], question: str = "") -> Callable[[str], float]:
        """``coverage`` for one question over many passages: the thesaurus is read once, not per passage.

        With the question, a word inside a longer key the question holds takes that key's wording too when the
        wording spells the word out (holds all its characters): the tokenizer reads the abbreviation "公租房" as
        公 + 租房, and the passage writes 公共租赁住房. A wording that does not ("生育津贴" → 生育保险) is broader
        than the word and would cover what the library may not hold (津贴)."""
        asking = load_word_list(QUESTION_WORDS)
        keys = self._thesaurus.keys_in(question) if question else []

        def forms(t: str) -> tuple[str, ...]:
            wider = [e for k in keys if t in k and t != k for e in self._thesaurus.expand(k) if set(t) <= set(e)]
            return tuple(dict.fromkeys((*self.forms(t), *wider)))

        alts = [(forms(t), w) for t, w in terms.items() if t not in asking]
        total = sum(w for _, w in alts)
        if not total:
            return lambda text: 0.0
        return lambda text: sum(w for forms, w in alts if any(a in text for a in forms)) / total

    def local_matcher(self, terms: dict[str, float]) -> Callable[[str, str], float]:
        """``(context, text) -> share``: of the terms the context (a document's title) lacks, the weight share the
        text holds. Words of the title are in every passage of its document and do not tell them apart."""
        asking = load_word_list(QUESTION_WORDS)
        alts = [(self.forms(t), w) for t, w in terms.items() if t not in asking]

        def share(context: str, text: str) -> float:
            rest = [(forms, w) for forms, w in alts if not any(a in context for a in forms)]
            total = sum(w for _, w in rest)
            return sum(w for forms, w in rest if any(a in text for a in forms)) / total if total else 0.0

        return share

    def coverage(self, terms: dict[str, float], texts: Sequence[str], question: str = "") -> float:
        """Share of the terms' weight the texts contain, directly or through the thesaurus.

        Question words ("多少钱", "多久": retriever/data/question_words.txt) are left out: no passage holds them,
        and counting them made every question that says how it asks look uncovered.
        """
        return self.matcher(terms, question)("".join(texts))


def _weigh(words: Callable[[str], list[str]], idf: IdfLookup, text: str) -> tuple[tuple[str, float], ...]:
    """TermWeights.weights, as items (cached)."""
    english = bool(_ENGLISH.search(text)) and not has_cjk(text.split(" ", 1)[0], run=2)
    known: dict[str, float] = {}
    unknown: list[str] = []
    for w in words(text):
        if len(w) < 2 or _NUMBER.fullmatch(w) or (_WORD_NUMBER.fullmatch(w) and w not in PERIODS):
            continue
        if english and w.isascii():
            continue  # an English question is judged by the terms its words map to
        if w in idf:
            known[w] = idf[w]
        else:
            unknown.append(w)
    fill = sum(known.values()) / len(known) if known else 1.0
    return tuple({**known, **{w: fill for w in unknown}}.items())
