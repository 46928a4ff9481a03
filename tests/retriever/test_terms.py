"""TermWeights.coverage: the answerability check's share of a question's words found in passages."""
from __future__ import annotations

import pytest

from retriever.query import Thesaurus
from retriever.terms import TermWeights
from retriever.tokenize import Tokenizer


@pytest.fixture(scope="module")
def terms() -> TermWeights:
    tok = Tokenizer()
    idf = {w: 2.0 for w in tok.words("临时救助 审批 发放 救助金 工作日 多久 以后 多少钱")}
    return TermWeights(tok.words, idf, Thesaurus.parse([]))


def test_question_words_are_not_expected_in_passages(terms: TermWeights) -> None:
    weights = terms.weights("临时救助审批以后多久发放")
    assert {"多久", "以后"} <= set(weights)  # still weighed for sentence scoring
    passage = ["临时救助审批通过后，5个工作日内发放救助金。"]
    # 临时, 救助, 审批, 发放 are all in the passage; 多久 and 以后 are in no passage of any library.
    assert terms.coverage(weights, passage) == 1.0
    assert terms.coverage(weights, ["救助金按月发放。"]) == pytest.approx(
        sum(w for t, w in weights.items() if t in ("发放", "救助"))
        / sum(w for t, w in weights.items() if t not in ("多久", "以后")))



def test_the_local_share_leaves_out_the_words_of_the_title(terms: TermWeights) -> None:
    weights = terms.weights("临时救助审批以后多久发放")
    share = terms.local_matcher(weights)
    title = "临时救助审批办法"  # 临时, 救助, 审批 are in every passage of this document
    assert share(title, "救助金按月发放。") == 1.0  # 发放 is all that is left of the question
    assert share(title, "临时救助审批由区民政部门负责。") == 0.0
    assert share("", "救助金按月发放。") == pytest.approx(terms.coverage(weights, ["救助金按月发放。"]))
    assert share("临时救助审批后发放", "救助金按月发放。") == 0.0  # nothing left to tell passages apart


def test_a_word_inside_an_abbreviation_is_covered_by_the_spelled_out_wording() -> None:
    thesaurus = Thesaurus.parse(["公租房\t公共租赁住房", "生育津贴\t生育保险"])
    # The tokenizer may read either abbreviation as two words; these are the words it gives.
    split = {"公租房保障快到期了": ["公", "租房", "保障", "到期"], "生育津贴怎么领": ["生育", "津贴"]}
    tw = TermWeights(lambda text: split.get(text, []), {"租房": 2.0, "保障": 1.0, "到期": 1.0, "生育": 1.0, "津贴": 1.0},
                     thesaurus)
    passage = ["公共租赁住房保障期限届满3个月前提交申请。"]
    question = "公租房保障快到期了"
    assert tw.coverage(tw.weights(question), passage) == pytest.approx(0.25)  # 保障 only
    assert tw.coverage(tw.weights(question), passage, question) == pytest.approx(0.75)  # 租房 too
    # A broader wording does not spell the word out: 津贴 stays uncovered by a passage on 生育保险.
    asked = "生育津贴怎么领"
    assert tw.coverage(tw.weights(asked), ["参加生育保险的职工。"], asked) == pytest.approx(0.5)


def test_at_most_and_at_least_are_how_a_question_asks() -> None:
    # Passages write the limit ("不低于200元", "最高30万元"), never 最少 or 最多.
    tw = TermWeights(lambda text: [w for w in ("补贴", "最少", "最多") if w in text], {"补贴": 1.0, "最少": 3.0, "最多": 3.0},
                     Thesaurus.parse([]))
    assert tw.coverage(tw.weights("补贴最少能领多少"), ["每月补贴不低于200元。"]) == 1.0
    assert tw.coverage(tw.weights("补贴最多能领多少"), ["补贴最高3000元。"]) == 1.0


def test_a_term_s_forms_are_itself_and_its_thesaurus_wordings() -> None:
    tw = TermWeights(lambda t: [t], {}, Thesaurus.parse(["社保卡\t社会保障卡", "社保\t社会保险|社会保障"]))
    assert tw.forms("社保卡") == ("社保卡", "社会保障卡")
    assert tw.forms("社保") == ("社保", "社会保险", "社会保障")
    assert tw.forms("覆盖率") == ("覆盖率",)


def test_a_text_is_weighed_once_and_each_caller_gets_its_own_dict() -> None:
    calls: list[str] = []

    def words(text: str) -> list[str]:
        calls.append(text)
        return ["补贴", "标准"]

    tw = TermWeights(words, {"补贴": 2.0, "标准": 1.0}, Thesaurus.parse([]))
    first = tw.weights("补贴标准")
    first["补贴"] = 0.0  # a caller re-weighing its copy (own_words_first does)
    assert tw.weights("补贴标准") == {"补贴": 2.0, "标准": 1.0}
    assert calls == ["补贴标准"]


def test_a_dropped_term_weights_is_freed_at_once() -> None:
    import gc
    import weakref

    tw = TermWeights(lambda t: [t], {"补贴": 1.0}, Thesaurus.parse([]))
    tw.weights("补贴")
    gone = weakref.ref(tw)
    gc.disable()  # a reference cycle through the cache would hold the IDF (and its files) until the collector
    try:
        del tw
        assert gone() is None
    finally:
        gc.enable()


def test_a_number_in_words_weighs_nothing_but_a_rate_or_a_period_does() -> None:
    tok = Tokenizer()
    terms = TermWeights(tok.words, {}, Thesaurus.parse([]))
    weights = terms.weights("送去了四十多个工人，两家亲戚七八个人，一年补多少，十三五目标")
    assert not {"四十", "四十多个", "多个", "两家", "七八个", "八个"} & set(weights), weights
    assert {"工人", "亲戚", "一年", "十三五"} <= set(weights)
