"""Figures stated in running text: "发放创业担保贷款 21 亿元，扶持 1.2 万人创业"."""
from __future__ import annotations

import re

from core.quantities import PERIOD_END, UNIT_PATTERN
from core.text import SENTENCE_BOUNDARY
from core.types import Figure, content_id
from ingest.parse import Block

_NUMBER = re.compile(
    r"(?P<cmp>不低于|不少于|不超过|超过|达到|达)?(?P<num>\d+(?:\.\d+)?)(?:万(?=万))?(?P<unit>" + UNIT_PATTERN.replace("|年", "") + r")"
    r"(?P<post>左右|以上|以内|以下)?"
)
_CLAUSE_SPLIT = re.compile(r"[，,；;：:]")
_YEAR = re.compile(r"(20\d{2})\s*年")
_LEAD_NOISE = re.compile(r"^(其中|力争|并|和|以及|同时|到20\d{2}年|“十[二三四]五”时期|十[二三四]五期间|在十[二三四]五期间)+")
_TRAIL_VERBS = re.compile(r"(达到|达|为|控制在|稳定在|提高到|提高至|增加到|超过|不低于|不少于|不超过|累计|累积)+$")


def _target_year(sentence: str, period_end: int | None) -> int | None:
    years = [int(y) for y in _YEAR.findall(sentence)]
    if years:
        return max(years)
    for word, year in PERIOD_END.items():
        if word in sentence:
            return year
    if period_end and re.search(r"未来五年|期末|规划期", sentence):
        return period_end
    return None


def _comparator(m: re.Match[str]) -> str | None:
    word = m.group("cmp") or ""
    post = m.group("post") or ""
    if word in ("不低于", "不少于") or post == "以上":
        return "≥"
    if word == "不超过" or post in ("以内", "以下"):
        return "≤"
    if word == "超过":
        return ">"
    if post == "左右":
        return "约"
    return None


def locate(text: str, needle: str, start: int) -> int:
    """Where ``needle`` sits in ``text`` at or after ``start`` (box bodies lose their pipes)."""
    i = text.find(needle[:24], start)
    return i if i >= 0 else start


def extract_figures(doc_id: str, text: str, blocks: list[Block], period_end: int | None = None) -> list[Figure]:
    """Numbers with units in paragraphs and box items, each with its clause and sentence."""
    figures: list[Figure] = []
    for block in blocks:
        if block.kind not in ("paragraph", "box_item"):
            continue
        cursor = block.start
        for sentence in SENTENCE_BOUNDARY.split(block.text):
            sentence = sentence.strip()
            if not sentence:
                continue
            sent_start = locate(text, sentence, cursor)
            cursor = sent_start + len(sentence)
            year = _target_year(sentence, period_end)
            cpos = 0
            for clause in _CLAUSE_SPLIT.split(sentence):
                clause_start = sent_start + cpos
                cpos += len(clause) + 1
                for m in _NUMBER.finditer(clause):
                    if _is_noise(clause, m):
                        continue
                    subject = _LEAD_NOISE.sub("", clause[: m.start()].strip())
                    subject = _TRAIL_VERBS.sub("", subject).strip("，, ")
                    if not subject:
                        subject = clause.replace(m.group(0), "").strip()
                    start = clause_start + m.start()
                    figures.append(Figure(
                        id=content_id(doc_id, "figure", start, m.group(0)),
                        doc_id=doc_id,
                        subject=subject,
                        clause=clause.strip(),
                        value=float(m.group("num")),
                        raw=m.group(0),
                        unit=m.group("unit"),
                        year=year,
                        sentence=sentence,
                        section_path=list(block.section_path),
                        start=start,
                        end=start + len(m.group(0)),
                        comparator=_comparator(m),
                    ))
    return figures


def _is_noise(clause: str, m: re.Match[str]) -> bool:
    """Item numbers, ordinal words and hotline numbers are not figures."""
    before = clause[: m.start()]
    if before.endswith(("第", "〔", "[")):
        return True
    return m.group("unit") == "个" and before.endswith(("一", "每"))
