"""What a sentence is (an answer, a heading, a byline) and what kind of answer a question asks for.

Pure functions over strings, used to re-score the sentences of the top passages: a heading is
read with the body it introduces, a byline or dateline is never an answer, and a question asking
"when", "where" or "how much does it cost" prefers the sentence holding a date, an address or a fee.
"""
from __future__ import annotations

import re

# List markers as written: （一） 1. 1、 ① 一、 (1)
_ITEM = re.compile(r"^(（[一二三四五六七八九十\d]{1,3}）|\([一二三四五六七八九十\d]{1,3}\)|\d{1,2}[.、．)]|[①-⑳]|[一二三四五六七八九十]{1,3}、)\s*")
_TRAIL = "。；;，,、 ：:"
# Who signs a notice: the line ends in the name of an office ("…人力资源和社会保障厅办公室").
_ISSUER_END = re.compile(r"(局|厅|委|委员会|办公室|办公厅|人民政府|政府|部|院|中心|指挥部|领导小组|小组|分局|支局|公司|协会|商会|集团)$")
_DATE_END = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")
_BRACKETED = re.compile(r"^[（(【\[][^（()）]*[）)】\]]$")

# What a sentence listing materials names. Not "提供" or "凭" alone: "可继续提供创业担保贷款" lists none.
MATERIALS = re.compile(r"材料|证件|证明|身份证|证书|执照|户口簿|社会保障卡|社保卡|银行卡|复印件|原件|照片|申请表|登记表|表格|资料|"
                       r"提交|递交|携带|上传|[\u4e00-\u9fff]{1,6}(证|书|表|卡|单)(?=[、，；。和及或等）)\s]|$)")
# (what the question asks, what a sentence holding that answer contains)
_ANSWER_CUES: list[tuple[re.Pattern[str], re.Pattern[str]]] = [
    (re.compile(r"何时|哪天|哪一天|什么时候|啥时候|什么时间|几月几[日号]|哪一?年|截止|起止|期限|日期"),
     re.compile(r"\d{1,2}\s*月\s*\d{1,2}\s*[日号]|\d{4}\s*年\s*\d{1,2}\s*月|即日起|\d{1,2}[日号][起前后至]")),
    (re.compile(r"地址|哪里|在哪|哪儿|什么地方|何处|哪个网站|网址|网站|路径|入口|渠道|途径"),
     re.compile(r"地址|[路街道巷]\d+号|\d+号|https?://|www\.|网站|公众号|APP|App|小程序|客户端|→|登录|热线|电话|服务中心|窗口|大厅|办事处")),
    (re.compile(r"收费|费用|多少钱|付费|花钱|免费"), re.compile(r"免费|免收|收费|不收取|\d+(?:\.\d+)?\s*元|费用")),
    # A penalty question ("没办执照开店会被怎么罚") wants the sentence that sets the penalty.
    (re.compile(r"罚|处罚|处分|法律责任|后果"), re.compile(r"罚款|罚金|处以|处\d|吊销|拘留|追究")),
    (re.compile(r"电话|热线|联系方式"), re.compile(r"\d{3,4}[-－—]\d{7,8}|\d{7,}|热线")),
    (re.compile(r"什么是|是什么意思|指什么|是指"), re.compile(r"是指|指的是|即")),
    (re.compile(r"材料|带什么|要带|证件|证明|提供什么|提交什么|准备什么|资料"), MATERIALS),
    # "我58岁还能申请吗", "有年龄要求吗": the age condition, not the sentence that shares most words.
    (re.compile(r"[\d一二三四五六七八九十]{1,3}\s*周?岁|年龄|年纪|多大岁数|几岁|岁以[上下]"),
     re.compile(r"\d{1,3}\s*周?岁|年龄|年满|退休年龄")),
    (re.compile(r"目的|为什么|为何|意义|原因"), re.compile(r"^(为了?|旨在)|目的|是为了|以便|为进一步|因为|由于")),
]


def body(text: str) -> str:
    """The sentence without its list marker and trailing punctuation."""
    return _ITEM.sub("", text.strip()).rstrip(_TRAIL)


def is_byline(text: str) -> bool:
    """A line that only signs, dates or annotates ("…办公室", "…2020年2月13日", "（责任单位：…）")."""
    t = body(text)
    if not t or not re.search(r"[\u4e00-\u9fff]", t):
        return True
    if _BRACKETED.match(t):
        return True
    if len(t) <= 40 and _DATE_END.search(t) and "，" not in t:
        return True
    return len(t) <= 20 and "，" not in t and bool(_ISSUER_END.search(t))


def is_heading(text: str, limit: int = 20) -> bool:
    """A short line that names a topic ("5.落实稳岗用工政策。"): its answer is the text after it."""
    t = text.strip()
    if t.endswith(("；", ";", "：", ":", "，", ",", "、")) or "，" in t or "," in t:
        return False
    return 0 < len(body(t)) <= limit


def answer_cues(question: str) -> list[re.Pattern[str]]:
    """What a sentence answering this question must contain, by the kind of answer it asks for."""
    return [holds for asks, holds in _ANSWER_CUES if asks.search(question)]


def holds_answer(cues: list[re.Pattern[str]], text: str) -> bool:
    return any(c.search(text) for c in cues)
