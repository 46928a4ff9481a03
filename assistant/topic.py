"""Whether a question names what it is about: "我50岁了还能申请吗？" alone asks about nothing yet.

A first turn that only says how it asks (能领多久, 要带什么材料, 怎么申请) cannot be answered from the
library without guessing the matter, and a guess answers with a figure of some other matter ("50人"
for "50岁"). Such a turn gets a question back; the next turn, merged with it, is answered.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from assistant.intent import strip_asks
from retriever.terms import QUESTION_WORDS
from retriever.tokenize import load_word_list

# Words that say what is wanted of any matter, never which matter.
_GENERIC = frozenset("申请 办理 申领 领取 需要 条件 资格 要求 手续 流程 材料 资料 政策 规定 文件 可以 能够 还能 现在 "
                     "今年 情况 问题 咨询 一下 请问 您好 你好 具体 相关 怎么样 多少 什么 哪些 本人 自己 我们".split())
_ENGLISH = re.compile(r"[A-Za-z]{3,}")
_PERSON = re.compile(r"[\d一二三四五六七八九十]{1,3}\s*周?岁|[男女]的|男性|女性|我[是想要]?")


def names_topic(question: str, weights: Callable[[str], dict[str, float]]) -> bool:
    """True when some content word of the question is left once its asks, age and generic words are gone."""
    if _ENGLISH.search(question):
        return True  # the weights judge an English question by the Chinese terms it maps to, not its words
    rest = _PERSON.sub("", strip_asks(question))
    asking = load_word_list(QUESTION_WORDS)
    return any(t not in _GENERIC and t not in asking for t in weights(rest))


def clarify_text(hotline_label: str) -> str:
    return ("请问您想了解哪一项政策或业务？请说出具体事项（例如某项补贴、贷款、社保或就业服务的名称），"
            f"我再为您查找文件中的规定。也可以咨询{hotline_label}。")
