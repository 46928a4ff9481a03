"""Extractive answers: the best sentences of the top passages, each cited, plus the refusal text."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from core.types import Chunk, Citation, Hit

HOTLINE = "12333"
_SENT = re.compile(r"(?<=[。！？；])|\n")
_NUM = re.compile(r"\d")
_MARKER = re.compile(r"^[①-⑳]")


@dataclass
class Sentence:
    text: str
    hit: Hit
    rank: int
    score: float = 0.0


def citation(n: int, chunk: Chunk, text: str | None = None, score: float = 0.0) -> Citation:
    return Citation(n=n, chunk_id=chunk.id, doc_id=chunk.doc_id, document=chunk.doc_title, section=chunk.section,
                    text=text if text is not None else chunk.text, start=chunk.start, end=chunk.end,
                    score=round(score, 4))


def split_sentences(chunk: Chunk) -> list[str]:
    if chunk.kind in ("table_row", "meta"):
        return [chunk.text]
    if chunk.kind == "table_overview":
        return [line for line in chunk.text.split("\n")[1:] if line.strip()]
    parts = [s.strip() for s in _SENT.split(chunk.text)]
    return [_MARKER.sub("", s).strip() for s in parts if len(s.strip()) >= 6]


def score_sentences(hits: list[Hit], terms: dict[str, float], want_number: bool) -> list[Sentence]:
    """Score each sentence by the weight of the query terms it contains, favouring better-ranked passages."""
    out: list[Sentence] = []
    for rank, hit in enumerate(hits):
        for text in split_sentences(hit.chunk):
            covered = sum(w for t, w in terms.items() if t in text)
            if covered <= 0:
                continue
            s = covered / math.sqrt(max(len(text), 20) / 20) + 0.15 / (rank + 1)
            if want_number and _NUM.search(text):
                s *= 1.3
            out.append(Sentence(text, hit, rank, s))
    out.sort(key=lambda s: -s.score)
    return out


def pick(sentences: list[Sentence], limit: int = 4) -> list[Sentence]:
    """The best sentences, skipping near-duplicates and weak tails."""
    chosen: list[Sentence] = []
    for s in sentences:
        if len(chosen) >= limit:
            break
        if chosen and s.score < 0.35 * chosen[0].score:
            break
        if any(_overlap(s.text, c.text) > 0.6 for c in chosen):
            continue
        chosen.append(s)
    return chosen


def _overlap(a: str, b: str) -> float:
    ga = {a[i:i + 2] for i in range(len(a) - 1)}
    gb = {b[i:i + 2] for i in range(len(b) - 1)}
    return len(ga & gb) / max(1, min(len(ga), len(gb)))


def compose_points(lead: str, chosen: list[Sentence]) -> tuple[str, list[Citation]]:
    """A lead sentence and numbered points, each ending in its citation marker."""
    cites: list[Citation] = []
    by_chunk: dict[str, int] = {}
    lines = [lead]
    for i, s in enumerate(chosen, start=1):
        n = by_chunk.get(s.hit.chunk.id)
        if n is None:
            n = len(cites) + 1
            by_chunk[s.hit.chunk.id] = n
            cites.append(citation(n, s.hit.chunk, score=s.hit.score))
        text = s.text.rstrip("；;，,")
        if not text.endswith(("。", "！", "？")):
            text += "。"
        lines.append(f"{i}. {text}[{n}]" if len(chosen) > 1 else f"{text}[{n}]")
    return "\n".join(lines), cites


def refusal_text(reason: str, related: list[Hit]) -> str:
    text = f"抱歉，{reason}"
    if not text.endswith("。"):
        text += "。"
    if related:
        sections = []
        for h in related[:2]:
            if h.chunk.section not in sections:
                sections.append(h.chunk.section)
        text += "文件中相关的内容见：" + "；".join(f"《{related[0].chunk.doc_title}》{s}" for s in sections) + "。"
    text += f"具体政策请咨询{HOTLINE}人社服务热线。"
    return text
