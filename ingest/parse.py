"""Structure of a cleaned document: the heading tree, 专栏 boxes, tables and paragraphs.

Numbering styles (一、 /（一）/ 1. / 3、 /（1）/ 第X章 / 第X条) get their depth from the
order in which they first appear, as a reader infers it. Inside an indicator table,
rows such as "一、就业" are group labels, not sections.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.types import Section, content_id
from core.text import CJK
from ingest.tables import TableLine

_HEADINGS: list[tuple[str, re.Pattern[str]]] = [
    ("chapter", re.compile(r"^(第[一二三四五六七八九十百零〇\d]+(?:章|部分|篇))\s*(.*)$")),
    ("jie", re.compile(r"^(第[一二三四五六七八九十百零〇\d]+节)\s*(.*)$")),
    ("article", re.compile(r"^(第[一二三四五六七八九十百零〇\d]+条)\s*(.*)$")),
    ("cn", re.compile(r"^([一二三四五六七八九十百]+、)\s*(.+)$")),
    ("paren_cn", re.compile(r"^([（(][一二三四五六七八九十百]+[）)])\s*(.+)$")),
    ("arabic", re.compile(r"^(\d{1,2}[.．、])(?!\d)\s*(.+)$")),
    ("paren_arabic", re.compile(r"^([（(]\d{1,2}[）)])\s*(.+)$")),
]
_BOX = re.compile(r"^专栏\s*(\d+)\s*(.*)$")
_BOX_ITEM = re.compile(rf"^(?:[-*]\s*)?(?:\|\s*)?(\d{{2}})(?:\s*\|)?(?:\s+|(?=[{CJK}“《])|$)(.*)$")
_PIPE_JUNK = re.compile(r"^[-|:\s]*$")
_COLOPHON = re.compile(r"(印发$|^(责任科室|校对人|抄送|主题词|联系人|联系电话))")
_MAX_HEADING = 40


@dataclass
class Heading:
    style: str
    number: str
    title: str
    body: str = ""  # text on the same line after 第X条


@dataclass
class Block:
    """A unit of content that chunking turns into passages."""

    kind: str  # paragraph | table | box_item
    section_path: list[str]
    start: int
    end: int
    text: str
    lines: list[TableLine] = field(default_factory=list)  # table lines, header first
    meta: dict[str, str] = field(default_factory=dict)


@dataclass
class Structure:
    sections: list[Section]
    blocks: list[Block]


def heading_of(line: str) -> Heading | None:
    s = line.strip()
    if "\t" in s:
        return None
    for style, pattern in _HEADINGS:
        m = pattern.match(s)
        if not m:
            continue
        number, rest = m.group(1), m.group(2).strip()
        if style == "article":
            return Heading(style, number, "", body=rest)
        if not rest or len(rest) > _MAX_HEADING or rest.endswith(("。", "；", ";", "，")):
            return None
        return Heading(style, number, rest)
    return None


def _label(h: Heading) -> str:
    sep = " " if h.style in ("arabic", "chapter", "jie") and not h.number.endswith("、") else ""
    return f"{h.number}{sep}{h.title}".strip()


def _lines(text: str) -> list[TableLine]:
    out, pos = [], 0
    for line in text.split("\n"):
        out.append(TableLine(line, pos, pos + len(line)))
        pos += len(line) + 1
    return out


def _box_item_title(rest: str) -> tuple[str, str]:
    """Split "全民参保登记项目。实施全民参保登记……" into title and body."""
    rest = rest.strip().strip("|").strip()
    m = re.match(r"^(.{2,30}?)[。；：]", rest)
    if m and len(rest) > len(m.group(0)):
        return m.group(1), rest[len(m.group(0)):].strip()
    if len(rest) <= 30:
        return rest.rstrip("。"), ""
    m = re.match(r"^(.{2,30}?)[，,]", rest)
    return (m.group(1) if m else rest[:20]), rest


class _Parser:
    def __init__(self, doc_id: str, text: str):
        self.doc_id = doc_id
        self.text = text
        self.lines = _lines(text)
        self.sections: list[Section] = []
        self.blocks: list[Block] = []
        self.ranks: dict[str, int] = {}  # numbering style -> depth, by first appearance
        self.styles: dict[str, str] = {}  # section id -> its numbering style
        self.stack: list[Section] = []
        self.preamble: Section | None = None
        self.tables = 0  # tables outside 专栏 boxes, numbered 表1, 表2, …

    def path(self) -> list[str]:
        if self.stack:
            return list(self.stack[-1].path)
        if self.preamble is None:
            self.preamble = self._open("preamble", 1, "", "前言", ["前言"], self.lines[0].start if self.lines else 0)
        return ["前言"]

    def _open(self, kind: str, level: int, number: str, title: str, path: list[str], start: int) -> Section:
        sec = Section(
            id=content_id(self.doc_id, kind, start, "/".join(path)),
            doc_id=self.doc_id, level=level, number=number, title=title, path=path,
            start=start, end=len(self.text), kind=kind,
        )
        self.sections.append(sec)
        return sec

    def heading(self, h: Heading, line: TableLine) -> None:
        rank = self.ranks.setdefault(h.style, len(self.ranks))
        while self.stack and self.ranks.get(self.styles.get(self.stack[-1].id, ""), -1) >= rank:
            self.stack.pop()
        parent = list(self.stack[-1].path) if self.stack else []
        title = h.title or h.number
        sec = self._open("heading", len(self.stack) + 1, h.number, title, parent + [_label(h)], line.start)
        self.styles[sec.id] = h.style
        self.stack.append(sec)
        if h.body:
            start = line.start + line.text.index(h.body)
            self.blocks.append(Block("paragraph", sec.path, start, start + len(h.body), h.body))

    def box(self, i: int, number: str, caption: str) -> int:
        """Parse a 专栏 starting at line i; return the index of the first line after it."""
        top = self.stack[:1]
        box_path = (list(top[0].path) if top else self.path()) + [f"专栏{number} {caption}".strip()]
        start = self.lines[i].start
        box = self._open("box", len(box_path), f"专栏{number}", caption, box_path, start)
        j = i + 1
        while j < len(self.lines) and not self.lines[j].text.strip():
            j += 1
        if j < len(self.lines) and "\t" in self.lines[j].text:
            rows = []
            while j < len(self.lines) and "\t" in self.lines[j].text:
                rows.append(self.lines[j])
                j += 1
            self.blocks.append(Block("table", box_path, rows[0].start, rows[-1].end, "\n".join(r.text for r in rows),
                                     lines=rows, meta={"table_id": f"专栏{number}", "caption": caption}))
            box.end = rows[-1].end
            return j
        item: Block | None = None
        while j < len(self.lines):
            line = self.lines[j]
            s = line.text.strip()
            if s and (heading_of(s) or _BOX.match(s) or _COLOPHON.search(s)):
                break
            m = _BOX_ITEM.match(s)
            if m and not _PIPE_JUNK.match(s):
                title, body = _box_item_title(m.group(2))
                item = Block("box_item", box_path + [f"{m.group(1)} {title}".strip()], line.start, line.end,
                             body, meta={"number": m.group(1), "title": title})
                self.blocks.append(item)
            elif s and not _PIPE_JUNK.match(s):
                body = s.strip("|").strip()
                if item is None:
                    item = Block("box_item", box_path, line.start, line.end, "", meta={"number": "", "title": ""})
                    self.blocks.append(item)
                item.text = f"{item.text}\n{body}".strip() if item.text else body
                item.end = line.end
            j += 1
        box.end = self.lines[j - 1].end if j > i else start
        return j

    def table(self, i: int) -> int:
        """A table outside any 专栏 (a web page's or a Word file's): its rows become indicator records too."""
        rows = []
        while i < len(self.lines) and "\t" in self.lines[i].text:
            rows.append(self.lines[i])
            i += 1
        previous = self.blocks[-1] if self.blocks else None
        caption = previous.text if previous and previous.kind == "paragraph" and len(previous.text) <= 40 else ""
        self.tables += 1
        self.blocks.append(Block("table", self.path(), rows[0].start, rows[-1].end, "\n".join(r.text for r in rows),
                                 lines=rows, meta={"table_id": f"表{self.tables}", "caption": caption}))
        return i

    def run(self) -> Structure:
        i = 0
        colophon = False
        while i < len(self.lines):
            line = self.lines[i]
            s = line.text.strip()
            if not s:
                i += 1
                continue
            if not colophon and _COLOPHON.search(s) and i >= len(self.lines) - 8:
                colophon = True
                self.stack = [self._open("colophon", 1, "", "版记", ["版记"], line.start)]
            if not colophon:
                m = _BOX.match(s)
                if m:
                    saved = list(self.stack)
                    i = self.box(i, m.group(1), m.group(2).strip())
                    self.stack = saved
                    continue
                h = heading_of(s)
                if h:
                    self.heading(h, line)
                    i += 1
                    continue
                if "\t" in s:
                    i = self.table(i)
                    continue
            self.blocks.append(Block("paragraph", self.path(), line.start, line.end, s))
            i += 1
        self._close()
        return Structure(self.sections, self.blocks)

    def _close(self) -> None:
        """A section ends where the next one at the same or a higher level begins."""
        ordered = sorted(self.sections, key=lambda s: s.start)
        for k, sec in enumerate(ordered):
            if sec.kind == "box":
                continue
            for nxt in ordered[k + 1:]:
                if nxt.kind != "box" and nxt.level <= sec.level:
                    sec.end = nxt.start
                    break


def parse_structure(doc_id: str, text: str) -> Structure:
    return _Parser(doc_id, text).run()


def top_level_sections(sections: list[Section]) -> list[Section]:
    return [s for s in sections if s.kind == "heading" and s.level == 1]
