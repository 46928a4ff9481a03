"""Tokenization shared by index and query time.

``words`` feeds BM25: jieba on normalized text with the domain dictionary, so plan terms
("创业担保贷款") stay whole while their known sub-words ("创业", "担保", "贷款") are also
emitted. ``bigrams`` is the recall net for anything the dictionary does not know.
The index stores ``user_terms`` so it can rebuild the identical tokenizer at load.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import jieba
import numpy as np

from core.text import CJK, is_cjk, normalize

DATA_DIR = Path(__file__).resolve().parent / "data"

jieba.setLogLevel(logging.WARNING)  # jieba logs "Building prefix dict ..." at DEBUG

USERDICT_BASE = DATA_DIR / "userdict_base.txt"
STOPWORDS = DATA_DIR / "stopwords.txt"

# Terms of three or more characters get at least this frequency (jieba's total is ~6e7):
# enough that no split of the span into ordinary words outscores the whole term.
TERM_MIN_FREQ = 20_000

_TOKEN_RE = re.compile(rf"[{CJK}]+|[a-z0-9]+(?:\.[0-9]+)?")
_CJK_RUN_RE = re.compile(rf"[{CJK}]+")
_USERDICT_LINE_RE = re.compile(r"^(.+?)(?: ([0-9]+))?(?: ([a-z]+))?$")
_RUN_CACHE_MAX = 50_000  # CJK runs (clause-sized); bounds a serving process at a few tens of MB


def _read_lines(path: Path) -> Iterator[str]:
    with open(path, encoding="utf-8-sig") as f:
        for raw in f:
            line = raw.strip()
            if line and not line.startswith("#"):
                yield line


@lru_cache(maxsize=4)
def load_word_list(path: Path) -> frozenset[str]:
    """A word list of retriever/data (one per line, '#' comments), normalized and lower-cased."""
    return frozenset(normalize(w).lower() for w in _read_lines(path))


def load_stopwords(path: Path = STOPWORDS) -> frozenset[str]:
    return load_word_list(path)


# jieba's part-of-speech tags of words that name a thing: nouns of every kind, verbal nouns, idioms, abbreviations.
_NOUN_TAG = re.compile(r"^(n[a-z]*|vn|l|j)$")


class NounLexicon:
    """The words jieba's dictionary tags as nouns ("消费券" is 消费 + 券, both nouns; "偷偷" is not).

    Sorted and joined in one string with an array of offsets (~3 MB), not a set of ~250k strings (~25 MB):
    a lookup is a binary search of a few microseconds.
    """

    def __init__(self, words: Iterable[str]):
        ordered = sorted({w for w in words if w and "\n" not in w})
        self._text = "\n".join(ordered) + "\n"
        self._starts = np.cumsum([0] + [len(w) + 1 for w in ordered], dtype=np.int32)

    def __len__(self) -> int:
        return len(self._starts) - 1

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str) or not word:
            return False
        lo, hi, starts, text = 0, len(self), self._starts, self._text
        while lo < hi:
            mid = (lo + hi) // 2
            here = text[starts[mid]:starts[mid + 1] - 1]
            if here == word:
                return True
            lo, hi = (mid + 1, hi) if here < word else (lo, mid)
        return False


@lru_cache(maxsize=1)
def noun_lexicon() -> NounLexicon:
    """jieba's own dictionary's nouns (its dict.txt lines are "word freq tag"), read once per process."""
    with jieba.dt.get_dict_file() as f:
        lines = (raw.decode("utf-8").split() for raw in f)
        return NounLexicon(parts[0] for parts in lines if len(parts) == 3 and _NOUN_TAG.match(parts[2]))


def _add_term(tk: jieba.Tokenizer, term: str, freq: int | None = None) -> None:
    # Only CJK runs reach jieba (latin and digits are tokenized by regex), so a term like
    # "赣鄱英才555" is added as "赣鄱英才".
    for run in _CJK_RUN_RE.findall(normalize(term)):
        if len(run) < 2:
            continue
        if freq is None:
            f = max(tk.FREQ.get(run) or 0, tk.suggest_freq(run, False))
            # Two-character words keep jieba's own weight: inflating common words like
            # "服务" would distort how everything around them is cut.
            f = max(f, TERM_MIN_FREQ) if len(run) >= 3 else f
        else:
            f = freq
        tk.add_word(run, f)


@lru_cache(maxsize=1)
def _base_dictionary() -> tuple[dict[str, int], int]:
    """jieba's dictionary plus userdict_base.txt, built once per process."""
    tk = jieba.Tokenizer()
    tk.initialize()
    for line in _read_lines(USERDICT_BASE):
        m = _USERDICT_LINE_RE.match(line)
        if m:
            _add_term(tk, m.group(1), int(m.group(2)) if m.group(2) else None)
    return tk.FREQ, tk.total


def base_word_freq(word: str) -> int:
    """Frequency of ``word`` in the shared base dictionary (0 if unknown)."""
    return _base_dictionary()[0].get(word) or 0


class _Overlay(dict):  # type: ignore[type-arg]
    """One term set's entries over the shared base dictionary, which stays unchanged.

    A copy of the base (~600k entries) cost 16 MB per term set and process; jieba only reads its FREQ
    with ``in``, ``[]`` and ``get`` and writes it with ``[]=`` (add_word), all of which land here.
    """

    __slots__ = ("base",)

    def __init__(self, base: dict[str, int]):
        super().__init__()
        self.base = base

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or key in self.base

    def __missing__(self, key: str) -> int:
        return self.base[key]

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        value = dict.get(self, key, _ABSENT)
        return self.base.get(key, default) if value is _ABSENT else value


_ABSENT = object()


def _fresh_jieba() -> jieba.Tokenizer:
    # jieba re-reads its 500k-entry cache on every initialize() (~0.4 s); an overlay on the prepared
    # dictionary gives each term set its own state without a copy of it.
    freq, total = _base_dictionary()
    tk = jieba.Tokenizer()
    tk.FREQ, tk.total, tk.initialized = _Overlay(freq), total, True
    return tk


class _Cutter:
    """A jieba dictionary with one set of user terms, and the caches of what it has cut."""

    def __init__(self, user_terms: tuple[str, ...]):
        self.jieba = _fresh_jieba()
        for term in user_terms:
            _add_term(self.jieba, term)
        self.subwords: dict[str, tuple[str, ...]] = {}
        self.runs: dict[str, tuple[str, ...]] = {}


@lru_cache(maxsize=2)
def _cutter(user_terms: tuple[str, ...]) -> _Cutter:
    # Once per process and term set: the lexical channels, the LSA analyzer and every index opened with
    # the same terms share one dictionary; two entries cover the generations on either side of a swap.
    return _Cutter(user_terms)


class Tokenizer:
    """jieba words (search mode) and CJK bigrams over normalized text."""

    def __init__(self, user_terms: Iterable[str] = ()):
        terms = (normalize(t) for t in user_terms)
        self._user_terms = list(dict.fromkeys(t for t in terms if t))
        self._stopwords = load_stopwords()
        shared = _cutter(tuple(self._user_terms))
        self._jieba = shared.jieba
        self._subword_cache = shared.subwords
        self._run_cache = shared.runs

    @property
    def user_terms(self) -> list[str]:
        """The extra terms (normalized, deduplicated, in order) this tokenizer was built with."""
        return list(self._user_terms)

    @property
    def stopwords(self) -> frozenset[str]:
        return self._stopwords

    def freq(self, word: str) -> int:
        """Dictionary frequency of ``word`` (0 if unknown); usable as TypoCorrector's word_freq."""
        return self._jieba.FREQ.get(word) or 0

    def words(self, text: str) -> list[str]:
        """Search-mode words: each word, then its known sub-words; no stopwords or punctuation."""
        return self._words(normalize(text).lower())

    def phrases(self, text: str) -> list[tuple[str, ...]]:
        """Each CJK run of ``text`` cut into words once (jieba's accurate mode, no sub-words, stopwords kept), so
        neighbours are the words as written: "发消费券" → (发, 消费, 券)."""
        return [tuple(self._jieba.cut(run, HMM=False)) for run in _CJK_RUN_RE.findall(normalize(text).lower())]

    def bigrams(self, text: str) -> list[str]:
        """Overlapping character bigrams of each CJK run (a lone character stays a unigram),
        plus latin words and numbers whole."""
        return _bigrams(normalize(text).lower())

    def analyze(self, text: str) -> tuple[list[str], list[str]]:
        """``(words(text), bigrams(text))`` with one normalization: what indexing needs per chunk."""
        norm = normalize(text).lower()
        return self._words(norm), _bigrams(norm)

    def _words(self, norm: str) -> list[str]:
        out: list[str] = []
        for tok in _TOKEN_RE.findall(norm):
            if is_cjk(tok[0]):
                out.extend(self._cut(tok))
            elif tok not in self._stopwords:
                out.append(tok)
        return out

    def _cut(self, run: str) -> tuple[str, ...]:
        # Policy text repeats itself (headings, indicator names, boilerplate) and jieba is
        # the slowest step of indexing, so each CJK run is cut once per tokenizer.
        cached = self._run_cache.get(run)
        if cached is None:
            out: list[str] = []
            for word in self._jieba.cut(run, HMM=False):
                if word in self._stopwords:
                    continue
                out.append(word)
                if len(word) > 2:
                    out.extend(self._subwords(word))
            cached = tuple(out)
            if len(self._run_cache) >= _RUN_CACHE_MAX:
                self._run_cache.clear()  # a bound on memory; refilling costs one corpus pass at most
            self._run_cache[run] = cached
        return cached

    def _subwords(self, word: str) -> tuple[str, ...]:
        # Like jieba's cut_for_search, but every known sub-word, not only 2- and 3-grams:
        # "城镇职工基本养老保险参保人数" must also yield "养老保险" and "参保人数" so it
        # matches a query that says just that.
        cached = self._subword_cache.get(word)
        if cached is None:
            freq, n = self._jieba.FREQ, len(word)
            cached = tuple(
                word[i:j]
                for i in range(n - 1)
                for j in range(i + 2, n + 1 if i else n)
                if freq.get(word[i:j]) and word[i:j] not in self._stopwords
            )
            self._subword_cache[word] = cached
        return cached


def _bigrams(norm: str) -> list[str]:
    out: list[str] = []
    for tok in _TOKEN_RE.findall(norm):
        if is_cjk(tok[0]) and len(tok) > 1:
            out.extend(tok[i : i + 2] for i in range(len(tok) - 1))
        else:
            out.append(tok)
    return out
