"""Sentences of the top passages: scoring, picking, and cutting them to the part that answers.

Pure functions over hits and strings, so each rule is tested on hand-made passages.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant.answers.config import AnswerConfig
from assistant.answers.shape import answer_cues, holds_answer, is_byline, is_heading
from core.quantities import as_digits, conditioned_units, range_fit, stated_values
from core.text import bigrams, split_sentences
from core.types import Chunk, Hit

_NUM = re.compile(r"\d")
_MARKER = re.compile(r"^[①-⑳]\s*")
# A list item as written: （一） 1. 1、 ① 一、 (1)
ITEM = re.compile(r"^(（[一二三四五六七八九十\d]{1,3}）|\([一二三四五六七八九十\d]{1,3}\)|\d{1,2}[.、．)]|[①-⑳]|[一二三四五六七八九十]{1,3}、)")
# Clauses end at ， ； and ：, but not at the colon of a time ("10：00—15:00").
_CLAUSE = re.compile(r"(?<=[，,；;])|(?<=\D[：:])|(?<=\d[：:])(?!\d)")
_QA_PREFIX = re.compile(r"^(问[:：].*?\n)?答[:：]", re.S)


@dataclass
class Sentence:
    text: str
    hit: Hit
    rank: int  # rank of its passage
    pos: int  # index among its passage's sentences
    score: float = 0.0


def chunk_sentences(chunk: Chunk) -> list[str]:
    """The sentences a passage offers as answers (a table row or Q/A answer as it stands)."""
    if chunk.kind in ("table_row", "meta"):
        return [chunk.text]
    if chunk.kind == "table_overview":
        return [line for line in chunk.text.split("\n")[1:] if line.strip()]
    text = _QA_PREFIX.sub("", chunk.text) if chunk.kind == "qa" else chunk.text
    # A short line that introduces a list ("补贴条件：") is kept: it is what a conditions answer starts from.
    parts = [p for p in short_bodies(split_sentences(text)) if len(p) >= 6 or (len(p) >= 3 and p.endswith(("：", ":")))]
    return with_bodies([_MARKER.sub("", s).strip() for s in parts])


def short_bodies(parts: list[str]) -> list[str]:
    """A numbered heading keeps a body too short to stand as a sentence ("八、收费标准" + "不收费" →
    "八、收费标准：不收费"): alone the body would be dropped, and the heading would answer without it."""
    out: list[str] = []
    for p in parts:
        prev = out[-1] if out else ""
        if prev and len(p.strip()) < 6 and not ITEM.match(p) and ITEM.match(prev) and is_heading(prev):
            out[-1] = prev.rstrip("。") + ("" if prev.endswith(("：", ":")) else "：") + p.strip()
        else:
            out.append(p)
    return out


def with_bodies(sentences: list[str]) -> list[str]:
    """A heading ("5.落实稳岗用工政策。") joined to the sentence it heads, so that it is read, scored
    and quoted with its body; not when what follows is a list item or another heading."""
    out: list[str] = []
    i = 0
    while i < len(sentences):
        s = sentences[i]
        nxt = sentences[i + 1] if i + 1 < len(sentences) else ""
        if nxt and is_heading(s) and not ITEM.match(nxt) and not is_heading(nxt):
            out.append(s + ("" if s.endswith(("。", "！", "？")) else "。") + nxt)
            i += 2
        else:
            out.append(s)
            i += 1
    return out


def _covered(weights: dict[str, float], text: str, subterm: float) -> float:
    """The question-word weight a sentence holds; a word found inside a longer found one ("渡口" in
    "大渡口区") counts ``subterm`` of its weight, so one long name does not count four times."""
    low = text.lower()  # the tokenizer lowercases Latin words ("SYB" is asked as "syb")
    found = [t for t in weights if t in low]
    if subterm == 1.0:
        return sum(weights[t] for t in found)
    return sum(weights[t] * (subterm if any(t != u and t in u for u in found) else 1.0) for t in found)


def score_sentences(hits: list[Hit], terms: dict[str, float], question: str, want_number: bool,
                    cfg: AnswerConfig) -> list[Sentence]:
    """Term weight each sentence holds, plus shared question bigrams, mildly favouring short ones.

    Retrieval already chose the document, so words of its title (the place, the issuer) say little
    about which of its sentences answers: they count ``cfg.title_discount`` of their weight. A line
    that only repeats the title (a headline, a dateline) is not an answer.
    """
    bigram_weight, title_discount = cfg.bigram_weight, cfg.title_discount
    qb = bigrams(question)
    cues = answer_cues(question)
    values = stated_values(question)  # "我爸照护需求评估是4级": a sentence of "3-5级" speaks of him, "1-2级" does not
    scales = {u for _, u in values}
    # A figure the asker states ("听说以前超过500万不行") is what a yes/no question is about: the sentence stating it
    # ("取消单位价值500万元的限制") answers. Not for a figure question, whose answer is another figure.
    told = set() if want_number else {f for f in figures(question) if len(f) >= 2}
    out: list[Sentence] = []
    top_score = max((h.score for h in hits), default=0.0)
    for rank, hit in enumerate(hits):
        # A passage far below the best one in retrieval counts less than its rank alone says.
        relevance = (max(hit.score, 1e-6) / top_score) ** cfg.hit_weight if top_score > 0 and cfg.hit_weight else 1.0
        title = hit.chunk.doc_title
        tb = bigrams(title)
        weights = {t: w * (title_discount if t in title else 1.0) for t, w in terms.items()}
        # A sentence under "1、一次性创业资助" is about it even when it only says "补贴标准：10000元".
        heading = hit.chunk.section_path[-1] if hit.chunk.section_path and cfg.heading_weight else ""
        from_heading = cfg.heading_weight * sum(w for t, w in weights.items() if t in heading)
        total = sum(weights.values()) or 1.0
        asked = qb - tb if bigram_weight else set()
        for pos, text in enumerate(chunk_sentences(hit.chunk)):
            covered = _covered(weights, text, cfg.subterm_weight) + from_heading
            sb = bigrams(text)
            shared = len(asked & sb) / len(asked) if asked else 0.0
            if covered <= 0 and shared <= 0:
                continue
            s = ((1 - bigram_weight) * covered + bigram_weight * shared * total) / (max(len(text), 20) / 20) ** cfg.length_power
            s = relevance * (s + 0.15 / (rank + 1)) / (1 + cfg.rank_decay * rank)
            if want_number and _NUM.search(as_digits(text)):
                s *= 1.3
            if not hit.in_scope:
                s *= cfg.out_of_scope  # another place's look-alike must not lead
            if title_discount < 1.0 and tb and len(sb & tb) > 0.6 * len(sb):
                s *= 0.3  # the headline again
            s *= _shape(text, cues, cfg)
            if values and want_number and (fit := range_fit(values, text)):
                s *= cfg.range_match if fit > 0 else cfg.range_miss
            if told and told & figures(text):
                s *= cfg.told_figure
            if scales and not want_number and scales & conditioned_units(text) and not (
                    cues and holds_answer(cues, text)):  # an age condition is already an answer cue
                s *= cfg.range_match  # "住了两年，能申请吗": a condition on that scale answers, met or not
            out.append(Sentence(text, hit, rank, pos, s))
    out.sort(key=lambda s: -s.score)
    return out


def _shape(text: str, cues: list[re.Pattern[str]], cfg: AnswerConfig) -> float:
    """What the sentence is: a byline counts little, a heading without its body less, and a
    sentence holding the kind of answer asked (a date, an address, a fee) more."""
    if is_byline(text):
        return cfg.byline
    factor = cfg.lone_heading if is_heading(text) else 1.0
    return factor * (cfg.answer_cue if cues and holds_answer(cues, text) else 1.0)


def near_copy(a: str, b: str) -> bool:
    """Two sentences saying nearly the same (bigram overlap over 0.6 of the shorter). A line of a few words
    ("补贴条件：") copies nothing: two of its three bigrams are in any sentence on the topic."""
    ga, gb = bigrams(a), bigrams(b)
    shorter = min(len(ga), len(gb))
    return shorter >= 5 and len(ga & gb) / shorter > 0.6


def pick(sentences: list[Sentence], limit: int = 4, floor: float = 0.35) -> list[Sentence]:
    """The best sentences, skipping a document's near-duplicates and weak tails."""
    chosen: list[Sentence] = []
    for s in sentences:
        if len(chosen) >= limit or (chosen and s.score < floor * chosen[0].score):
            break
        # A near-copy in another document is that document's version (maybe with other figures): keep it; and
        # within one document a copy under another label is another bracket ("在校学生：…413元" / "其他参保人员：…549元").
        if not any(near_copy(s.text, c.text) and s.hit.chunk.doc_id == c.hit.chunk.doc_id and not other_bracket(s.text, c.text)
                   for c in chosen):
            chosen.append(s)
    return chosen


def clip(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at the last clause boundary that fits."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    end = max(cut.rfind(ch) for ch in "，,；;：:、")
    return (cut[: end] if end >= limit // 3 else cut) + "…"


def focus(text: str, terms: dict[str, float], limit: int) -> str:
    """A long sentence cut to the run of clauses (≤ limit) that holds most of the question's terms."""
    if len(text) <= limit:
        return text
    parts = [p for p in _CLAUSE.split(text) if p]
    best, best_score = "", -1.0
    for i in range(len(parts)):
        window = ""
        for p in parts[i:]:
            if len(window) + len(p) > limit - 1:
                break
            window += p
        if not window:
            continue
        score = sum(w for t, w in terms.items() if t in window) - 0.01 * i  # ties go to the earlier run
        if score > best_score:
            best, best_score = window, score
    if not best:
        return clip(text, limit)
    return ("" if text.startswith(best) else "…") + best.rstrip("，,；;：:、") + ("" if text.endswith(best) else "…")


def following(s: Sentence) -> list[str]:
    """The sentences after ``s`` in its passage."""
    return chunk_sentences(s.hit.chunk)[s.pos + 1:]


_NUMERAL = re.compile(r"[一二三四五六七八九十\d①-⑳]+")
_FIRST = {"1", "一", "①"}


def item_marker(text: str) -> tuple[str, str] | None:
    """A list item's marker kind ("#." for "2.", "（#）" for "（二）") and its number, or None."""
    m = ITEM.match(text)
    if not m:
        return None
    number = _NUMERAL.search(m.group(0))
    return _NUMERAL.sub("#", m.group(0)), number.group(0) if number else ""


def items_before(s: Sentence, limit: int) -> list[str]:
    """The items of the same list before ``s`` in its passage (at most ``limit``), when ``s`` is one of them:
    "处置流程是什么" is answered from step 1, not from the step that matched best. An item's own body
    ("填报须知：…" under "1.《申报表》") lies between two items and is passed over."""
    own = item_marker(s.text)
    if own is None:
        return []
    run: list[str] = []
    bodies = 0
    for t in reversed(chunk_sentences(s.hit.chunk)[: s.pos]):
        mark = item_marker(t)
        if mark is None:
            bodies += 1
            if bodies > 3:
                break
            continue
        if mark[0] != own[0] or len(run) >= limit:
            break
        run.insert(0, t)
        bodies = 0
        if mark[1] in _FIRST:
            break
    return run


_ORDINAL = re.compile(r"^(?:第([一二三四五六七八九])(?=[种类步项个是，,、])|([一二三四五六七八九])是|其([一二三四五六七八九])[，,、是])")
_NEXT = dict(zip("一二三四五六七八", "二三四五六七八九"))


def _ordinal(text: str) -> str:
    m = _ORDINAL.match(text.strip())
    return next((g for g in m.groups() if g), "") if m else ""


def continue_enumeration(body: str, last: str, rest: list[str], limit: int) -> str:
    """An answer that reached "第一种方式为…" (一是…, 其一…) goes on with "第二种…" while it fits: the first of
    two options alone misleads. The last one that does not fit whole is cut at a clause."""
    n = _ordinal(last)
    for nxt in rest:
        if not n or _ordinal(nxt) != _NEXT.get(n) or limit - len(body) < 30:
            break
        body += clip(nxt, limit - len(body))
        n = _ordinal(nxt)
    return body


def clause_before(s: Sentence, body: str, limit: int, most: int) -> str:
    """The start of the sentence ``s`` ends when it follows a "；" ("…一、二级…可认定为全护理；" before
    "三级…可认定为半自理。"): the half before the semicolon belongs to the answer, when it is at most ``most``
    characters and fits. Not across list items or headings, which are points of their own."""
    before = chunk_sentences(s.hit.chunk)[: s.pos]
    prev = before[-1] if before else ""
    if not prev.endswith(("；", ";")) or ITEM.match(prev) or ITEM.match(s.text) or is_heading(prev):
        return body
    return prev + body if len(prev) <= most and len(prev) + len(body) <= limit else body


def clause_after(s: Sentence, limit: int) -> str:
    """A further point that ends in "；" goes on with the half after it, when that fits ("未经登记从事经营活动的，
    责令改正；" then "拒不改正的，处1万元以上10万元以下的罚款；"): the first half alone leaves out what follows from it."""
    rest = following(s)
    nxt = rest[0] if rest else ""
    if not nxt or not s.text.endswith(("；", ";")) or ITEM.match(s.text) or ITEM.match(nxt) or is_heading(nxt):
        return s.text
    return s.text + nxt if len(s.text) + len(nxt) <= limit else s.text


def introduces_list(s: Sentence) -> bool:
    """A line that heads the list right after it ("补贴条件：" then "（1）…", "（2）…")."""
    rest = following(s)
    return (s.text.rstrip().endswith(("：", ":")) and bool(rest) and bool(ITEM.match(rest[0]))
            and sum(1 for t in rest if ITEM.match(t)) >= 2)


def needs_continuation(text: str) -> bool:
    """A sentence that introduces what follows ("…如下：", "包括：") or says too little alone."""
    return text.rstrip().endswith(("：", ":")) or len(text) < 24


_YEAR = re.compile(r"(?<!\d)(19|20)\d{2}(?=\s*年)")


def has_figure(text: str) -> bool:
    """A number that is a figure: not a year ("2020年") and not a list marker ("7. ")."""
    return bool(_NUM.search(_YEAR.sub("", ITEM.sub("", text.strip()))))


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def figures(text: str) -> set[str]:
    """The numbers a text states as figures: not its years ("2020年") nor its list markers ("7. ")."""
    return set(_NUMBER.findall(_YEAR.sub("", ITEM.sub("", text.strip()))))


def new_figures(text: str, question: str) -> set[str]:
    """The figures of ``text`` the question does not already state: "20家园区" cannot answer
    "20家园区惠及多少家企业", the number asked is another one."""
    return figures(text) - figures(question)


def figure_clauses(sentence: str, fits: Callable[[str], bool], limit: int,
                   terms: dict[str, float] | None = None) -> list[str]:
    """Each clause holding a fitting figure, with the clause before it when that names the subject."""
    parts = [p for p in _CLAUSE.split(sentence) if p.strip()]
    label = _label(parts[0]) if len(parts) > 1 else ""
    out = []
    for i, p in enumerate(parts):
        probe = as_digits(p)  # "处五日以上十日以下拘留" states a figure too
        if has_figure(probe) and fits(probe):
            prev = parts[i - 1] if i else ""
            # The clause before names the subject when this one is too short to ("…，为10000元"), or
            # when it holds question words and this one none ("创办企业培训（SYB），可补贴1200元").
            own = [t for t in terms or {} if t in p.lower()]
            names = not own and any(t in prev.lower() for t in terms or {})
            head = prev if prev and (len(p) < 12 or (names and not has_figure(prev))) else ""
            # A bracket's label ("（二）其他参保人员：") says whose figure it is; brackets differ by it alone.
            if i and label and not head.startswith(parts[0]):
                head = label + ("" if i == 1 else head)
            head = head if len(head) + len(p) <= limit else ""
            # A condition ("…补贴不足200元的，") says nothing without what follows ("按照200元／月予以发放").
            tail = parts[i + 1] if p.rstrip("，,").endswith("的") and i + 1 < len(parts) else ""
            tail = tail if len(head) + len(p) + len(tail) <= limit else ""
            out.append(clip((head + p + tail).strip().rstrip("，,；;"), limit))
    return out


def other_bracket(a: str, b: str) -> bool:
    """Two sentences that open with different labels ("（一）在校学生：…", "（二）其他参保人员：…")."""
    la, lb = (_label(_CLAUSE.split(t, maxsplit=1)[0]) for t in (a, b))
    return bool(la and lb and la != lb)


def _label(part: str) -> str:
    """A numbered sentence's opening label ("（二）其他参保人员：" → "其他参保人员："), or ""."""
    if not ITEM.match(part.strip()):
        return ""
    text = ITEM.sub("", part.strip()).strip()
    return text if text.endswith(("：", ":")) and 2 <= len(text) <= 13 else ""


def clause_weight(clause: str, terms: dict[str, float]) -> float:
    """The weight of the terms a clause holds, a term inside a longer one it holds counted once, with the longer:
    "高校毕业生" is one match, not five (高校, 毕业, 毕业生, 业生 as well), and a clause naming one compound of the
    question's wordings must not outweigh the clause holding the word the question asks ("博士")."""
    return _covered(terms, clause, subterm=0.0)


def ranked_clauses(chosen: list[Sentence], terms: dict[str, float], fits: Callable[[str], bool],
                   limit: int) -> list[tuple[float, Sentence, str]]:
    """Clauses that can answer a figure question, best first: the sentence's score times the clause's
    own term coverage, so the clause holding the question's words leads its sentence's other figures."""
    total = sum(terms.values()) or 1.0
    out: list[tuple[float, Sentence, str]] = []
    for s in chosen:
        if s.hit.chunk.kind in ("table_row", "table_overview"):
            options = [clip(s.text, limit)] if fits(s.text) else []  # a row reads as a whole
        else:
            options = figure_clauses(s.text, fits, limit, terms)
        for clause in options:
            local = clause_weight(clause, terms) / total
            out.append((s.score * (0.3 + local), s, clause))
    out.sort(key=lambda x: -x[0])
    return out
