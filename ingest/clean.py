"""Clean extracted text: drop page furniture, repair page breaks, normalize width and spacing.

Every character of the output keeps the index of the raw character it came from, so a
citation into the cleaned text can be shown in the original.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from core.text import CJK, CLAUSE_END
from ingest.flat import split_flat

# Lines that are page furniture, not content.
_FURNITURE = [
    re.compile(r"^[（(]\s*此页无正文\s*[）)]$"),
    re.compile(r"^[-—–－]\s*\d{1,4}\s*[-—–－]$"),  # "- 3 -"
    re.compile(r"^第\s*\d{1,4}\s*页(\s*[,，/]?\s*共\s*\d{1,4}\s*页)?$"),
    re.compile(r"^\d{1,4}\s*/\s*\d{1,4}$"),  # "3/12"
]

# A heading or list line: these never continue the previous paragraph and are never continued.
HEADING_RE = re.compile(
    r"^(?:第[一二三四五六七八九十百零〇\d]+[章节条部分篇]"
    r"|[一二三四五六七八九十百]+、"
    r"|[（(][一二三四五六七八九十百]+[）)]"
    r"|\d{1,2}[.．、](?!\d)"
    r"|[（(]\d{1,2}[）)]"
    r"|专栏\s*\d+"
    r"|附件\s*\d*"
    r")"
)
_ITEM_START = re.compile(r"^(?:——|—|-\s|\||[①-⑳]|\d{2}\s|\d{2}$|[•·●▪])")
_SENTENCE_END = set(CLAUSE_END + "：:")  # a colon ends a lead-in line too
# Titles end in these words and never continue into the next paragraph.
_TITLE_END = re.compile(r"(通知|规划|办法|意见|决定|方案|规定|细则|报告|纲要|公告|通告|批复|函|条例|文件|目录|印发)[”》]?$")
_CLOSERS = set("”’」』\"）)")
_CJK = CJK
_CJK_PUNCT = r"\u3000-\u303f\uff00-\uff0f\uff1a-\uff20\u2014\u2018-\u201f\u2026《》〈〉【】"
_SPACE_RUN = re.compile(r"[ \u00a0\u3000]+")
_DIGITISH = re.compile(r"[0-9%％]")
_LEADING_NUMBER = re.compile(r"^(?:[-|]\s*)?\|?\s*\d{1,2}\s*\|?$")
_CJKISH = re.compile(f"[{_CJK}{_CJK_PUNCT}]")

# Full-width letters, digits and a few symbols become ASCII; Chinese punctuation stays.
_WIDTH = {c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)}
_WIDTH.update({c: c - 0xFEE0 for c in range(0xFF21, 0xFF3B)})
_WIDTH.update({c: c - 0xFEE0 for c in range(0xFF41, 0xFF5B)})
_WIDTH.update({0xFF05: ord("%"), 0xFF0E: ord("."), 0xFF0B: ord("+"), 0xFF1C: ord("<"), 0xFF1E: ord(">"),
               0x3000: ord(" "), 0x00A0: ord(" ")})


@dataclass
class CleanText:
    text: str
    offsets: list[int]  # offsets[i] = raw index of text[i]


def is_furniture(line: str) -> bool:
    s = line.strip()
    return any(p.match(s) for p in _FURNITURE)


def is_heading_like(line: str) -> bool:
    s = line.strip()
    return bool(HEADING_RE.match(s)) and len(s) <= 60 and "\t" not in s


def _normalize_line(line: str, start: int) -> tuple[list[str], list[int]]:
    """Width-normalize and drop spaces that only pad CJK text ("12 万人" → "12万人")."""
    chars: list[str] = []
    offs: list[int] = []
    s = line.translate(_WIDTH)
    # Leading/trailing spaces carry no meaning; tabs separate table cells and stay.
    lead = len(s) - len(s.lstrip(" "))
    s_stripped = s.strip(" ")
    i = 0
    while i < len(s_stripped):
        m = _SPACE_RUN.match(s_stripped, i)
        if m:
            before = s_stripped[i - 1] if i > 0 else ""
            after = s_stripped[m.end()] if m.end() < len(s_stripped) else ""
            cjk_b, cjk_a = bool(_CJKISH.match(before)), bool(_CJKISH.match(after))
            pads_cjk = (cjk_b and (cjk_a or _DIGITISH.match(after))) or (cjk_a and _DIGITISH.match(before))
            if pads_cjk and _LEADING_NUMBER.match(s_stripped[:i]):
                pads_cjk = False  # "01 百千万人才工程": the space after item numbering stays
            if not pads_cjk and before not in ("\t", "") and after not in ("\t", ""):
                chars.append(" ")
                offs.append(start + lead + i)
            i = m.end()
            continue
        chars.append(s_stripped[i])
        offs.append(start + lead + i)
        i += 1
    return chars, offs


def _ends_sentence(line: str) -> bool:
    s = line.rstrip()
    if not s:
        return True
    if s[-1] in _SENTENCE_END:
        return True
    return s[-1] in _CLOSERS and len(s) > 1 and s[-2] in _SENTENCE_END


def _is_block_line(line: str) -> bool:
    """Table rows, headings, list items and box items stand on their own lines."""
    s = line.strip()
    return "\t" in s or is_heading_like(s) or bool(_ITEM_START.match(s))


def should_join(prev: str, nxt: str, blank_between: bool) -> bool:
    """Does ``nxt`` continue the sentence that ``prev`` left unfinished?

    A paragraph cut by a page break ends mid-sentence on a long line; a heading such as
    "1. 实施积极的就业政策" also lacks a final 。 but is short and numbered, so it stays.
    """
    p, n = prev.strip(), nxt.strip()
    # A long "——" goal line or box item can be cut by a page break too, so only table
    # rows and headings end the previous line for sure.
    if not p or not n or _ends_sentence(p) or "\t" in p or is_heading_like(p) or _is_block_line(n):
        return False
    if p.startswith("|") or (_ITEM_START.match(p) and len(p) < 40):
        return False  # a box item's title line
    if p[-1] in "，、,（(《“":
        return True
    if _TITLE_END.search(p) or (n.endswith(("：", ":")) and len(n) < 60):
        return False
    # Short unfinished lines are titles, signatures or addresses, not cut paragraphs.
    return len(p) >= (20 if blank_between else 18)


def clean(raw: str) -> CleanText:
    """Clean ``raw`` and keep, for each output character, its index in ``raw``."""
    lines: list[tuple[list[str], list[int], int]] = []  # chars, offs, blank lines before
    pos = 0
    blanks = 0
    for line in raw.split("\n"):
        start, pos = pos, pos + len(line) + 1
        full = line.rstrip("\r")
        for k, (a, b) in enumerate(split_flat(full)):  # a flattened document gets its lines back
            body = full[a:b]
            if not body.strip() or is_furniture(body):
                blanks += 1
                continue
            chars, offs = _normalize_line(body, start + a)
            lines.append((chars, offs, -1 if k > 0 else blanks))  # -1: a cut in a flattened line, never rejoined
            blanks = 0

    out: list[str] = []
    out_offs: list[int] = []
    prev_text = ""
    for chars, offs, blank_before in lines:
        text = "".join(chars)
        if out:
            if blank_before >= 0 and should_join(prev_text, text, blank_before > 0):
                prev_text += text
                out.extend(chars)
                out_offs.extend(offs)
                continue
            sep = "\n\n" if blank_before else "\n"
            out.extend(sep)
            out_offs.extend([out_offs[-1] + 1] * len(sep))
        out.extend(chars)
        out_offs.extend(offs)
        prev_text = text
    return CleanText("".join(out), out_offs)
