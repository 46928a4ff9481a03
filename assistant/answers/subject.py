"""What a figure question asks the figure of: the words just before its question word.

"裁员率多少以内还能拿稳岗返还" asks a rate of layoffs, so the clause "裁员率不超过20%" answers it
and "可返还失业保险费的50%" of the same passage does not, though that one holds more question words.
"""
from __future__ import annotations

import re

from assistant.intent import FIGURE_WORDS
from core.quantities import as_digits

_ASKS = FIGURE_WORDS
_REACH = 8  # characters before the question word that name what is asked
_BREAK = re.compile(r"[，,。？?！!；;、\s]")
# Words that may stand between what is asked and the question word ("覆盖率要达到多少", "制剂有多少个").
# Comparators too: "收入不能超过多少" asks the income, not something that 超过.
_LINK = re.compile(r"(?:是|为|有|能|会|要|可|可以|又|也|还有|还能|还要|能有|会有|达到|要达到|在|控制在|大概|大约|大致|一共|总共|共|到底|一般"
                   r"|不能超过|不得超过|不超过|超过|不低于|低于|不高于|高于|不少于|少于|以内|以上|以下)$")
_SUFFIX = frozenset("率数量额费金价值比")  # a measure's last character, after the word it measures
_NEAR = 24  # a figure this close after the word is the figure of it
_BEFORE = 8  # ... or this close before it ("年满16周岁的孤儿")
_DIGIT = re.compile(r"\d")
# Words that name a measure of something ("覆盖率", "发卡量", "贷款额度"): whose measure it is matters.
_MEASURE = re.compile(r"(?:率|数|量|额|额度|比例|比重|标准|规模|水平|指数|上限|下限)$")


def asked_terms(question: str, terms: dict[str, float]) -> set[str]:
    """The question's terms that end just before a question word, but for a linking word ("覆盖率要达到多少");
    none when a verb stands between ("要交满几年社保"). Each ask names its own ("定点医院有几家？发热门诊又有多少个？")."""
    out: set[str] = set()
    for m in _ASKS.finditer(question):
        window = _BREAK.split(question[max(0, m.start() - _REACH): m.start()])[-1].lower()
        while (link := _LINK.search(window)) and link.start() > 0:
            window = window[: link.start()]
        # The word that ends where the question word's phrase begins, or before a measure's suffix ("裁员率" for
        # the term "裁员"), not before a verb ("准备录多少节" asks what is recorded, not 准备).
        out |= {t for t in terms if window.endswith(t) or window[:-1].endswith(t) and window[-1] in _SUFFIX}
    return out


def subject_terms(question: str, terms: dict[str, float]) -> set[str]:
    """Whose measure is asked: the longest question word just before the measure asked, "的" allowed between
    ("社保卡覆盖率要达到多少" → 社保卡). None when a verb is asked ("计划扶持多少人"), a verb stands between,
    or the word is a quantity ("一年补贴")."""
    m = _ASKS.search(question)
    if not m:
        return set()
    phrase = _BREAK.split(question[: m.start()])[-1].lower()
    while (link := _LINK.search(phrase)) and link.start() > 0:
        phrase = phrase[: link.start()]
    out: set[str] = set()
    for a in filter(_MEASURE.search, asked_terms(question, terms)):
        end = phrase.rfind(a)
        if end <= 0:
            continue  # what is asked opens the phrase (or was cut differently): nobody's measure is named
        end -= phrase[:end].endswith("的")
        before = [t for t, w in terms.items() if w > 0 and t not in a and phrase[:end].endswith(t)]
        if before and not _DIGIT.search(as_digits(best := max(before, key=len))):
            out.add(best)
    return out


def names_asked(clause: str, asked: set[str]) -> bool:
    """Does the clause state a figure of what is asked: one of its words with a figure soon after or just
    before ("裁员率调整为不超过…的20%", "618个药品"; not "裁员率标准调整为…控制目标，对参保职工30人")?
    True when nothing is singled out."""
    if not asked:
        return True
    low = as_digits(clause).lower()
    for t in asked:
        i = low.find(t)
        while i >= 0:
            if _DIGIT.search(low, i + len(t), i + len(t) + _NEAR) or _DIGIT.search(low, max(0, i - _BEFORE), i):
                return True
            i = low.find(t, i + 1)
    return False


def own_words_first(terms: dict[str, float], current: str, share: float) -> dict[str, float]:
    """A follow-up merged with the previous question ("家里遭了火灾，申请临时救助 批下来以后多久能拿到钱"): the
    words only the previous turn brought weigh ``share`` of their weight, so the sentence that answers this
    turn's own ask (拿到钱 → 发放) leads, not one that restates the previous matter (火灾, 申请)."""
    low = current.lower()
    return {t: w if t in low else w * share for t, w in terms.items()}
