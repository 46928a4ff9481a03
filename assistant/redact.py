"""Redaction of personal data before text reaches logs or the session store.

Hotline callers type ID numbers, phone numbers and bank cards into the chat, in every form:
grouped with spaces, dashes or dots, in full-width digits, split by zero-width characters or
written in Chinese numerals. So matching runs on a normalized probe of the text (format
characters dropped, full-width folded, Chinese numerals in long digit runs mapped to digits)
whose every character remembers where it came from; a match replaces that span of the original.

Policy text is full of numbers too ("42.62万人", "景人社发〔2018〕10号", "12333", dates), so
every pattern is anchored so it never takes part of a longer digit run or a decimal, grouped
numbers need groups of at least three digits (a row of decimals is not a phone number), and IDs
need a plausible birth date.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

# Full-width ASCII (０-９, ＋, －, ＠, Ｘ, （ ...) and hyphen-like dashes, one character to one.
_HALF = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_HALF.update({0x3000: 0x20, 0x2010: 0x2D, 0x2011: 0x2D, 0x2012: 0x2D, 0x2013: 0x2D, 0x2014: 0x2D, 0x2212: 0x2D,
              0x00B7: 0x2E, 0x30FB: 0x2E, 0x2027: 0x2E})
_CN_DIGITS = "〇零一二三四五六七八九"
_CN_MAP = {ord(c): ord(str(i)) for i, c in enumerate("〇一二三四五六七八九")}
_CN_MAP.update({ord("零"): ord("0"), ord("幺"): ord("1")})
# Seven or more digits (ASCII or Chinese, at least one Chinese) with single separators: a spelt-out
# number. Shorter runs are dates and ordinals ("二〇一八年", "第一"), which stay as written.
_CN_RUN = re.compile(f"[0-9{_CN_DIGITS}幺](?:[ .-]?[0-9{_CN_DIGITS}幺]){{6,}}")

_S = r"[ .-]"  # one separator between digit groups
# Not inside a longer number and not the fraction of a decimal ("0.13812345678").
_START = r"(?<!\d)(?<!\d[.-])"
_END = r"(?![.-]?\d)"

_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![A-Za-z])")
# 17 digits and a check character, any single separator between any two: "360203-1990-01-01-123X".
_ID18 = re.compile(_START + r"\d(?:[ .-]{0,2}\d){16}[ .-]{0,2}[\dXx]" + _END)
_ID15 = re.compile(_START + r"\d(?:[ .-]{0,2}\d){14}" + _END)
# Any 16-19 digit run, or 4-digit groups as printed on cards.
_CARD = re.compile(_START + r"(?:\d{16,19}|\d{4}(?:(?P<s>[ .-])\d{4}){3}(?:(?P=s)?\d{1,3})?)" + _END)
_PREFIX86 = r"(?:\(?\+?86\)?[ -]?)?"
_MOBILE = re.compile(_START + _PREFIX86 + r"1[3-9](?:" + _S + r"?\d){9}" + _END)
# Area code 0xx(x), then the local number: "0798-8221234", "07988221234", "(0798) 822 1234".
_LANDLINE = re.compile(_START + r"(?:\(0\d{2,3}\)|0\d{2,3})" + _S + r"?\d{3,4}(?:" + _S + r"?\d{3,5})" + _END)


def _digits(s: str) -> str:
    return re.sub(r"[^0-9Xx]", "", s)


def _groups_ok(s: str, core_digits: int) -> bool:
    """A grouped number: every group of three or more digits (a table row of decimals is not a number)."""
    groups = [g for g in re.split(r"[ .-]+", s) if g]
    return len(groups) == 1 or (all(len(_digits(g)) >= 3 for g in groups) and len(groups) <= 5
                                and len(_digits(s)) >= core_digits)


def _plausible_date(y: int, m: int, d: int) -> bool:
    return 1900 <= y <= 2099 and 1 <= m <= 12 and 1 <= d <= 31


def _id18(m: re.Match[str]) -> bool:
    # A mistyped check digit is still someone's ID, so the checksum is deliberately not tested.
    d = _digits(m.group())
    return _plausible_date(int(d[6:10]), int(d[10:12]), int(d[12:14]))


def _id15(m: re.Match[str]) -> bool:
    d = _digits(m.group())
    return _plausible_date(1900 + int(d[6:8]), int(d[8:10]), int(d[10:12]))


def luhn_ok(digits: str) -> bool:
    """True when a digit string passes the Luhn check used by bank cards."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _mobile(m: re.Match[str]) -> bool:
    body = re.sub(r"^\(?\+?86\)?[ -]?", "", m.group()) if len(_digits(m.group())) > 11 else m.group()
    return _groups_ok(body, 11)


def _landline(m: re.Match[str]) -> bool:
    return _groups_ok(m.group().replace("(", "").replace(")", " "), 10)


def _card(m: re.Match[str]) -> bool:
    # Grouped: "2016-2017-2018-2019" is a list of years, not a card.
    groups = re.split(r"[ .-]", m.group())
    return len(groups) == 1 or not all(re.fullmatch(r"(?:19|20)\d\d", g) for g in groups[:4])


def _always(m: re.Match[str]) -> bool:
    return True


# Order is priority: an e-mail address can hold a phone number, an 18-digit ID can look like
# a card; the first pattern to claim a span wins.
_RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], bool], str]] = [
    (_EMAIL, _always, "[邮箱]"),
    (_ID18, _id18, "[身份证号]"),
    (_ID15, _id15, "[身份证号]"),
    (_CARD, _card, "[银行卡号]"),
    (_MOBILE, _mobile, "[手机号]"),
    (_LANDLINE, _landline, "[电话]"),
]


def normalize(text: str) -> tuple[str, list[int]]:
    """The probe text matched against, and for each of its characters the index it came from."""
    kept, where = [], []
    for i, ch in enumerate(text):
        if unicodedata.category(ch) == "Cf":  # zero-width spaces, joiners, BOM, bidi marks, soft hyphen
            continue
        kept.append(ch)
        where.append(i)
    probe = "".join(kept).translate(_HALF)
    probe = _CN_RUN.sub(lambda m: m.group().translate(_CN_MAP) if any(c in _CN_DIGITS + "幺" for c in m.group())
                        else m.group(), probe)
    return probe, where


def _spans(text: str) -> list[tuple[int, int, str]]:
    probe, where = normalize(text)
    taken: list[tuple[int, int, str]] = []
    for pattern, accept, label in _RULES:
        for m in pattern.finditer(probe):
            s, e = m.span()
            if accept(m) and all(e <= ts or s >= te for ts, te, _ in taken):
                taken.append((s, e, label))
    return sorted((where[s], where[e - 1] + 1, label) for s, e, label in taken)


def redact(text: str) -> str:
    """Replace ID, mobile, bank-card, landline numbers and e-mail addresses with labels."""
    spans = _spans(text)
    if not spans:
        return text
    out: list[str] = []
    pos = 0
    for s, e, label in spans:
        out.append(text[pos:s])
        out.append(label)
        pos = e
    out.append(text[pos:])
    return "".join(out)


def contains_pii(text: str) -> bool:
    """True when redact() would change the text."""
    return bool(_spans(text))
