"""Questions and answers: FAQ pages (常见问题) and a hotline's Q&A spreadsheets.

An FAQ is read linearly: every question starts a record whose answer runs to the next question.
A question is a line written as one ("问：…", "Q1：…"), a line ending in "？" that is answered
("答：…" next) or numbered like its neighbours, or, in a document whose title says it is an FAQ,
a top-level heading. Spreadsheets are rendered as "问：/答：" text first, so both kinds of file
share this parser and every record points into its document's text.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from core.types import QA, Section, content_id
from ingest.decode import decode
from ingest.errors import IngestError

_Q_PREFIX = re.compile(r"^(?:问|提问|Q\d{0,3}|问题\s*\d{0,3})\s*[：:.、]\s*")
_A_PREFIX = re.compile(r"^(?:答|回答|答复|解答|A\d{0,3})\s*[：:.、]\s*")
_NUMBERED = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d{1,2}[.．、](?!\d)|第[一二三四五六七八九十\d]+问)\s*")
_INLINE_ANSWER = re.compile(r"[？?]\s*(?=(?:答|回答|答复)[：:])")
_SOURCE = re.compile(r"^(?:来源|依据|政策依据|出处)\s*[：:]\s*")
_CATEGORY = re.compile(r"^(?:分类|类别)\s*[：:]\s*")
_STOP = re.compile(r"^(?:公开方式|责任编辑|附件|扫一扫|相关附件)\s*[：:]?")
FAQ_TITLE = re.compile(r"问答|常见问题|问题解答|答疑|热点问题|百问|FAQ", re.I)
_MAX_QUESTION = 150

QUESTION_HEADERS = ("问题", "提问", "问", "question", "q")
ANSWER_HEADERS = ("答案", "回答", "答复", "解答", "答", "answer", "a")
CATEGORY_HEADERS = ("分类", "类别", "类型", "主题", "category")
SOURCE_HEADERS = ("来源", "依据", "政策依据", "出处", "source")


@dataclass
class _Line:
    text: str
    start: int
    end: int


def _lines(text: str) -> list[_Line]:
    out, pos = [], 0
    for raw in text.split("\n"):
        if raw.strip():
            lead = len(raw) - len(raw.lstrip())
            out.append(_Line(raw.strip(), pos + lead, pos + len(raw.rstrip())))
        pos += len(raw) + 1
    return out


def _question(line: str, next_line: str, heading: bool, faq: bool) -> tuple[str, bool] | None:
    """(question text, sure) when ``line`` asks one; ``sure`` is False for a numbered '？' line alone."""
    if m := _Q_PREFIX.match(line):
        return line[m.end():], True
    if len(line) > _MAX_QUESTION:
        return None
    body = _NUMBERED.sub("", line)
    if _A_PREFIX.match(next_line) and line.endswith(("？", "?")) or faq and heading and not line.endswith(("。", "；")):
        return body, True
    if line.endswith(("？", "?")) and _NUMBERED.match(line):
        return body, False
    return None


def _split_inline(lines: list[_Line]) -> list[_Line]:
    """'一、…？答：…' on one line becomes the question line and the answer line."""
    out = []
    for ln in lines:
        m = _INLINE_ANSWER.search(ln.text)
        if m and m.start() < _MAX_QUESTION:
            cut = m.end()
            out += [_Line(ln.text[:cut], ln.start, ln.start + cut), _Line(ln.text[cut:], ln.start + cut, ln.end)]
        else:
            out.append(ln)
    return out


def _section_at(sections: list[Section], pos: int) -> Section | None:
    inside = [s for s in sections if s.start <= pos < s.end and s.kind != "box"]
    return max(inside, key=lambda s: (s.level, s.start), default=None)


def find_qas(doc_id: str, text: str, sections: list[Section], title: str = "") -> list[QA]:
    """Q/A records of a cleaned text (an empty list for a document that asks nothing)."""
    faq = bool(FAQ_TITLE.search(title))
    heading_starts = {s.start for s in sections if s.kind == "heading" and s.level == 1}
    lines = _split_inline(_lines(text))
    starts: list[tuple[int, str, bool]] = []
    for i, ln in enumerate(lines):
        nxt = lines[i + 1].text if i + 1 < len(lines) else ""
        if q := _question(ln.text, nxt, ln.start in heading_starts, faq):
            starts.append((i, *q))
    unsure = sum(1 for s in starts if not s[2])
    if unsure < 2 and unsure == len(starts):  # a numbered '？' line alone is a question only among others
        starts = []
    return [qa for k, (i, question, _) in enumerate(starts)
            if (qa := _record(doc_id, lines, i, starts[k + 1][0] if k + 1 < len(starts) else len(lines),
                              question, sections)) is not None]


def _record(doc_id: str, lines: list[_Line], i: int, stop: int, question: str,
            sections: list[Section]) -> QA | None:
    answer: list[str] = []
    source, category, end = "", "", lines[i].end
    if i > 0 and (m := _CATEGORY.match(lines[i - 1].text)):
        category = lines[i - 1].text[m.end():]
    for ln in lines[i + 1:stop]:
        if _STOP.match(ln.text) or (answer and _CATEGORY.match(ln.text)):
            break
        if m := _SOURCE.match(ln.text):
            source = ln.text[m.end():]
        else:
            answer.append(_A_PREFIX.sub("", ln.text) if not answer else ln.text)
        end = ln.end
    if not answer or not question.strip():
        return None
    sec = _section_at(sections, lines[i].start)
    path = list(sec.path) if sec else []
    if path and question in path[-1]:
        path = path[:-1]
    if not category and path and path[-1] not in ("前言", "版记"):
        category = re.sub(r"^\S*?[、）)]\s*", "", path[-1])
    text = "\n".join(answer)
    return QA(id=content_id(doc_id, "qa", lines[i].start, question), doc_id=doc_id, question=question.strip(),
              answer=text, category=category, source=source, section_path=path + [question.strip()],
              start=lines[i].start, end=end)


# ---------------------------------------------------------------------------------------- spreadsheets


@dataclass
class SheetText:
    text: str  # "分类：/问：/答：/来源：" blocks, one per row, for find_qas
    warnings: tuple[str, ...]


def _column(header: list[str], words: tuple[str, ...]) -> int | None:
    names = [h.strip().lower() for h in header]
    for word in words:  # exact names first, then names containing a word ("常见问题", "答复内容")
        if word in names:
            return names.index(word)
    for i, name in enumerate(names):
        if any(len(w) > 1 and w in name for w in words):
            return i
    return None


def _rows(path: Path, data: bytes) -> list[tuple[str, list[list[str]]]]:
    """(sheet name, rows of cell texts) for each sheet; a CSV is one sheet."""
    if path.suffix.lower() == ".csv":
        if (text := decode(data)) is None:
            raise IngestError(path, "is not UTF-8 or GBK text; save the CSV as UTF-8")
        return [("", [list(r) for r in csv.reader(io.StringIO(text))])]
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return [(ws.title, [["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)])
                for ws in book.worksheets]
    finally:
        book.close()


def _sheet_blocks(name: str, rows: list[list[str]], label: str) -> tuple[list[str], list[str]] | None:
    first = next((n for n, r in enumerate(rows) if any(c.strip() for c in r)), None)
    if first is None:
        return [], []
    header = rows[first]
    q, a = _column(header, QUESTION_HEADERS), _column(header, ANSWER_HEADERS)
    if q is None or a is None or q == a:
        return None
    cat, src = _column(header, CATEGORY_HEADERS), _column(header, SOURCE_HEADERS)
    blocks, warnings = [], []
    for n, row in enumerate(rows[first + 1:], start=first + 2):
        cell = lambda k: re.sub(r"\s*\n\s*", "\n", row[k]).strip() if k is not None and k < len(row) else ""  # noqa: E731
        question, answer = cell(q).replace("\n", " "), cell(a)
        if not question and not answer:
            continue
        if not question or not answer:
            warnings.append(f"{label}row {n}: {'no question' if not question else 'no answer'}; row skipped")
            continue
        head = f"分类：{cell(cat) or name}\n" if (cell(cat) or name) else ""
        tail = f"\n来源：{cell(src)}" if cell(src) else ""
        blocks.append(f"{head}问：{question}\n答：{answer}{tail}")
    return blocks, warnings


def spreadsheet_text(path: Path, data: bytes) -> SheetText:
    """A Q&A table (.csv or .xlsx) as text; rows without a question or an answer are named and skipped."""
    sheets = _rows(path, data)
    blocks, warnings, found = [], [], False
    for name, rows in sheets:
        label = f"sheet {name!r} " if len(sheets) > 1 else ""
        result = _sheet_blocks(name if len(sheets) > 1 else "", rows, label)
        if result is None:
            continue
        found = True
        blocks += result[0]
        warnings += [f"{path}: {w}" for w in result[1]]
    if not found:
        raise IngestError(path, "has no question and answer columns; name them in the first row, "
                                "e.g. 问题,答案 (optional: 分类, 来源)")
    return SheetText("\n\n".join(blocks), tuple(warnings))
