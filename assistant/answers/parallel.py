"""Figures a passage gives for several subjects in parallel: the subject asked, or each subject.

"（一）在校学生：个人缴费标准为每人413元……（二）其他参保人员：个人缴费标准为每人549元……" states one
figure for two subjects. A figure answer quoting only "个人缴费标准为每人413元" picks one subject's number
without saying so, which is wrong for everyone else. So when the clause a figure answer leads with lies in
a run of parallel items (a list's items, or clauses chained by "；"), each stating a figure of the same
unit after the same words:
- a question naming one of the subjects (by the words it shares with the subject, its own or the
  thesaurus's) is answered by that subject's clause, the subject said ("在校学生：个人缴费标准为每人413元");
- a question naming none is answered with each subject and its figure ("个人缴费标准：在校学生每人413元；
  其他参保人员每人549元").

Pure functions over strings: what the passage says decides, no subject is known in advance.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.answers.passages import ITEM, item_marker
from core.quantities import UNIT_PATTERN
from core.text import bigrams, split_sentences

# A figure as written: a comparator, per-unit words ("每人每月"), the number, its unit, a bound's tail.
_FIGURE = re.compile(
    rf"(?:最高|最低|最多|最少|不超过|不低于|不少于|不高于|至少|约)?(?:每[\u4e00-\u9fff]{{1,3}}?(?=每|\d)){{0,2}}"
    rf"(?<![\d.])(\d+(?:\.\d+)?)\s*({UNIT_PATTERN})(?:以上|以下|以内|左右)?")
_YEAR = re.compile(r"^(19|20)\d{2}$")
_CLAUSES = re.compile(r"(?<=[，,；;。！？])")
_SUBJECT = re.compile(r"^([^：:，,。；;（(]{1,20})[：:](?!\d)")  # "在校学生：…", not the colon of a time
_LINK = "为是按：:，,、 "  # what stands between a figure's label and the figure ("个人缴费标准为每人413元")
# A residual subject ("其他参保人员") is whoever the others are not: no wording of a question names it.
_RESIDUAL = re.compile(r"^(其他|其它|其余|另外|剩余|除)")
_SUBJECT_CHARS = 20
_ALIAS = re.compile(r"[（(][A-Za-z0-9]{1,10}[）)]")
_LATIN = re.compile(r"[a-z]{2,}")
_OWN = re.compile(r"^(其中|对于|对)")  # "其中创业意识培训" names 创业意识培训
_SAME_LABEL = 0.5  # two labels this alike in bigrams ("财政补助标准", "财政补贴标准") say the same figure


@dataclass(frozen=True)
class Figure:
    label: str  # the words before the figure in its clause: "个人缴费标准"
    phrase: str  # the figure with its per-unit words: "每人413元"
    unit: str
    clause: str  # the clause as written, its end punctuation dropped


@dataclass(frozen=True)
class Parallel:
    """A figure answer's first line, and the items it was read from (no other line quotes them again)."""

    text: str
    sentences: tuple[str, ...]

    def holds(self, clause: str) -> bool:
        return any(clause in s for s in self.sentences)


@dataclass(frozen=True)
class Item:
    subject: str  # "在校学生"
    figure: Figure  # the item's figure that stands where the asked one stands in its own item


def figures(text: str) -> list[Figure]:
    """Each clause's figures with the words that say what they are of (a year is not a figure)."""
    out = []
    for clause in (c.strip().rstrip("，,；;。！？") for c in _CLAUSES.split(text)):
        for m in _FIGURE.finditer(clause):
            if m.group(2) == "年" and _YEAR.match(m.group(1)):
                continue
            out.append(Figure(label=clause[: m.start()].rstrip(_LINK), phrase=m.group(0), unit=m.group(2),
                              clause=clause))
    return out


def _body(text: str) -> str:
    return ITEM.sub("", text.strip(), count=1).strip()


def _lead_in(clause: str, common: set[str]) -> str:
    """What a clause begins with before the words every item shares, a figure, a bracket or a 每."""
    i = 0
    while i < len(clause) and clause[i: i + 2] not in common and not clause[i].isdigit() and clause[i] not in "（(每":
        i += 1
    alias = _ALIAS.match(clause, i)  # "创办企业培训（SYB）": the bracket names it too
    return clause[: alias.end()] if i and alias else clause[:i]


def subjects(bodies: list[str]) -> list[tuple[str, str]]:
    """Each item's subject and the rest of it, where its figures are: what precedes its colon ("在校学生："),
    else the clause before its first figure's ("其中创业意识培训（GYB），每人最高可补贴300元"), else what its
    figure's clause begins with before the words every item shares ("城镇职工每人每月300元" beside
    "农村居民每人每月200元")."""
    common = set.intersection(*(bigrams(b) for b in bodies))
    out = []
    for b in bodies:
        m = _SUBJECT.match(b)
        if m:
            out.append((m.group(1).strip(), b[m.end():]))
            continue
        clauses = [c for c in _CLAUSES.split(b) if c]
        j = next((k for k, c in enumerate(clauses) if figures(c)), 0)
        if j > 0:
            before = _OWN.sub("", clauses[j - 1].rstrip("，,；;。 "))
            out.append((_lead_in(before, set()), "".join(clauses[j:])))
        else:
            name = _lead_in(clauses[0] if clauses else b, common)
            out.append((name, b[len(name):]))
    return out


def parallel_run(sentences: list[str], pos: int) -> list[str]:
    """The sentences parallel to the one at ``pos``: the items of its list (the same marker kind, one after
    the other), or the clauses chained to it by "；". Just itself when it has no siblings."""
    own = item_marker(sentences[pos])
    if own is not None:
        kinds = [(item_marker(s) or ("", ""))[0] for s in sentences]
        lo = hi = pos
        while lo > 0 and kinds[lo - 1] == own[0]:
            lo -= 1
        while hi + 1 < len(sentences) and kinds[hi + 1] == own[0]:
            hi += 1
        return sentences[lo: hi + 1]
    chained = [s.rstrip().endswith(("；", ";")) and item_marker(s) is None for s in sentences]
    lo = hi = pos
    while lo > 0 and chained[lo - 1]:
        lo -= 1
    while hi + 1 < len(sentences) and chained[hi] and item_marker(sentences[hi + 1]) is None:
        hi += 1
    return sentences[lo: hi + 1]


def _alike(a: str, b: str) -> bool:
    if a == b:
        return True
    ga, gb = bigrams(a), bigrams(b)
    return bool(ga and gb) and len(ga & gb) / len(ga | gb) >= _SAME_LABEL


def _counterpart(lead: Figure, found: list[Figure]) -> Figure | None:
    """The item's figure of the same unit after the same words as ``lead``."""
    return next((f for f in found if f.unit == lead.unit and f.label == lead.label), None) or next(
        (f for f in found if f.unit == lead.unit and _alike(f.label, lead.label)), None)


def parallel_items(sentences: list[str], pos: int, clause: str) -> list[Item] | None:
    """The parallel items around sentence ``pos``, each with its figure matching the one ``clause`` states
    (the answer's clause, which lies in that sentence); None when fewer than two items state one."""
    run = parallel_run(sentences, pos)
    if len(run) < 2:
        return None
    at = run.index(sentences[pos])
    marked = item_marker(sentences[pos]) is not None
    bodies = [_body(s) for s in run]
    names, rests = zip(*subjects(bodies))
    own = figures(rests[at])
    lead = next((f for f in own if f.clause in clause), None) or next((f for f in own if f.phrase in clause), None)
    if lead is None:
        return None
    items: list[Item | None] = []
    for k, (rest, name) in enumerate(zip(rests, names)):
        fig = lead if k == at else _counterpart(lead, figures(rest))
        # In a "；" chain, "…的" is a condition, not a subject: "拒不改正的，处…；情节严重的，处…" are tiers.
        ok = fig is not None and 0 < len(name) <= _SUBJECT_CHARS and not name[0].isdigit() and (
            marked or not name.endswith("的"))
        items.append(Item(name, fig) if ok and fig else None)
    if items[at] is None:
        return None
    lo = hi = at  # the stretch around the lead whose items all state the figure
    while lo > 0 and items[lo - 1] is not None:
        lo -= 1
    while hi + 1 < len(items) and items[hi + 1] is not None:
        hi += 1
    kept = [i for i in items[lo: hi + 1] if i is not None]
    return kept if len(kept) >= 2 and len({i.subject for i in kept}) == len(kept) else None


def named_item(question: str, items: list[Item], context: str) -> int | None:
    """The one item whose subject the question names: the most of the subject's own bigrams (not those every
    subject has, nor those of ``context``, the document's title) found in the question. None for none or a tie."""
    common = set.intersection(*(bigrams(i.subject) for i in items))
    asked, known = bigrams(question), bigrams(context)
    low = question.lower()
    scores = [0 if _RESIDUAL.match(i.subject) else len((bigrams(i.subject) - common - known) & asked)
              + 2 * sum(w in low for w in _LATIN.findall(i.subject.lower())) for i in items]
    best = max(scores)
    return scores.index(best) if best and scores.count(best) == 1 else None


def each_subject(items: list[Item], limit: int) -> str:
    """Every subject with its figure: "个人缴费标准：在校学生每人413元；其他参保人员每人549元。" ("subject：clause"
    when the labels differ in wording). As many as fit within ``limit``, "等" saying more follow; "" when
    not two fit."""
    label = items[0].figure.label
    head = f"{label}：" if label and all(i.figure.label == label for i in items) else ""
    parts: list[str] = []
    for i in items:
        part = f"{i.subject}{i.figure.phrase}" if head or not i.figure.label else f"{i.subject}：{i.figure.clause}"
        if len(head) + sum(len(p) + 1 for p in parts) + len(part) + 2 > limit:
            return f"{head}{'；'.join(parts)}等。" if len(parts) >= 2 else ""
        parts.append(part)
    return f"{head}{'；'.join(parts)}。"


def one_subject(item: Item) -> str:
    """The named subject's clause, the subject said: "在校学生：个人缴费标准为每人413元。"."""
    clause = item.figure.clause
    if item.subject in clause:
        return clause + "。"
    return f"{item.subject}{'：' if item.figure.label else ''}{clause}。"  # "农村居民每人每月200元。"


def raw_sentences(text: str) -> list[str]:
    """A passage's sentences with their list markers (① too), as parallel items are read."""
    return [t for t in split_sentences(text) if t]


class ParallelFigures:
    """The figure answer when its clause is one of parallel items: the subject asked, else each subject."""

    def body(self, question: str, clause: str, passage: str, title: str, limit: int) -> Parallel | None:
        """The answer for the figure ``clause`` of ``passage`` (in the document titled ``title``), within
        ``limit`` characters; None when the clause is not one of parallel items."""
        sentences = raw_sentences(passage)
        probe = clause.rstrip("。…")
        pos = next((k for k, t in enumerate(sentences) if probe in t), None)
        items = parallel_items(sentences, pos, probe) if pos is not None else None
        if not items:
            return None
        named = named_item(question, items, title)
        text = one_subject(items[named]) if named is not None else each_subject(items, limit)
        run = tuple(parallel_run(sentences, pos)) if pos is not None else ()
        return Parallel(text, run) if text and len(text) <= limit else None
