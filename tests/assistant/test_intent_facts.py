from assistant.facts import bigrams, match_indicators
from assistant.answers.units import answers_detail, expected_units, unit_fits
from assistant.intent import read_intent
from core.types import Indicator, Value


def _ind(name: str, unit: str = "万人") -> Indicator:
    return Indicator(id=name, doc_id="d", table_id="专栏2", caption="", group="", row=1, name=name, unit=unit,
                     values={"2020年目标": Value("1", 1.0)}, attribute=None, section_path=[], start=0, end=0)


def test_intent_flags() -> None:
    assert read_intent("你好", [], []).chitchat
    assert read_intent("生育保险参保人数要增加多少？", [], []).diff
    assert read_intent("“十二五”哪些指标没完成？", ["十二五"], []).unmet_list
    assert read_intent("这份规划的文号是什么？", [], []).doc_fact
    assert not read_intent("我想开个网店，有补贴吗？", [], []).chitchat
    assert read_intent("帮我写一首关于陶瓷的诗", [], []).task
    assert read_intent("把这段话翻译成英文", [], []).task
    assert not read_intent("创业补贴怎么申请？", [], []).task


def test_indicator_matching_prefers_the_named_indicator() -> None:
    inds = [_ind("失业保险参保人数"), _ind("工伤保险参保人数"), _ind("城镇调查失业率", "%")]
    best = match_indicators("失业保险参保人数2020年的目标值是多少", inds)[0]
    assert best.indicator.name == "失业保险参保人数"
    assert bigrams("生育保险") == {"生育", "育保", "保险"}


def test_units_and_details_asked() -> None:
    assert expected_units("能扶持多少人创业？") >= {"万人"}
    assert not unit_fits("亿元", expected_units("能扶持多少人创业？"), "小额信用担保贷款", "能扶持多少人创业？")
    assert not answers_detail("创业担保贷款每人最多能贷多少？", "发放创业担保贷款21亿元，扶持1.2万人创业。")
    assert answers_detail("农村老人每个月能领多少养老金？", "城乡居民基本养老保险月人均养老金达到80元")
    assert not answers_detail("医保住院报销的起付线是多少钱？", "住院费用支付比例稳定在75%左右")
