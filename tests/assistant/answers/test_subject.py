"""What a figure question asks the figure of."""
from __future__ import annotations

from assistant.answers.subject import asked_terms, names_asked, subject_terms

TERMS = {"福建": 4.0, "裁员": 4.5, "以内": 5.2, "失业保险": 4.1, "返还": 4.4, "稳岗": 4.0}


def test_the_words_before_the_question_word_are_what_is_asked() -> None:
    assert asked_terms("我们厂在福建，裁员率多少以内还能拿失业保险稳岗返还？", TERMS) == {"裁员"}
    assert asked_terms("稳岗返还大概有多少？", TERMS) == {"返还"}
    assert asked_terms("稳岗返还要交满几年？", TERMS) == set()  # a verb stands between
    assert asked_terms("家里收入不能超过多少？", {"收入": 3.0, "超过": 2.0}) == {"收入"}


def test_without_a_question_word_or_a_known_word_nothing_is_singled_out() -> None:
    assert asked_terms("福建的稳岗返还政策", TERMS) == set()
    assert asked_terms("在福建，能拿多少？", TERMS) == set()  # "能拿" names nothing; the clause break stops the reach
    assert names_asked("可返还失业保险费的50%", set())


def test_a_clause_names_what_is_asked() -> None:
    assert names_asked("裁员率调整为不超过企业参保职工总数的20%", {"裁员"})
    assert not names_asked("可返还其上年度实际缴纳失业保险费的50%", {"裁员"})
    # the word must come before the figure and near it
    assert not names_asked("裁员率标准调整为不高于上年度全国调查失业率的控制目标，对参保职工30人(含)以下的企业", {"裁员"})
    assert names_asked("拘留期限为五日以上十日以下", {"拘留"})
    assert names_asked("年满16周岁的孤儿", {"孤儿"})


def test_whose_measure_is_asked_is_the_word_just_before_the_measure() -> None:
    card = {"社保": 2.5, "社保卡": 2.0, "覆盖率": 4.3, "覆盖": 1.7, "达到": 2.6}
    assert subject_terms("社保卡覆盖率要达到多少", card) == {"社保卡"}  # the longest word, not 社保
    assert subject_terms("社保卡的覆盖率是多少", card) == {"社保卡"}
    assert subject_terms("覆盖率要达到多少", card) == set()  # nobody's measure is named


def test_a_verb_or_a_quantity_names_no_subject() -> None:
    assert subject_terms("创业担保贷款计划扶持多少人", {"计划": 1.0, "扶持": 2.0, "贷款": 1.0}) == set()
    assert subject_terms("区里一年补贴标准是多少", {"区里": 1.0, "一年": 1.0, "补贴标准": 2.0}) == set()
    assert subject_terms("区里补贴标准是多少", {"区里": 1.0, "补贴标准": 2.0}) == {"区里"}


def test_each_ask_of_a_question_names_what_it_asks() -> None:
    terms = {"定点医院": 4.0, "发热": 3.0, "门诊": 3.0, "黄冈": 5.0}
    assert asked_terms("黄冈的定点医院有几家？发热门诊又有多少个？", terms) == {"定点医院", "门诊"}


def test_a_verb_before_the_question_word_is_not_what_is_asked() -> None:
    # "准备录多少节" asks what is recorded: 准备 is not its measure, and a 准备 clause must not be singled out.
    assert asked_terms("教育局要自己录网课，准备录多少节？", {"准备": 3.0, "教育局": 5.0}) == set()
    assert asked_terms("发热门诊又有多少个？", {"门诊": 3.0}) == {"门诊"}  # 又有 links
