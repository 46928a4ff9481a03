"""What a question asks for, read from cue words. Pure functions over normalized text."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

_CHITCHAT = re.compile(
    r"^(你好|您好|hi|hello|hey|嗨|在吗|在不在|谢谢|多谢|感谢|再见|拜拜|早上好|晚上好|你是谁|你叫什么|你能做什么|"
    r"你会什么|讲个笑话|说个笑话|给我讲个笑话吧?|笑话)[啊呀呢吗吧！!。.,，？?~～\s]*$",
    re.I,
)
_OFFTOPIC = re.compile(r"(天气|笑话|股票|彩票|星座|菜谱|电影|游戏|几点了|现在几点)")
# Tasks that are not policy questions: writing, translating, coding.
_TASK = re.compile(r"(写一首|写首|作一首|写诗|作诗|诗歌|对联|写一篇|写篇|作文|写个?故事|翻译|translate|译成|"
                   r"写代码|写个?程序|编程|python|java|sql|代码|写一段话|帮我写|唱首歌)", re.I)
# Cues that are about the document itself, and cues that are only when the question names a document:
# "哪天去学校注册" or "优待证快过期了" are about the citizen's matter, not about the notice.
_DOC_FACT = re.compile(r"(文号|发文字号|字号|印发|成文|发文机关|编制依据|主送|发给哪|责任科室|校对|废止)")
_DOC_FACT_IF_NAMED = re.compile(
    r"(发布|哪天|什么时候|何时|哪些单位|哪个单位|哪几个单位|哪个部门|哪些部门|哪几个部门|几个部门|一起发|谁发的|联合|根据什么|依据什么|还有效|有效期|失效|过期|到期|还在执行|"
    r"还适用|出台)")
_DOC_REF = re.compile(r"(文件|通知|办法|规定|细则|方案|意见|规划|条例|指引|公告|通告|政策|这份|该文|此文|本文|《)")
_QUANTITY = re.compile(r"(how many|how much|what is the .*(target|rate|number)|多少|几[个项名人次万亿]?|多大|多高|比例|比重|标准是|额度|上限|下限|最多|最少|金额|几岁|多长时间|多久|数量|目标值|是多少|占比|完成率|百分之)")
# "几" in a yes/no question is "a few", not "how many": "车上能捎几个老乡吗", "要跑好几趟吗".
# So is "那几天", "这几年": those days, not how many; and what the asker says was done ("单位给我们每人发了几盒
# 口罩", "新招了几个人"): the asker tells it, the question is elsewhere.
_FEW = re.compile(r"[那这了过]几|好?几(?=[^，。？?！!,；;多少]*[吗么嘛])")
# "对核定的养老金金额有异议怎么办" asks what to do; a measure it names (金额, 标准, 额度) is no figure asked, unless a
# question word asks one too ("补贴标准是多少，不服怎么办").
_HOW_TO = re.compile(r"怎么办|怎么处理|如何处理|怎么解决|如何解决|找谁|找哪个部门")
# The question words that ask a figure, wherever a question is read for one.
FIGURE_WORDS = re.compile(r"多少|几|多高|多长|多久|多大")
_LIST = re.compile(r"(哪些|哪几|有什么项目|包括什么|包含哪|都有什么|列出|列举|有几项|几项)")
_DIFF = re.compile(r"(增加多少|增加了多少|多多少|增长多少|增长了多少|变化|差了?多少|差几|还差|超出|超过目标多少|相比|多发多少|减少多少|"
                   r"提高多少|增加几|高出|低了?多少|多了还是少了|多出|少了多少)")
_MET = re.compile(r"(完成.{0,4}了吗|完成.{0,4}没有|完成没|达到.{0,4}了吗|达到没有|达标了吗|实现.{0,4}了吗|是否完成|是否达到|"
                  r"有没有完成|有没有达到|完成得怎么样|完成情况)")
_UNMET_LIST = re.compile(r"(哪些|哪几|几项|几个).{0,12}(没有?完成|未完成|没有?达到|未达到|没达标|未达标)")
_RATE = re.compile(r"完成率|完成比例|完成了百分之")
_COMPARE = re.compile(r"哪个(更)?(高|大|多|低|少)|谁(更)?(高|大|多)")
_ATTRIBUTE = re.compile(r"(属性|约束性|预期性|硬指标|软指标|什么性质)")
# What kind of answer a citizen's question wants, most specific first (one home: answers and evals use it).
ASKS = (
    ("materials", re.compile(r"材料|带什么|要带|证件|证明|提供什么|提交什么|准备什么|需要什么资料|(交|携带|出示)什么|什么(票据|凭证)")),
    ("steps", re.compile(r"流程|步骤|程序|手续|怎么办理?|如何办理?|怎么申请|如何申请|怎样申请|怎么领|如何领|怎么备案|如何备案|怎么操作|办理方式")),
    ("where", re.compile(r"哪里|在哪|哪儿|什么地方|地址|窗口|网站|网址|平台|渠道|哪个部门办|找谁")),
    ("duration", re.compile(r"多久|多长时间|(?<![那这])几天|(?<![那这])几个月|期限|时限|什么时候|啥时候|何时|截止|有效期")),
    ("conditions", re.compile(r"条件|资格|符合|能不能|可不可以|可以.{0,8}吗|能否|是否可以|能.{0,6}吗|谁可以|哪些人|什么人|要求")),
)
# "材料" or "证明" named as a thing the asker has or does ("交了材料以后，多久能办好", "健康证明到哪里开") is not
# what is asked: only these wordings ask for the documents to bring, when the question asks something else too.
_ASKS_MATERIALS = re.compile(r"(什么|哪些|啥|哪几|几样|带|交|提供|提交|准备|需要)[^，。？?！!了过]{0,4}(材料|证件|证明|资料|东西)"
                             r"|(材料|证件|证明|资料)[^，。？?！!]{0,3}(有哪些|是什么|有什么|包括)")
_FOLLOWUP = re.compile(r"^(那|那么|那个|这个|这两个|这些|该|它|它们|其中|and|what about|how about)", re.I)


@dataclass
class Intent:
    chitchat: bool = False
    offtopic: bool = False
    task: bool = False
    doc_fact: bool = False
    quantity: bool = False
    listing: bool = False
    diff: bool = False
    met: bool = False
    unmet_list: bool = False
    rate: bool = False
    compare: bool = False
    attribute: bool = False
    followup: bool = False
    asks: str = ""  # materials | steps | where | duration | conditions, or "" (see ASKS)
    periods: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)

    @property
    def wants_points(self) -> bool:
        """Conditions, materials and steps are answered as short points."""
        return self.asks in ("materials", "steps", "conditions")


def strip_asks(text: str) -> str:
    """The question without what it asks for: "创业担保贷款能贷多少" → its topic, "创业担保贷款能贷"."""
    text = _WRAPPED_ASK.sub(r"\1", text)
    for cue in (_QUANTITY, *(c for _, c in ASKS)):
        text = cue.sub("", text)
    return _ASK_FRAME.sub("", _ASK_TAIL.sub("", text)).strip()


_ASK_TAIL = re.compile(r"[吗呢吧？?！!。，,\s]+$")
# What is left of an ask once its cue is gone ("要满足什么" of 要满足什么条件, "要" of 要交什么材料): words that
# say how a matter is asked about, never which matter, so a follow-up merged with the topic does not ask them again.
_ASK_FRAME = re.compile(r"(?:(?:要|需要|得|应该|必须)(?:满足|符合|具备|交|带|提供|准备)?|(?:满足|符合|具备))(?:什么|哪些|啥)?$|(?:是|有)?(?:什么|哪些|啥)$")
# "能申请临时救助吗": the ask wraps the matter, which stays ("申请临时救助").
_WRAPPED_ASK = re.compile(r"(?:能不能|可不可以|能否|是否可以|可以|能)(\w{2,8}?)[吗么嘛]")


def _asks(text: str) -> str:
    """The kind of answer asked (see ASKS), the most specific first; a materials noun that is not asked for
    ("交了材料以后") gives way to another ask the question makes."""
    found = [name for name, cue in ASKS if cue.search(text)]
    if found[1:] and found[0] == "materials" and not _ASKS_MATERIALS.search(text):
        return found[1]
    return found[0] if found else ""


def read_intent(text: str, periods: list[str], years: list[int]) -> Intent:
    t = text.strip()
    return Intent(
        chitchat=bool(_CHITCHAT.match(t)),
        offtopic=bool(_OFFTOPIC.search(t)),
        task=bool(_TASK.search(t)),
        doc_fact=bool(_DOC_FACT.search(t) or (_DOC_FACT_IF_NAMED.search(t) and _DOC_REF.search(t))),
        quantity=bool(_QUANTITY.search(_FEW.sub("", t))) and not (_HOW_TO.search(t) and not FIGURE_WORDS.search(t)),
        listing=bool(_LIST.search(t)),
        diff=bool(_DIFF.search(t)),
        met=bool(_MET.search(t)),
        unmet_list=bool(_UNMET_LIST.search(t)),
        rate=bool(_RATE.search(t)),
        compare=bool(_COMPARE.search(t)),
        attribute=bool(_ATTRIBUTE.search(t)),
        followup=bool(_FOLLOWUP.match(t)) or len(t) <= 8,
        asks=_asks(t),
        periods=list(periods),
        years=list(years),
    )
