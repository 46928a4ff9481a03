"""Redaction of personal data before text reaches logs or the session store.

Hotline callers type ID numbers, phone numbers and bank cards into the chat. Policy text is
full of numbers too ("42.62万人", "景人社发〔2018〕10号", "12333"), so every pattern is anchored
so it never takes part of a longer digit run or a decimal, and long numbers are only treated
as bank cards when they look like one (Luhn-valid or UnionPay's 62 prefix).
"""
from __future__ import annotations

import re
from collections.abc import Callable

# Full-width ASCII (０-９, ＋, －, ＠, Ｘ, （ ...) and hyphen-like dashes map one character to one
# character, so spans found in the translated text are the same spans in the original and
# everything that is not redacted comes back exactly as written.
_HALF = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_HALF.update({0x3000: 0x20, 0x2010: 0x2D, 0x2011: 0x2D, 0x2012: 0x2D, 0x2013: 0x2D})

# Not inside a longer number and not the fraction of a decimal ("0.13812345678").
_START = r"(?<!\d)(?<!\d\.)"
_END = r"(?!\d)(?!\.\d)"

_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![A-Za-z])")
# 6-digit area code, birth date, 3-digit sequence, check character; 6-8-4 grouping allowed.
_ID18 = re.compile(_START + r"\d{6}[ -]?(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})[ -]?\d{3}[\dXx]" + _END)
_ID15 = re.compile(_START + r"\d{6}(?P<y>\d{2})(?P<m>\d{2})(?P<d>\d{2})\d{3}" + _END)
_CARD = re.compile(_START + r"\d{4}(?:[ -]?\d{4}){3}(?:[ -]?\d{1,3})?" + _END)
_MOBILE = re.compile(_START + r"(?:\(?\+?86\)?[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}" + _END)
_LANDLINE = re.compile(_START + r"(?:0\d{2,3}-|\(0\d{2,3}\)[ -]?)\d{7,8}" + _END)


def _plausible_date(y: int, m: int, d: int) -> bool:
    return 1900 <= y <= 2099 and 1 <= m <= 12 and 1 <= d <= 31


def _id18(m: re.Match[str]) -> bool:
    # A mistyped check digit is still someone's ID, so the checksum is deliberately not tested.
    return _plausible_date(int(m["y"]), int(m["m"]), int(m["d"]))


def _id15(m: re.Match[str]) -> bool:
    return _plausible_date(1900 + int(m["y"]), int(m["m"]), int(m["d"]))


def luhn_ok(digits: str) -> bool:
    """True when a digit string passes the Luhn check used by bank cards."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _card(m: re.Match[str]) -> bool:
    digits = re.sub(r"\D", "", m.group())
    return 16 <= len(digits) <= 19 and (digits.startswith("62") or luhn_ok(digits))


def _always(m: re.Match[str]) -> bool:
    return True


# Order is priority: an e-mail address can hold a phone number, an 18-digit ID can look like
# a card; the first pattern to claim a span wins.
_RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], bool], str]] = [
    (_EMAIL, _always, "[邮箱]"),
    (_ID18, _id18, "[身份证号]"),
    (_ID15, _id15, "[身份证号]"),
    (_CARD, _card, "[银行卡号]"),
    (_MOBILE, _always, "[手机号]"),
    (_LANDLINE, _always, "[电话]"),
]


def _spans(text: str) -> list[tuple[int, int, str]]:
    probe = text.translate(_HALF)
    taken: list[tuple[int, int, str]] = []
    for pattern, accept, label in _RULES:
        for m in pattern.finditer(probe):
            s, e = m.span()
            if accept(m) and all(e <= ts or s >= te for ts, te, _ in taken):
                taken.append((s, e, label))
    return sorted(taken)


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
