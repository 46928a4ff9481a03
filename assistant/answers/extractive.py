"""Extractive answers: the best sentences of the top passages, each cited."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from assistant.answers.base import Query
from assistant.answers.config import AnswerConfig
from assistant.answers.library import Library
from assistant.answers.refusal import refuse
from assistant.answers.units import answers_detail, states_asked_number
from assistant.citations import CiteBook
from core.text import split_sentences
from core.types import Answer, Chunk, Hit
from retriever.protocol import Retriever

_NUM = re.compile(r"\d")
_MARKER = re.compile(r"^[①-⑳]")
NOT_FOUND = "已收录的文件中没有找到能回答这个问题的内容"


@dataclass
class Sentence:
    text: str
    hit: Hit
    rank: int
    score: float = 0.0


def chunk_sentences(chunk: Chunk) -> list[str]:
    if chunk.kind in ("table_row", "meta"):
        return [chunk.text]
    if chunk.kind == "table_overview":
        return [line for line in chunk.text.split("\n")[1:] if line.strip()]
    return [_MARKER.sub("", s).strip() for s in split_sentences(chunk.text, min_chars=6)]


def score_sentences(hits: list[Hit], terms: dict[str, float], want_number: bool) -> list[Sentence]:
    """Score each sentence by the weight of the query terms it contains, favouring better-ranked passages."""
    out: list[Sentence] = []
    for rank, hit in enumerate(hits):
        for text in chunk_sentences(hit.chunk):
            covered = sum(w for t, w in terms.items() if t in text)
            if covered <= 0:
                continue
            s = covered / math.sqrt(max(len(text), 20) / 20) + 0.15 / (rank + 1)
            if want_number and _NUM.search(text):
                s *= 1.3
            out.append(Sentence(text, hit, rank, s))
    out.sort(key=lambda s: -s.score)
    return out


def _overlap(a: str, b: str) -> float:
    ga = {a[i:i + 2] for i in range(len(a) - 1)}
    gb = {b[i:i + 2] for i in range(len(b) - 1)}
    return len(ga & gb) / max(1, min(len(ga), len(gb)))


def pick(sentences: list[Sentence], limit: int = 4) -> list[Sentence]:
    """The best sentences, skipping near-duplicates and weak tails."""
    chosen: list[Sentence] = []
    for s in sentences:
        if len(chosen) >= limit or (chosen and s.score < 0.35 * chosen[0].score):
            break
        if not any(_overlap(s.text, c.text) > 0.6 for c in chosen):
            chosen.append(s)
    return chosen


def compose_points(lead: str, chosen: list[Sentence]) -> tuple[str, CiteBook]:
    """A lead sentence and numbered points, each ending in its citation marker."""
    book = CiteBook()
    lines = [lead]
    for i, s in enumerate(chosen, start=1):
        n = book.add(s.hit.chunk, score=s.hit.score)
        text = s.text.rstrip("；;，,")
        if not text.endswith(("。", "！", "？")):
            text += "。"
        lines.append(f"{i}. {text}[{n}]" if len(chosen) > 1 else f"{text}[{n}]")
    return "\n".join(lines), book


class Extractive:
    def __init__(self, lib: Library, retriever: Retriever, cfg: AnswerConfig):
        self.lib, self.retriever, self.cfg = lib, retriever, cfg

    def run(self, q: Query, hits: list[Hit]) -> Answer:
        tw = self.retriever.terms
        terms = tw.weights(q.plan.text if q.plan.expansions else q.resolved)
        top = [h for h in hits if h.chunk.kind != "meta"][:6]
        coverage = tw.coverage(tw.weights(q.resolved), [h.chunk.text + h.chunk.section for h in top])
        if not top or coverage < self.cfg.coverage_floor:
            return refuse(self.lib, q.question, q.resolved, NOT_FOUND, top if coverage > self.cfg.related_floor else [])
        chosen = pick(score_sentences(top, terms, q.intent.quantity), limit=self.cfg.max_points)
        if not chosen:
            return refuse(self.lib, q.question, q.resolved, NOT_FOUND, top)
        if not any(answers_detail(q.resolved, s.text) for s in chosen):
            return refuse(self.lib, q.question, q.resolved, "文件中没有这个问题所问的具体规定", top)
        if q.intent.quantity and not states_asked_number(q.resolved, [s.text for s in chosen[:2]]):
            return refuse(self.lib, q.question, q.resolved, "文件中没有给出这个问题所问的具体数字", top)
        title = top[0].chunk.doc_title
        lead = f"根据《{title}》，相关内容如下：" if len(chosen) > 1 else f"根据《{title}》："
        text, book = compose_points(lead, chosen)
        return Answer(text=text, citations=book.items, grounded=True, kind="policy", question=q.question,
                      resolved_question=q.resolved, hits=hits,
                      meta={"coverage": round(coverage, 3), "followup": {"question": q.resolved, "kind": "policy"}})
