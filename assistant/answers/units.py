"""Whether a figure is of the kind a question asks: its unit, per-person or limit wording."""
from __future__ import annotations

import re

from assistant.answers.shape import MATERIALS
from core.quantities import UNIT_PATTERN, as_digits

_UNIT_CUES = [
    # Not "给多少人才补贴" (how much talent subsidy), nor 人民/人力/人社.
    (re.compile(r"多少(个)?人(?![才民力社])|几个人|多少名|几名|多少人次"), {"万人", "人", "名", "人次", "万人次"}),
    (re.compile(r"多少钱|多少元|几块|多少万元|多少亿|金额"), {"元", "万元", "亿元"}),
    (re.compile(r"多少张|几张"), {"张", "万张"}),
    (re.compile(r"比例|比重|百分之|占比|多少%|率是多少|几成"), {"%"}),
    (re.compile(r"几个(?!小时)|多少个(?!小时)"), {"个", "所", "家", "项"}),
    (re.compile(r"几个?小时|多少个?小时"), {"小时"}),
]
# A question asking the most one can get ("最多能贷多少").
LIMIT_ASK = re.compile(r"最多|最高|最长|上限|额度|封顶")
# What a per-unit or limit question asks about, and the words a passage needs to answer it.
_PER_UNIT = [
    # ... asked of: "每人能补多少", not the asker's own account ("单位给我们每人发了几盒口罩，要交个税吗").
    (re.compile(r"(?:每人|每个人|人均)[^，,。？?！!；;]{0,12}?(?<![了过])(?:多少|几|标准|怎么算)"), re.compile(r"每人|人均|每个人")),
    # A monthly amount, not a date in some month ("4月26日").
    (re.compile(r"(每月|每个月)[^，。？?]{0,8}(多少|几)"), re.compile(r"每月|每个月|每人每月|月人均|月均|按月|[/／]月|一个月|月标准|月工资|月缴费|月领取")),
    # Where, what to bring and how to apply each need their own kind of answer: a sentence naming a
    # procedure ("改进经办流程") does not say what documents to bring.
    (re.compile(r"哪里?.{0,2}办|在哪.{0,2}办"),
     re.compile(r"窗口|地址|中心|大厅|办理地点|机构|部门|申请|办理|受理|登录|平台|网站|网上|线上|App|APP|小程序|"
                r"路\d|\d+号")),  # or the address itself ("石牌东路127号1楼")
    (re.compile(r"什么材料|带什么|要带|哪些材料|(准备|交|提交|携带|出示)(什么|哪些|啥)|什么(证件|证明|票据|凭证|资料)"
                r"|哪些(证件|证明|票据|凭证|资料)"),
     MATERIALS),
    (re.compile(r"办理流程|什么手续|怎么办理|如何办理|怎么申请|如何申请"),
     re.compile(r"流程|手续|步骤|申请|办理|提交|登录|受理|递交|平台|网站|网上|线上|窗口|App|APP|小程序")),
    (re.compile(r"每户"), re.compile(r"每户|户均")),
    # A limit raised to a figure ("一次取药量放宽至3个月") states the most one can get.
    (LIMIT_ASK,
     re.compile(r"最高|最多|最长|至多|上限|额度|限额|封顶|不超过|不得超过|未超过|不高于|以内|(?:放宽|延长)[至到]")),
    (re.compile(r"最低|最少|下限"), re.compile(r"最低|最少|下限|不低于|不少于|至少|不足|起")),
    # How much something went up ("养老金涨了多少") is said by a sentence that states a rise, not by any figure of it.
    (re.compile(r"涨了?多少|涨了?几|上调了?多少|涨幅"), re.compile(r"提高|增加|上调|调增|增长|上涨|涨|增幅|调整")),
    (re.compile(r"起付"), re.compile(r"起付")),
    (re.compile(r"档次"), re.compile(r"档次")),
    (re.compile(r"缴费比例|费率"), re.compile(r"缴费比例|费率")),
    (re.compile(r"几岁|多少岁"), re.compile(r"岁")),
    # A duration, not a date or a rate: "15个工作日", "3个月", not "2025年", "6月底", "12月20日" or "每满1年".
    (re.compile(r"多长时间|多久"),
     re.compile(r"(?<!每满)(?<![\d年月每])\d{1,3}\s*(个)?(工作日|日|天|周|月|年|小时|分钟)(?![底初中份\d])")),
    # Only when the years are what is asked ("补几年？", "要交满多少年退休"), not told ("交了几年社保，能转吗").
    (re.compile(r"(几|多少)年(?=\s*[？?。！!吗呢]?(\s|$)|才)|[满够足](几|多少)年"), re.compile(r"(?<![\d年月])\d{1,2}\s*(个)?(年|周年)(?![底初中份度\d])")),
    (re.compile(r"(?<![哪那这])几天|多少天"), re.compile(r"(?<![\d年月])\d{1,3}\s*(个)?(工作日|日|天)(?![\d])")),
    # "个人最多能贷多少" asks a per-person limit, which a programme's total does not answer.
    # So does how much one can get oneself ("我想自己创业，能贷多少"), unless a business is what asks.
    (re.compile(r"个人(最多|最高|能贷|能拿|能领)|(?<!企业)(?<!公司)(?<!单位)(?:自己|本人)(?![的家])[^。？?！!企公单]{0,12}(?:最多|最高|能贷|能拿|能领)"
                r"[^。？?！!]{0,6}多少"),
     re.compile(r"个人|每人|人均|每名")),
]
# "补贴多少", "一年补多少", "最多能贷多少万", "有补贴吗？多少？": an amount of money, though the question doesn't say 元.
_MONEY_ASKED = re.compile(r"(补贴|补助|津贴|资助|奖励|奖金|救助金|失业金|养老金|抚恤金|工资|贷款|罚款|贷|罚|补(?![交缴办录充])|交|缴)"
                          r"(?:[^，。？?,]|吗[？?])" "{0,8}多少(?![个人名天年月分岁次张项家倍%]|万人)|多少(补贴|补助|津贴|资助|奖励)")
MONEY = frozenset({"元", "万元", "亿元"})
# "2万个岗位" counts 个 (a magnitude before a counter), where "2万人" keeps its unit 万人.
_NUMBER_WITH_UNIT = re.compile(rf"\d+(?:\.\d+)?(?:[万亿](?=[个家所项名户张次]))?({UNIT_PATTERN}|名|小时)?")
_RATIO = re.compile(r"\d+\s*[:：∶比]\s*\d+")


def expected_units(q: str) -> set[str]:
    """The units a question's wording can be answered in (all it asks for); empty when it doesn't say."""
    out: set[str] = set()
    for pattern, units in _UNIT_CUES:
        if pattern.search(q):
            out |= units
    return out


def unit_fits(unit: str | None, wanted: set[str], fact_text: str, q: str) -> bool:
    """A total can't answer a per-person question, nor a rate a question about yuan."""
    if wanted and (unit or "") not in wanted:
        return False
    return answers_detail(q, fact_text)


def answers_detail(q: str, fact_text: str) -> bool:
    """A question about a per-person amount, a limit or a bracket needs a passage that states that detail."""
    needed = [needs for asks, needs in _PER_UNIT if asks.search(q)]
    fact_text = as_digits(fact_text) if needed else fact_text  # "五日以上" states a duration too
    return all(needs.search(fact_text) for needs in needed)


def states_asked_number(q: str, sentences: list[str]) -> bool:
    """Does a sentence hold a number of the kind asked (unit, per-person, limit)?"""
    units = expected_units(q)
    for s in map(as_digits, sentences):
        if "比例" in q and _RATIO.search(s):
            return True  # a ratio such as 10:38:52 answers "比例要达到多少"
        for m in _NUMBER_WITH_UNIT.finditer(s):
            if unit_fits(m.group(1), units, s, q):
                return True
    return False


_FEE = re.compile(r"[\u4e00-\u9fff]{1,3}[费税]")
_WAIVER = re.compile(r"免收|免征|免交|免缴|免除|免费|零收费|不收取|不再收取|不予收取")


def waives_fee(q: str, passages: list[tuple[str, str]]) -> bool:
    """Does a (sentence, its document's title) waive the fee asked? "首次注册要交多少注册费" of "注册执行零收费" in
    "广西免收…注册费…": nothing to pay is the amount asked. The fee is named by the sentence or the title."""
    fees = {m.group(0)[-3:] for m in _FEE.finditer(q)}
    return any(_WAIVER.search(text) and any(f in text + title for f in fees) for text, title in passages)


def money_asked(q: str) -> bool:
    """Does the question ask an amount of money (a subsidy, a loan, a fine) without naming the unit?"""
    return bool(_MONEY_ASKED.search(q)) and not expected_units(q)


def holds_units(text: str, units: frozenset[str] | set[str]) -> bool:
    """Does the text hold a number in one of these units ("五百元" too)?"""
    return any(m.group(1) in units for m in _NUMBER_WITH_UNIT.finditer(as_digits(text)))


# An amount set as a share of a money base ("不低于本市最低工资标准80%") is an amount of money too.
_SHARE_OF_MONEY = re.compile(r"(工资|标准|基数|收入|费用)[^，。；;]{0,6}?\d+(?:\.\d+)?\s*%")


def states_money(text: str) -> bool:
    """Does the text state an amount of money, in yuan or as a share of a wage or standard?"""
    return holds_units(text, MONEY) or bool(_SHARE_OF_MONEY.search(as_digits(text)))
