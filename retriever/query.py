"""Query understanding: normalize, fix one-character typos, expand with the thesaurus,
pull out numbers, years and plan periods.

Everything is dictionary-driven (retriever/data/thesaurus.tsv is data, not code) so a
wrong expansion is fixed by editing a line, and the same ``normalize`` runs at index
and query time.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from core.quantities import PERIODS
from core.text import CJK, is_cjk, normalize
from retriever.tokenize import DATA_DIR, base_word_freq

DEFAULT_THESAURUS = DATA_DIR / "thesaurus.tsv"  # the plan's own wording
LIBRARY_THESAURUS = DATA_DIR / "thesaurus_library.tsv"  # the wider library's

_NUMBER_RE = re.compile(r"(?<![0-9.])[0-9]+(?:\.[0-9]+)?")
_CN_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0"}
_CN_YEAR_RE = re.compile(r"[〇零一二三四五六七八九]{4}(?=年)")
# "十三五" by its middle numeral, as the period pattern below captures it.
_PERIOD_NAMES = {w[1]: w for w in PERIODS if len(w) == 3 and w[0] == "十"}
_PERIOD_RE = re.compile(
    r"第\s*(?:十(?P<a>[一二三四五])|1(?P<b>[1-5]))\s*个\s*五年"  # 第十三个五年
    r"|(?<![一二三四五六七八九十百])十(?P<c>[一二三四五])\s*[·・•]?\s*五"  # 十三五, 十三·五
    r"|(?<![0-9.])1(?P<d>[1-5])\s*[·・•]?\s*五(?!险)"  # 13五, but not "12五险"
    r"|\b1(?P<e>[1-5])th\s+five-?\s*year",  # 13th five-year plan
    re.IGNORECASE,
)
_ASCII_DIGIT_TO_CN = dict(zip("12345", "一二三四五"))


@dataclass(frozen=True)
class QueryPlan:
    original: str
    normalized: str  # after normalize + typo correction
    expansions: list[str] = field(default_factory=list)  # thesaurus terms not already in normalized
    numbers: list[str] = field(default_factory=list)  # as written: "42.62", "2020"
    years: list[int] = field(default_factory=list)  # 1990-2049
    periods: list[str] = field(default_factory=list)  # "十二五", "十三五", "十四五"
    corrections: dict[str, str] = field(default_factory=dict)  # typo -> corrected term

    @property
    def text(self) -> str:
        """What the lexical channels search with: the query plus its expansions."""
        return " ".join([self.normalized, *self.expansions]) if self.expansions else self.normalized


# --------------------------------------------------------------------------- thesaurus


def _is_ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


class Thesaurus:
    """Colloquial key -> canonical plan terms, matched as substrings, longest first."""

    def __init__(self, entries: dict[str, tuple[str, ...]]):
        self._expansions = dict(entries)
        self._canonical = {t for terms in entries.values() for t in terms}
        # Canonical terms also match (expanding to nothing) so that text already in plan
        # wording is not re-expanded from a key inside it: "城镇调查失业率" must not
        # pull in 城镇登记失业率 via the key "失业率".
        self._table = {t.lower(): () for t in self._canonical} | self._expansions
        self._lengths: dict[str, list[int]] = {}
        for key in self._table:
            self._lengths.setdefault(key[0], []).append(len(key))
        for first, lengths in self._lengths.items():
            self._lengths[first] = sorted(set(lengths), reverse=True)

    @classmethod
    def load(cls, path: Path | None = None) -> "Thesaurus":
        if path is not None:
            with open(path, encoding="utf-8-sig") as f:
                return cls.parse(f, source=str(path))
        lines: list[str] = []
        for p in (DEFAULT_THESAURUS, LIBRARY_THESAURUS):
            lines += p.read_text(encoding="utf-8-sig").splitlines()
        return cls.parse(lines, source=f"{DEFAULT_THESAURUS} + {LIBRARY_THESAURUS.name}")

    @classmethod
    def parse(cls, lines: Iterable[str], source: str = "<thesaurus>") -> "Thesaurus":
        """Read ``colloquial<TAB>canonical1|canonical2`` lines; '#' lines are comments."""
        entries: dict[str, list[str]] = {}
        for lineno, raw in enumerate(lines, 1):
            line = raw.rstrip("\r\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            key, sep, rhs = line.partition("\t")
            terms = [normalize(t) for t in rhs.split("|") if t.strip()]
            key = normalize(key).lower()
            if not sep or not key or not terms:
                raise ValueError(f"{source}:{lineno}: expected 'colloquial<TAB>canonical|...', got {line!r}")
            bucket = entries.setdefault(key, [])
            bucket.extend(t for t in terms if t not in bucket)
        return cls({k: tuple(v) for k, v in entries.items()})

    def __contains__(self, key: object) -> bool:
        return key in self._expansions

    def keys(self) -> set[str]:
        """The colloquial keys (normalized, lower-case)."""
        return set(self._expansions)

    def terms(self) -> set[str]:
        """All canonical terms."""
        return set(self._canonical)

    def expand(self, text: str) -> list[str]:
        """Canonical terms for every key in ``text`` (normalized), in text order, deduplicated."""
        low = text.lower()
        out: list[str] = []
        for start, length in self._select(low):
            for term in self._table[low[start : start + length]]:
                if term not in out:
                    out.append(term)
        return out

    def keys_in(self, text: str) -> list[str]:
        """The colloquial keys ``expand`` finds in ``text`` (normalized), in text order."""
        low = text.lower()
        return [low[s : s + n] for s, n in self._select(low) if self._table[low[s : s + n]]]

    def _select(self, low: str) -> list[tuple[int, int]]:
        # Longest matches claim their characters first, so "社保卡" wins over "社保".
        found = sorted(self._matches(low), key=lambda m: (-m[1], m[0]))
        taken = bytearray(len(low))
        chosen = []
        for start, length in found:
            if not any(taken[start : start + length]):
                taken[start : start + length] = b"\x01" * length
                chosen.append((start, length))
        return sorted(chosen)

    def _matches(self, low: str) -> Iterable[tuple[int, int]]:
        n = len(low)
        for i, ch in enumerate(low):
            for length in self._lengths.get(ch, ()):
                if i + length <= n and low[i : i + length] in self._table and self._on_boundary(low, i, i + length):
                    yield i, length

    @staticmethod
    def _on_boundary(low: str, start: int, end: int) -> bool:
        # Latin keys must be whole words ("age" is not in "wage"); a plural "s" is allowed.
        if _is_ascii_alnum(low[start]) and start > 0 and _is_ascii_alnum(low[start - 1]):
            return False
        if _is_ascii_alnum(low[end - 1]) and end < len(low) and _is_ascii_alnum(low[end]):
            plural = low[end] == "s" and not low[end - 1].isdigit()
            return plural and (end + 1 == len(low) or not _is_ascii_alnum(low[end + 1]))
        return True


# --------------------------------------------------------------------------- extraction

# Questions about the document itself (its number, issuer, date, validity), answered by its 文件信息 passage.
_DOC_FACT_CUE = re.compile(r"文号|字号|印发|发布|成文|出台|哪天|什么时候|日期|时间|单位|部门|机关|联合|依据|主送|有效|失效|"
                           r"过期|到期|废止|执行|施行|实施|标题|名称|全称|来源|索引号")


def asks_document_facts(text: str) -> bool:
    """Whether a question may be about the document's own facts rather than its content."""
    return bool(_DOC_FACT_CUE.search(text))



def extract_numbers(text: str) -> list[str]:
    """Arabic numbers as written (after NFKC), deduplicated in order; "13五" is a period, not 13."""
    return list(dict.fromkeys(_NUMBER_RE.findall(_PERIOD_RE.sub(" ", text))))


def extract_years(text: str) -> list[int]:
    """Years 1990-2049 written with digits ("2020") or Chinese numerals ("二〇二〇年")."""
    hits = [(m.start(), m.group()) for m in _NUMBER_RE.finditer(text)]
    hits += [(m.start(), "".join(_CN_DIGITS[c] for c in m.group())) for m in _CN_YEAR_RE.finditer(text)]
    years = [int(s) for _, s in sorted(hits) if len(s) == 4 and s.isdigit() and 1990 <= int(s) <= 2049]
    return list(dict.fromkeys(years))


def extract_periods(text: str) -> list[str]:
    """Five-year-plan periods named in any common spelling, as "十三五" etc."""
    out = []
    for m in _PERIOD_RE.finditer(text):
        digit = next(g for g in m.groups() if g)
        name = _PERIOD_NAMES[_ASCII_DIGIT_TO_CN.get(digit, digit)]
        if name not in out:
            out.append(name)
    return out


# --------------------------------------------------------------------------- typos

_WILD = "\x00"
# The character a typo replaced is rarely a function word: "预期的" is "预期" + "的"; nor a modal verb:
# "能在某市申请吗" / "我在某市…" is not a misspelt programme name "赢在某市"; nor a pronoun.
_FUNCTION_CHARS = frozenset("的地得了着过和与及或等是在有吗呢吧啊呀么个之其而被把给向从对为以也都就还又很能会要可想该没不我你他她咱")
_RUN_RE = re.compile(rf"[{CJK}0-9]+")


def _jieba_word_freq() -> Callable[[str], int]:
    # Without a lexicon of ordinary words every "known term + next character" looks like a typo.
    return base_word_freq


class TypoCorrector:
    """Replace substrings one character substitution away from a known term (>= 3 chars).

    SymSpell-style: each term is indexed under its variants with one position wildcarded;
    a query window costs three set lookups, and a dictionary probe only when they pass. Precision over recall: a
    window is left alone when it is itself a known word, when the character to change is
    a digit, a function word or already forms a word with its neighbours ("参保人员" is
    not a typo of "参保人数"), when it lies inside a correctly spelt known term, or when
    two terms compete. ``word_freq`` is the lexicon for those checks (default: jieba's
    dictionary plus userdict_base.txt; pass ``Tokenizer.freq`` to include user terms).
    """

    def __init__(
        self,
        vocabulary: Iterable[str],
        protected: Iterable[str] = (),
        word_freq: Callable[[str], int] | None = None,
        min_word_freq: int = 100,
    ):
        terms = (normalize(t) for t in vocabulary)
        self._vocab = {t for t in terms if len(t) >= 3 and _RUN_RE.fullmatch(t) and any(map(is_cjk, t))}
        self._known = self._vocab | {normalize(p).lower() for p in protected}
        self._word_freq = word_freq if word_freq is not None else _jieba_word_freq()
        self._min_word_freq = min_word_freq
        self._variants: dict[str, list[str]] = {}
        # Which positions can differ is decided from two characters of the window, so most
        # windows are rejected without building a single variant key.
        self._keep_ends: set[tuple[str, str, int]] = set()  # interior change: ends kept
        self._keep_tail: set[tuple[str, str, int]] = set()  # first char changed
        self._keep_head: set[tuple[str, str, int]] = set()  # last char changed
        for term in sorted(self._vocab):
            n = len(term)
            for i in range(n):
                self._variants.setdefault(term[:i] + _WILD + term[i + 1 :], []).append(term)
            self._keep_ends.add((term[0], term[-1], n))
            self._keep_tail.add((term[1], term[-1], n))
            self._keep_head.add((term[0], term[-2], n))
        self._lengths = sorted({len(t) for t in self._vocab}, reverse=True)
        self._known_lengths = sorted({len(t) for t in self._known if len(t) >= 2})

    @classmethod
    def from_thesaurus(
        cls, thesaurus: Thesaurus, extra_terms: Iterable[str] = (), word_freq: Callable[[str], int] | None = None
    ) -> "TypoCorrector":
        """Vocabulary = canonical terms + ``extra_terms``; thesaurus keys are never corrected."""
        return cls(thesaurus.terms() | set(extra_terms), protected=thesaurus.keys(), word_freq=word_freq)

    def correct(self, text: str, protected: Container[str] = ()) -> tuple[str, dict[str, str]]:
        """Return the corrected text and {typo: term} for each change (the shortest known term
        covering it). Windows in ``protected`` (e.g. a Thesaurus: its keys) are never changed."""
        corrections: dict[str, str] = {}
        if not self._vocab or len(text) < 3:
            return text, corrections
        locked = self._locked(text)
        for run in _RUN_RE.finditer(text):
            for length in self._lengths:  # longest first: prefer "失业保险金" over "失业保险"
                for start in range(run.start(), run.end() - length + 1):
                    positions = self._probe_positions(text, start, length)
                    fix = self._fix(text, start, length, positions, locked, protected) if positions else None
                    if fix is None:
                        continue
                    term, pos = fix
                    typo, fixed = self._report(text[start : start + length], term, pos)
                    corrections[typo] = fixed
                    text = text[:start] + term + text[start + length :]
                    locked[start : start + length] = b"\x01" * length
        return text, corrections

    def _probe_positions(self, text: str, start: int, n: int) -> list[int]:
        first, last = text[start], text[start + n - 1]
        positions = [0] if (text[start + 1], last, n) in self._keep_tail else []
        if (first, last, n) in self._keep_ends:
            positions.extend(range(1, n - 1))
        if (first, text[start + n - 2], n) in self._keep_head:
            positions.append(n - 1)
        return positions

    def _fix(
        self, text: str, start: int, length: int, positions: list[int], locked: bytearray, protected: Container[str]
    ) -> tuple[str, int] | None:
        window = text[start : start + length]
        hits = {
            (term, i)
            for i in positions
            for term in self._variants.get(window[:i] + _WILD + window[i + 1 :], ())
        }
        if not hits or self._is_known(window) or window in protected:
            return None
        ok = [(t, i) for t, i in hits if not locked[start + i] and self._plausible(text, start, t, i, protected)]
        return ok[0] if len(ok) == 1 else None  # none, or ambiguous

    def _plausible(self, text: str, start: int, term: str, i: int, protected: Container[str]) -> bool:
        n, pos = len(term), start + i
        old, new = text[pos], term[i]
        if not (is_cjk(old) and is_cjk(new)) or old in _FUNCTION_CHARS:
            return False
        # At an edge, "known word + one more character" is ordinary text, not a typo:
        # "社会保障事业" must not become "社会保障卡业".
        rest = text[start + 1 : start + n] if i == 0 else text[start:pos]
        if i in (0, n - 1) and (self._is_known(rest) or rest in protected):
            return False
        # A character that already makes a common word with a neighbour was meant:
        # "参保人员" is not a typo of "参保人数", "中学生" not of "大学生".
        for lo in range(max(0, pos - 2), pos + 1):
            for hi in range(max(pos + 1, lo + 2), min(len(text), lo + 3) + 1):
                if self._is_word(text[lo:hi]):
                    return False
        return True

    def _is_word(self, s: str) -> bool:
        """A common word: a known term or frequent in the lexicon."""
        return s in self._known or self._word_freq(s) >= self._min_word_freq

    def _is_known(self, s: str) -> bool:
        """Any known term or lexicon word: such a span is never a typo."""
        return s in self._known or self._word_freq(s) > 0

    def _locked(self, text: str) -> bytearray:
        # Characters of a correctly spelt known term are never changed.
        locked = bytearray(len(text))
        for run in _RUN_RE.finditer(text):
            for length in self._known_lengths:
                for start in range(run.start(), run.end() - length + 1):
                    if text[start : start + length] in self._known:
                        locked[start : start + length] = b"\x01" * length
        return locked

    def _report(self, window: str, term: str, pos: int) -> tuple[str, str]:
        # Report the shortest known term around the change: {"生育保线": "生育保险"}, even
        # when the whole indicator name "生育保险参保人数" was what matched.
        for size in range(3, len(term)):
            for lo in range(max(0, pos - size + 1), min(pos, len(term) - size) + 1):
                if term[lo : lo + size] in self._vocab:
                    return window[lo : lo + size], term[lo : lo + size]
        return window, term


# --------------------------------------------------------------------------- analysis


def analyze(query: str, thesaurus: Thesaurus, corrector: TypoCorrector | None = None) -> QueryPlan:
    """Build the plan the retriever channels search with.

    Typos are fixed first, so a corrected term ("生育保线" -> "生育保险") counts as plan
    wording and the thesaurus sees the corrected text.
    """
    normalized = normalize(query)
    corrections: dict[str, str] = {}
    if corrector is not None:
        normalized, corrections = corrector.correct(normalized, protected=thesaurus)
    periods = extract_periods(normalized)
    expansions = [t for t in dict.fromkeys(thesaurus.expand(normalized) + periods) if t not in normalized]
    return QueryPlan(
        original=query,
        normalized=normalized,
        expansions=expansions,
        numbers=extract_numbers(normalized),
        years=extract_years(normalized),
        periods=periods,
        corrections=corrections,
    )

