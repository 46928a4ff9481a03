"""Text facts shared by every stage: CJK ranges, normalization, sentences, bigrams."""
from __future__ import annotations

import json
import operator
import re
import unicodedata
from functools import lru_cache
from importlib import resources

# CJK ideographs: Extension A, the unified block, compatibility ideographs.
CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_RUN = re.compile(f"[{CJK}]+")
_WS = re.compile(r"\s+")
_CJK_DIGIT_GAP = re.compile(rf"(?<=[{CJK}]) (?=[0-9])|(?<=[0-9]) (?=[{CJK}])")
# Zero-width and format characters that split words invisibly.
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
# A sentence ends at these; a clause (for answers that quote "the clause") also at ；.
SENTENCE_END = "。！？!?"
CLAUSE_END = SENTENCE_END + "；;"
# Where ingest cuts passages and figure sentences (the terminator stays with its sentence).
SENTENCE_BOUNDARY = re.compile(f"(?<=[{CLAUSE_END}])")
# A colon that opens a numbered list ("以下材料：1. 身份证；2. …") ends the sentence that introduces it.
_LIST_START = r"(?:（[一二三四五六七八九十\d]{1,3}）|\([一二三四五六七八九十\d]{1,3}\)|\d{1,2}[.、．)](?!\d)|[①-⑳]|[一二三四五六七八九十]{1,3}、)"
_SENTENCE_STOP = re.compile(f"[{CLAUSE_END}]+[”’」』）)]*|[：:](?=\\s*{_LIST_START})|\n")


def is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"


def has_cjk(text: str, run: int = 1) -> bool:
    """Does the text hold a run of at least ``run`` CJK characters?"""
    return any(len(m) >= run for m in CJK_RUN.findall(text))


@lru_cache(maxsize=1)
def _t2s():  # type: ignore[no-untyped-def]
    # Loading the OpenCC dictionaries takes ~50 ms; only pay it when first needed.
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _t2s_triggers() -> frozenset[str] | None:
    """Characters of which every text that t2s would change contains at least one.

    The pure-Python OpenCC costs ~0.4 ms per passage; most simplified text contains none of these
    and is returned as is. Read from the dictionary files t2s's config names (data the package
    ships): per changing entry one character suffices, a changing single character when the key
    has one, else its first differing character. None (always convert) when they can't be read.
    """
    try:
        pkg = resources.files("opencc")
        config = json.loads((pkg / "config" / "t2s.json").read_text(encoding="utf-8"))
        names = [d["file"] for step in config["conversion_chain"] for d in step["dict"].get("dicts", [step["dict"]])]
        entries = []
        for name in names:
            for line in (pkg / "dictionary" / name).read_text(encoding="utf-8").splitlines():
                key, _, values = line.partition("\t")
                entries += [(key, v) for v in values.split()[:1] if v != key]
    except (OSError, KeyError, ValueError, ModuleNotFoundError):
        return None
    chars = {k for k, _ in entries if len(k) == 1}
    for k, v in entries:
        if len(k) > 1 and chars.isdisjoint(k):
            diff = [a for a, b in zip(k, v) if a != b] if len(k) == len(v) else []
            chars.add(diff[0] if diff else k[0])
    return frozenset(chars)


def to_simplified(text: str) -> str:
    triggers = _t2s_triggers()
    if triggers is not None and triggers.isdisjoint(text):
        return text
    return str(_t2s().convert(text))


def normalize(text: str) -> str:
    """NFKC, traditional -> simplified, one space between words, none between CJK and digits."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).translate(INVISIBLE)
    if not text.isascii():
        text = to_simplified(text)
    text = _WS.sub(" ", text).strip()
    return _CJK_DIGIT_GAP.sub("", text)


def split_sentences(text: str, min_chars: int = 1) -> list[str]:
    """Sentences and clauses ending in 。！？；, closing quotes kept with them; newlines end one too."""
    parts, start = [], 0
    for m in _SENTENCE_STOP.finditer(text):
        parts.append(text[start:m.end()].strip())
        start = m.end()
    parts.append(text[start:].strip())
    return [p for p in parts if len(p) >= min_chars]


def bigrams(text: str) -> set[str]:
    """Character bigrams of each CJK run; a lone character stays a unigram."""
    out: set[str] = set()
    for run in CJK_RUN.findall(text):
        if len(run) == 1:
            out.add(run)
        else:
            out.update(map(operator.add, run, run[1:]))  # run[i] + run[i + 1], in C: the answerer's hottest loop
    return out
