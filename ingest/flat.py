"""Flattened text: a whole document on one line, as text scraped from web pages or WeChat usually is.

Such a line is cut back into the lines the document had: at spaces between Chinese text (scrapers
join paragraphs with a space), after a 文号 or the addressee line, and before inline headings in every
numbering style (一、 （一） 1. 第X条) where a reader would see one. The cuts are spans of the line, so
every character keeps its place in the original text.
"""
from __future__ import annotations

import re

from core.quantities import NUMBER_TAIL, cn_int
from core.text import CJK

FLAT_LINE = 500  # a line at least this long is treated as a flattened document
_CJKP = CJK + r"\u3000-\u303f\uff01-\uff5e“”‘’《》【】—…·"
_SPACE_CUT = re.compile(f"(?<=[{_CJKP}0-9%])[ \u3000\u00a0\t]+(?=[{_CJKP}0-9])")
_MARKER = re.compile(
    r"(?P<article>第(?P<an>[一二三四五六七八九十百零〇]+)[条章节])"
    r"|(?P<cn>(?P<cnn>[一二三四五六七八九十]{1,3})、)"
    r"|(?P<pcn>[（(](?P<pcnn>[一二三四五六七八九十]{1,3})[）)])"
    r"|(?<![\d.．])(?P<ar>(?P<arn>\d{1,2})[.．、](?![\d.．]))"
)
_SENTENCE_END = "。；;！？!?：:"
# A number with at most one unit character, followed by a space: "早于 2020年 3月", "近 20 万".
_SPACED_NUMBER = re.compile(r"\d+(?:[.．]\d+)?\D?[ \u3000\u00a0\t]")
# After a number these read on: "00:00 至免通终止时间内", "30日 以内".
_NUMBER_LINKS = frozenset("至到起前后内以余多")
_WORD_SPACE = re.compile(r"(?<![\d\s])[ \u3000\u00a0\t]+(?![\d\s])")
_SPACES = " \u3000\u00a0\t"
_CLOSERS = "”’」』）)"
_HEADING_RUN = 30  # a heading written without its own line is at most this long before the next marker
_DOC_NO = re.compile(rf"[{CJK}]{{1,10}}[〔\[［【(（]\d{{4}}[〕\]］】)）]\d{{1,4}}号")
_TITLE_WORD = r"(?:通知|办法|意见|措施|方案|细则|指引|公告|通告|规定|决定|函|批复|条例)"
_TITLE_END = re.compile(f"{_TITLE_WORD}$")
_ADDRESSEE = re.compile(f"{_TITLE_WORD}(各[^：:。；]{{1,80}}[：:])")


def _number(m: re.Match[str]) -> tuple[str, int]:
    if m.group("article"):
        return "article" + m.group("article")[-1], cn_int(m.group("an"))  # 章, 节 and 条 count apart
    for style, group in (("cn", "cnn"), ("pcn", "pcnn")):
        if m.group(style):
            return style, cn_int(m.group(group))
    return "ar", int(m.group("arn"))


def _boundary(text: str, i: int) -> bool:
    """Does a new line make sense at ``i``: after a space, a sentence end, or a closing bracket?"""
    if i == 0 or text[i - 1] in _SPACES:
        return True
    j = i
    while j > 0 and text[j - 1] in _CLOSERS:
        j -= 1
    return (j == 0 or text[j - 1] in _SENTENCE_END or j < i and text[i - 1] in "）)"
            or bool(_TITLE_END.search(text, max(0, i - 4), i)))  # "…管理办法第一条": the title ends there


def _heading_cuts(text: str) -> list[int]:
    """Positions in ``text`` where an inline heading or list item starts.

    A marker counts only as the next number of its style or a restart at 1, so "第十条规定" inside a
    sentence is not cut, and "一、总则（一）…" is: a short heading run before a marker ends there.
    """
    cuts: list[int] = []
    last: dict[str, int] = {}  # numbering style -> last number seen
    previous = 0
    for m in _MARKER.finditer(text):
        i = m.start()
        style, n = _number(m)
        if n not in (1, last.get(style, 0) + 1):
            continue
        run = text[previous:i].strip()
        heading_run = len(run) <= _HEADING_RUN and not any(c in run for c in "。；;，,") and bool(_MARKER.match(run))
        if _boundary(text, i) or heading_run:
            cuts.append(i)
            previous = i
            last[style] = n
    return cuts


def _fixed_cuts(text: str) -> list[int]:
    """After a leading 文号, around an addressee line that follows the title."""
    cuts = []
    m = _DOC_NO.match(text)
    if m:
        cuts.append(m.end())
    for m in _ADDRESSEE.finditer(text[:400]):
        cuts += [m.start(1), m.end(1)]
        break
    return cuts


def _inside_figure(line: str, start: int, end: int) -> bool:
    """Is the space at ``line[start:end]`` typesetting inside a figure ("由 2020 年 2 月 29 日统一延长",
    "计费为 0 元"), which PDF-derived text is full of, rather than a lost line break?"""
    left, right = line[start - 1], line[end]
    if left in _SENTENCE_END:
        return False
    if left.isdigit():
        return right in NUMBER_TAIL or right in _NUMBER_LINKS
    if right.isdigit():
        after_number = start >= 2 and line[start - 2].isdigit() and left in NUMBER_TAIL  # "3月 31日"
        return after_number or bool(_SPACED_NUMBER.match(line, end)) or _mid_sentence(line, start)
    return False


def _mid_sentence(line: str, start: int, reach: int = 80) -> bool:
    """Has a sentence begun and not ended before ``start`` ("形势，我省 2020年…"), unlike a heading or a
    signature line before a date ("财政部 税务总局 2020年2月6日")? A space between words since the
    sentence began was a line break, so the run is not one sentence."""
    run = line[max(0, start - reach):start]
    run = run[max(run.rfind(c) for c in "。；;！？!?") + 1:]
    return any(c in run for c in "，,") and not _WORD_SPACE.search(run)


def split_flat(line: str) -> list[tuple[int, int]]:
    """Spans ``(start, end)`` of the logical lines inside one physical line."""
    if len(line) < FLAT_LINE:
        return [(0, len(line))]
    # A cut is (where the previous line ends, where the next begins): a space between them is dropped.
    cuts = [(c, c) for c in set(_fixed_cuts(line) + _heading_cuts(line)) if 0 < c < len(line)]
    cuts += [(m.start(), m.end()) for m in _SPACE_CUT.finditer(line) if not _inside_figure(line, m.start(), m.end())]
    spans: list[tuple[int, int]] = []
    start = 0
    for end, nxt in sorted(cuts):
        if end < start:
            continue
        if end > start and nxt > end and _MARKER.fullmatch(line[start:end]):
            continue  # "第一章 总则", "第一条 为了…": the space after a bare number stays inside the line
        if line[start:end].strip():
            spans.append((start, end))
        start = nxt
    if line[start:].strip():
        spans.append((start, len(line)))
    return spans
