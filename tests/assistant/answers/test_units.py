"""Units and details a question asks for."""
from assistant.answers.units import answers_detail, expected_units, states_asked_number, unit_fits


def test_units_and_details_asked() -> None:
    assert expected_units("能扶持多少人创业？") >= {"万人"}
    assert not unit_fits("亿元", expected_units("能扶持多少人创业？"), "小额信用担保贷款", "能扶持多少人创业？")
    assert not answers_detail("创业担保贷款每人最多能贷多少？", "发放创业担保贷款21亿元，扶持1.2万人创业。")
    assert answers_detail("农村老人每个月能领多少养老金？", "城乡居民基本养老保险月人均养老金达到80元")
    assert not answers_detail("医保住院报销的起付线是多少钱？", "住院费用支付比例稳定在75%左右")


def test_a_question_asking_two_figures_accepts_both_units() -> None:
    assert expected_units("要发行多少张卡，覆盖多大比例的人口？") >= {"张", "%"}
    assert states_asked_number("覆盖百分之多少", ["覆盖全市90%人口"])
    assert not states_asked_number("覆盖百分之多少", ["发行150万张"])


def test_hours_answer_a_how_many_hours_question() -> None:
    q = "每天线上学习总时长为几个小时？"
    assert states_asked_number(q, ["小学、初中、高中分别不超过2小时、4小时、5小时"])
    assert not states_asked_number(q, ["共有3个年级"])
