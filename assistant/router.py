"""The decision order of the offline answerer.

chit-chat and non-policy tasks → search → scope (a place, period or year the documents don't
cover) → document facts → stored Q/A → table lists → table figures / text figures → extractive
policy answer → refusal when the passages don't cover the question.
"""
from __future__ import annotations

import re
from typing import Any

from assistant import intent as cues
from assistant.answers.base import Query
from assistant.answers.config import AnswerConfig
from assistant.answers.document_facts import DocumentFacts
from assistant.answers.extractive import Extractive
from assistant.answers.faq import FaqAnswers
from assistant.answers.library import Library
from assistant.answers.lists import TableLists
from assistant.answers.lookup import Lookup, look_up
from assistant.answers.met import UnmetList
from assistant.answers.refusal import Scope, answer_said, referral, refuse
from assistant.answers.schema import wanted_columns
from assistant.answers.text_figures import TextFigures
from assistant.answers.values import TableValues
from assistant.citations import citation
from assistant.followup import merge_followup, previous_state
from assistant.topic import clarify_text, names_topic
from core.profile import Profile
from core.quantities import format_value
from core.types import Answer, Hit
from index.store import Records
from retriever.protocol import Retriever

_UNMET = re.compile(r"没有?完成|未完成|没达到|未达到")
_IN_RANGE = re.compile(r"(\d{4})\s*[-–~至到]\s*(\d{4})")


class Answerer:
    def __init__(self, records: Records, retriever: Retriever, profile: Profile, config: AnswerConfig | None = None):
        self.records, self.retriever, self.profile = records, retriever, profile
        self.cfg = config or AnswerConfig()
        self.lib = Library(records, profile)
        self.scope = Scope(self.lib)
        self.facts = DocumentFacts(self.lib)
        self.unmet = UnmetList(self.lib)
        self.lists = TableLists(self.lib, self.cfg)
        self.values = TableValues(self.lib, self.cfg)
        self.text_figures = TextFigures(self.lib)
        self.extractive = Extractive(self.lib, retriever, self.cfg)
        self.faq = FaqAnswers(self.lib, self.extractive, self.cfg)

    def _greeting(self) -> str:
        p = self.profile
        return (f"您好！我是{p.assistant_name}，可以根据已收录的政策文件回答{p.topics}等问题，并给出出处。"
                f"具体业务办理请咨询{p.hotline_label}。")

    def _query(self, question: str, history: list[Any]) -> Query | Answer:
        plan = self.retriever.plan(question)
        q = plan.normalized.strip()
        if not q:
            return Answer(text=f"请输入您的问题。{self.profile.hotline_label}", citations=[], grounded=False,
                          kind="refusal", question=question)
        intent = cues.read_intent(q, plan.periods, plan.years)
        if intent.chitchat:
            return Answer(text=self._greeting(), citations=[], grounded=False, kind="chitchat", question=question)
        if intent.task:
            return refuse(self.lib, question, q, f"我只能回答{self.profile.domain}政策方面的问题，不能代写、翻译或编程", [])
        if not history:
            self.retriever.prefetch(q)  # a first turn is searched as asked: its embedding overlaps what follows
        prev = previous_state(history)
        if not prev and not names_topic(q, self.retriever.terms.weights):
            return Answer(text=clarify_text(self.profile.hotline_label), citations=[], grounded=False, kind="clarify",
                          question=question, meta={"followup": {"question": q, "kind": "clarify"}})
        resolved = q
        if prev and (intent.followup or not self.lib.mentions_indicator(plan.text, self.cfg.mention_floor)):
            resolved = merge_followup(q, prev, self.scope.places, own_ask=bool(intent.asks or intent.quantity))
        rplan = self.retriever.plan(resolved) if resolved != q else plan
        if prev and prev.get("kind") == "document" and not intent.doc_fact:
            # "什么时候发的？" after a question about the document is about the document too.
            intent.doc_fact = cues.read_intent(resolved, rplan.periods, rplan.years).doc_fact
        return Query(question=question, resolved=resolved, plan=rplan, current=plan.text, intent=intent,
                     prev=prev or {})

    def answer(self, question: str, history: list[Any] | None = None) -> Answer:
        q = self._query(question, history or [])
        if isinstance(q, Answer):
            return q
        # The question itself, not q.text: the retriever expands it again and weighs its own words above the
        # thesaurus's expansions.
        hits = self.scope.within_named(q.resolved, self.retriever.search(q.resolved, k=max(self.cfg.search_k,
                                                                                           self.cfg.row_k)))
        top, rows = hits[: self.cfg.search_k], hits
        reason = self.scope.out_of_scope(q.resolved, q.plan.years, q.plan.periods, top)
        if reason:
            return refuse(self.lib, question, q.resolved, reason, [])
        if q.intent.offtopic and not self.lib.mentions_indicator(q.current, self.cfg.mention_floor):
            return refuse(self.lib, question, q.resolved, "这个问题不在政策文件的范围内", [])
        doc_id = top[0].chunk.doc_id if top else next(iter(self.records.documents), "")
        ans = self._structured(q, top, rows, doc_id) or self.extractive.run(q, top)
        if ans.grounded:
            reason = referral(self.profile, q.current, answer_said(ans))
            if reason:
                return self._done(refuse(self.lib, question, q.resolved, reason, []), q, top)
        return self._done(ans, q, top)

    def _structured(self, q: Query, top: list[Hit], rows: list[Hit], doc_id: str) -> Answer | None:
        """Answers read from records rather than passages: document facts, lists, table and text figures."""
        if q.intent.doc_fact and doc_id:
            ans = self.facts.run(q.question if q.resolved == q.question else q.resolved, doc_id)
            if ans:
                return ans
        ans = self.faq.run(q, top)
        if ans:
            return ans
        text = q.text
        if q.intent.unmet_list or (q.intent.listing and _UNMET.search(text)):
            ans = self.unmet.run(q, doc_id)
            if ans:
                return ans
        if q.intent.listing:
            ans = self.lists.run(text, doc_id)
            if ans:
                return ans
        return self._figures(q, look_up(q, rows, self.lib, doc_id, self.cfg))

    def _figures(self, q: Query, found: Lookup) -> Answer | None:
        cfg, intent = self.cfg, q.intent
        computed = intent.diff or intent.met or intent.attribute
        text_ok = bool(found.figures) and found.best_figure >= cfg.figure_strong and intent.quantity
        if text_ok and found.best_figure > found.score + cfg.figure_margin and not computed:
            return self.text_figures.run(found.figures, found.asks)
        if not found.indicators:
            return self.text_figures.run(found.figures, found.asks) if text_ok else None
        if not found.asks_figure and not q.prev_indicators and found.score < cfg.indicator_alone:
            return None
        schema = self.lib.schema(found.doc_id)
        in_range = {int(y) for pair in _IN_RANGE.findall(q.question) for y in pair}
        odd = [y for y in q.plan.years if y not in schema.years and y not in in_range]
        if odd and schema.years:
            return self._no_year(found, odd[0])
        cols = wanted_columns(q.resolved if q.prev_indicators else q.question, intent, schema) or q.prev_columns
        cols = cols or [c for c in (schema.target,) if c]
        has = any(c in j.values for ind in found.indicators for j in self.lib.cluster(ind) for c in cols)
        if not has and not (intent.met or intent.rate or intent.diff):
            # The table doesn't hold what is asked; a sentence in the text may.
            return self.text_figures.run(found.figures, found.asks) if text_ok else None
        return self.values.run(q, found, cols)

    def _no_year(self, found: Lookup, year: int) -> Answer:
        """A year the tables don't give: say what they do give, and where to ask."""
        ind = found.indicators[0]
        schema = self.lib.schema(found.doc_id)
        have = "、".join(f"{k}{format_value(v)}" for k, v in ind.values.items() if not schema.is_attribute(k))
        text = (f"抱歉，规划中没有{year}年的{ind.name}数据，只给出了{have}。[1]"
                f"如需{year}年的实际数字，请咨询{self.profile.hotline_label}。")
        return Answer(text=text, citations=[citation(1, self.lib.row_chunk[ind.id], score=1.0)], grounded=False,
                      kind="refusal", meta={"followup": {"kind": "figure", "indicators": [ind.id], "columns": []}})

    @staticmethod
    def _done(ans: Answer, q: Query, hits: list[Hit]) -> Answer:
        ans.question = q.question
        ans.resolved_question = q.resolved
        ans.hits = hits
        ans.meta.setdefault("followup", {})["question"] = q.resolved
        return ans
