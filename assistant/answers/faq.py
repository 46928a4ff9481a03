"""Answers from stored Q/A records (FAQ pages, the hotline's spreadsheets): the stored answer,
trimmed to the part asked, when a stored question matches the citizen's."""
from __future__ import annotations

from assistant.answers.base import Query
from assistant.answers.config import AnswerConfig
from assistant.answers.extractive import Extractive
from assistant.answers.library import Library
from assistant.answers.passages import score_sentences
from assistant.citations import citation
from assistant.facts import content
from core.text import bigrams
from core.types import Answer, Hit


def question_match(asked: str, stored: str) -> float:
    """How well a stored question matches the asked one: bigram Dice blended with coverage of the stored one."""
    a, b = bigrams(content(asked)), bigrams(content(stored))
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return 0.5 * (2 * shared / (len(a) + len(b))) + 0.5 * shared / len(b)


class FaqAnswers:
    def __init__(self, lib: Library, extractive: Extractive, cfg: AnswerConfig):
        self.lib, self.extractive, self.cfg = lib, extractive, cfg
        self.qas = getattr(lib.records, "qas", {}) or {}
        self._qa_chunks = lib.chunks.by_ref("qa")  # Q/A id -> its chunks' indexes, decoded when answered

    def run(self, q: Query, hits: list[Hit]) -> Answer | None:
        best: tuple[float, str] | None = None
        for h in hits[: self.cfg.faq_rank]:
            qa = self.qas.get(h.chunk.ref) if h.chunk.kind == "qa" else None
            if qa is None:
                continue
            score = max(question_match(q.question, qa.question), question_match(q.resolved, qa.question))
            if score >= self.cfg.faq_match and (best is None or score > best[0]):
                best = (score, qa.id)
        if best is None:
            return None
        qa = self.qas[best[1]]
        own = [Hit(chunk=self.lib.chunks[i], score=1.0) for i in self._qa_chunks.get(best[1], [])]
        if own and len(qa.answer) <= self.cfg.faq_whole:
            # A short stored answer is the answer: all of it, cited.
            chunk = own[0].chunk
            text = f"{self.lib.lead(chunk.doc_id)}{qa.answer.strip()}[1]"
            return Answer(text=text, citations=[citation(1, chunk, score=1.0)], grounded=True, kind="faq",
                          question=q.question, resolved_question=q.resolved, hits=hits,
                          meta={"faq_match": round(best[0], 3), "followup": {"question": q.resolved, "kind": "faq"}})
        terms = self.extractive.retriever.terms.weights(q.plan.text if q.plan.expansions else q.resolved)
        ranked = score_sentences(own, terms, q.resolved, q.intent.quantity, self.cfg)
        if not ranked:
            return None
        return self.extractive.compose(q, hits, ranked, terms, kind="faq", meta={"faq_match": round(best[0], 3)})
