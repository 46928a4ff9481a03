"""Flattened text: a whole document on one line, as text scraped from web pages or WeChat usually is.

Such a line is cut back into the lines the document had: at spaces between Chinese text (scrapers
join paragraphs with a space), after a 文号 or the addressee line, and before inline headings in every
numbering style (一、 （一） 1. 第X条) where a reader would see one. The cuts are spans of the line, so
every character keeps its place in the original text.
"""
from __future__ import annotations

import re

FLAT_LINE = 500  # a line at least this long is treated as a flattened document
_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九", start=0)}
_CJKP = r"\u3400-\u9fff\u3000-\u303f\uff01-\uff5e“”‘’《》【】—…·"
_SPACE_CUT = re.compile(f"(?<=[{_CJKP}0-9%])[ \u3000\u00a0\t]+(?=[{_CJKP}0-9])")
_MARKER = re.compile(
    r"(?P<article>第(?P<an>[一二三四五六七八九十百零〇]+)[条章节])"
    r"|(?P<cn>(?P<cnn>[一二三四五六七八九十]{1,3})、)"
    r"|(?P<pcn>[（(](?P<pcnn>[一二三四五六七八九十]{1,3})[）)])"
    r"|(?<![\d.．])(?P<ar>(?P<arn>\d{1,2})[.．、](?![\d.．]))"
)
_SENTENCE_END = "。；;！？!?：:"
_CLOSERS = "”’」』）)"
_HEADING_RUN = 30  # a heading written without its own line is at most this long before the next marker
_DOC_NO = re.compile(r"[\u4e00-\u9fff]{1,10}[〔\[［【(（]\d{4}[〕\]］】)）]\d{1,4}号")
_TITLE_WORD = r"(?:通知|办法|意见|措施|方案|细则|指引|公告|通告|规定|决定|函|批复|条例)"
_ADDRESSEE = re.compile(f"{_TITLE_WORD}(各[^：:。；]{{1,80}}[：:])")


def cn_number(text: str) -> int:
    """一 → 1, 十二 → 12, 二十三 → 23 (enough for heading numbers)."""
    if "十" not in text:
        return sum(_CN_DIGITS.get(c, 0) * 10 ** i for i, c in enumerate(reversed(text)))
    tens, _, ones = text.partition("十")
    return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)


def _number(m: re.Match[str]) -> tuple[str, int]:
    for style, group in (("article", "an"), ("cn", "cnn"), ("pcn", "pcnn")):
        if m.group(style):
            return style, cn_number(m.group(group))
    return "ar", int(m.group("arn"))


def _after_sentence(text: str, i: int) -> bool:
    j = i
    while j > 0 and text[j - 1] in _CLOSERS:
        j -= 1
    return j == 0 or text[j - 1] in _SENTENCE_END


def _heading_cuts(text: str, last: dict[str, int]) -> list[int]:
    """Positions in ``text`` where an inline heading or list item starts.

    ``last`` (numbering style -> last number seen) carries over between pieces: a marker counts only
    as the next number of its style or a restart at 1, so "第十条规定" inside a sentence is not cut.
    """
    cuts: list[int] = []
    previous = 0
    for m in _MARKER.finditer(text):
        i = m.start()
        style, n = _number(m)
        expected = n in (1, last.get(style, 0) + 1)
        if i == 0:
            if expected:
                last[style] = n
            continue
        run = text[previous:i]
        heading_run = len(run) <= _HEADING_RUN and not any(c in run for c in "。；;，,") and bool(_MARKER.match(run))
        if expected and (_after_sentence(text, i) or heading_run):
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


def split_flat(line: str) -> list[tuple[int, int]]:
    """Spans ``(start, end)`` of the logical lines inside one physical line."""
    if len(line) < FLAT_LINE:
        return [(0, len(line))]
    pieces: list[tuple[int, int]] = []
    pos = 0
    for m in [*_SPACE_CUT.finditer(line), None]:
        end = m.start() if m else len(line)
        pieces.append((pos, end))
        pos = m.end() if m else pos
    spans: list[tuple[int, int]] = []
    last: dict[str, int] = {}
    for start, end in pieces:
        text = line[start:end]
        cuts = sorted({c for c in _fixed_cuts(text) + _heading_cuts(text, last) if 0 < c < len(text)})
        bounds = [0, *cuts, len(text)]
        spans += [(start + a, start + b) for a, b in zip(bounds, bounds[1:]) if line[start + a:start + b].strip()]
    return spans
