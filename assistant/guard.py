"""The figure guard: every number in a generated answer must be in the sources it cites.

A wrong number is the worst thing the assistant can say, and an LLM will happily round,
convert or compute one. So the LLM's text is only used when each figure it states can be
found, on number boundaries, in the cited source text; otherwise the caller falls back to
the extractive answer. Pure functions, no I/O.
"""
from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

from core.types import Citation


# One character in, one character out, so offsets in the normalized text are offsets in the
# original text (the streaming guard releases original text by those offsets).
_NORMALIZE = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},
        "．": ".",
        "％": "%",
        "﹪": "%",
        "［": "[",
        "］": "]",
        "【": "[",
        "】": "]",
        "（": "(",
        "）": ")",
        "\u3000": " ",
    }
)
_MARKER = re.compile(r"\[\s*([0-9]+(?:\s*[,，、]\s*[0-9]+)*)\s*\]")
_MARKER_RUN = re.compile(r"(?:[ \t]*\[\s*[0-9]+(?:\s*[,，、]\s*[0-9]+)*\s*\])+")
# List numbering is layout, not a figure: "1." / "2、" / "3)" at line start, "(1)" anywhere.
# "1.5万人" at line start is a decimal, hence the lookahead.
_LIST_NUMBER = re.compile(r"(?m)^[ \t]*(?:[-*•·][ \t]*)?[0-9]{1,2}[.、)](?![0-9])")
_PAREN_NUMBER = re.compile(r"\([0-9]{1,2}\)")
# "1,234" is one number only with proper thousands groups; "2016,2017" is two.
_NUMBER = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])|[0-9]+)(?:\.[0-9]+)?(?:[ \t]*%)?")
_TERMINATORS = "。！？!?"
_CLOSERS = "”’」』)"
_CLAUSE_END = re.compile(r"[；;]")
_MARKERISH = re.compile(r"(?:[ \t]*\[[0-9,，、\s]*\]?)*")


@dataclass(frozen=True)
class GuardResult:
    ok: bool
    unsupported: list[str] = field(default_factory=list)  # numbers as normalized, and bad "[n]" markers


def normalize(text: str) -> str:
    return text.translate(_NORMALIZE)


def numbers_in(text: str) -> list[str]:
    """Numeric figures in ``text`` as normalized value strings, in order ("42.62", "3.5%")."""
    return [value for _, value in _number_tokens(normalize(text))]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Contiguous (start, end) spans covering ``text``, one per sentence.

    A sentence ends at 。！？!? (plus closing quotes) or a newline; citation markers right after
    the end ("……。[1]") belong to the sentence before them, which is how answers cite.
    """
    text = normalize(text)
    spans: list[tuple[int, int]] = []
    start = i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\n":
            spans.append((start, i + 1))
            start = i = i + 1
            continue
        if ch in _TERMINATORS:
            j = i + 1
            while j < len(text) and (text[j] in _TERMINATORS or text[j] in _CLOSERS):
                j += 1
            m = _MARKER_RUN.match(text, j)
            j = m.end() if m else j
            spans.append((start, j))
            start = i = j
            continue
        i += 1
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def settled_end(text: str) -> int:
    """End of the prefix of ``text`` whose sentences can no longer change as text is appended.

    The last sentence may still grow, and so may the one before it while what follows could
    still become its citation marker (" [1" arriving in pieces).
    """
    spans = sentence_spans(text)
    if len(spans) < 2:
        return 0
    last_start, last_end = spans[-1]
    if _MARKERISH.fullmatch(normalize(text[last_start:last_end])):
        return spans[-3][1] if len(spans) >= 3 else 0
    return spans[-2][1]


def check_figures(
    answer_text: str, citations: Sequence[Citation], allowed: Collection[str] = ()
) -> GuardResult:
    """Check every number and every ``[n]`` in ``answer_text`` against ``citations``.

    A clause's numbers must be in the sources its own markers cite; a clause without markers
    uses its sentence's markers; a sentence without any must match at least one source.
    """
    text = normalize(answer_text)
    pools = {c.n: _values(f"{c.document}\n{c.section}\n{c.text}") for c in citations}
    everything = set().union(*pools.values()) if pools else set()
    numbers = _number_tokens(text)
    markers = [(m.start(), [int(n) for n in re.split(r"\s*[,，、]\s*", m.group(1).strip())]) for m in _MARKER.finditer(text)]

    unsupported: list[str] = []
    for s_start, s_end in sentence_spans(text):
        sentence_refs = _refs_between(markers, s_start, s_end)
        for c_start, c_end in _clauses(text, s_start, s_end):
            refs = _refs_between(markers, c_start, c_end) or sentence_refs
            unsupported += [f"[{n}]" for n in refs if n not in pools]
            pool = set().union(*(pools[n] for n in refs if n in pools)) if refs else everything
            unsupported += [v for pos, v in numbers if c_start <= pos < c_end and v not in allowed and v not in pool]
    unsupported = list(dict.fromkeys(unsupported))
    return GuardResult(ok=not unsupported, unsupported=unsupported)


def _number_tokens(text: str) -> list[tuple[int, str]]:
    """(offset, value) of each figure in already-normalized ``text``."""

    def blank(m: re.Match[str]) -> str:
        return " " * len(m.group(0))

    masked = _PAREN_NUMBER.sub(blank, _LIST_NUMBER.sub(blank, _MARKER.sub(blank, text)))
    return [(m.start(), _value(m.group(0))) for m in _NUMBER.finditer(masked)]


def _value(raw: str) -> str:
    # Compare values, not spellings: "1,200" == "1200", "42.60" == "42.6", "05" == "5".
    percent = raw.rstrip().endswith("%")
    digits = raw.rstrip("% \t").replace(",", "")
    whole, _, frac = digits.partition(".")
    whole = whole.lstrip("0") or "0"
    frac = frac.rstrip("0")
    return whole + (f".{frac}" if frac else "") + ("%" if percent else "")


def _values(source_text: str) -> set[str]:
    values = set()
    for _, v in _number_tokens(normalize(source_text)):
        values.add(v)
        # "5%" in a source supports a bare "5" in the answer, not the other way round.
        values.add(v.rstrip("%"))
    return values


def _clauses(text: str, start: int, end: int) -> Iterable[tuple[int, int]]:
    pos = start
    for m in _CLAUSE_END.finditer(text, start, end):
        yield (pos, m.end())
        pos = m.end()
    if pos < end:
        yield (pos, end)


def _refs_between(markers: list[tuple[int, list[int]]], start: int, end: int) -> list[int]:
    return list(dict.fromkeys(n for pos, ns in markers if start <= pos < end for n in ns))
