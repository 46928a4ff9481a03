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
