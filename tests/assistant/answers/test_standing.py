"""The asker's standing ("我开旅行社的") and the sentence of the answering document that names it."""
from __future__ import annotations

from assistant.answers.standing import standing_clause, standing_words
from core.types import Chunk


def _chunk(title: str = "税收优惠政策指引") -> Chunk:
    return Chunk(id="c1", doc_id="d", doc_title=title, section_path=["一"], text="x", start=0, end=1)


TERMS = {"旅行社": 5.0, "旅行": 4.0, "亏损": 3.0, "福建": 4.0, "护士": 4.0}


def test_the_standing_words_are_those_of_the_asker_s_account_of_themselves() -> None:
    assert standing_words("我开旅行社的，亏损能往后抵几年？", TERMS) == ["旅行社", "旅行"]
    assert standing_words("亏损能往后抵几年？", TERMS) == []


def test_the_shortest_plain_sentence_naming_the_standing_is_given_unless_the_answer_says_it() -> None:
    c = _chunk()
    sentences = [(c, "困难行业企业，包括交通运输、餐饮、住宿、旅游（指旅行社及相关服务、游览景区管理两类）四大类。"),
                 (c, "全市旅行社2月共有120家停业，亏损约3亿元，较上年同期增加。"),  # figures of its own
                 (c, "旅行社须知")]  # a heading
    found = standing_clause(["旅行社"], "最长结转年限由5年延长至8年", sentences, 100)
    assert found is not None and found[1].startswith("困难行业企业，包括") and found[0] is c
    assert standing_clause(["旅行社"], "旅行社的亏损最长结转8年", sentences, 100) is None  # already said
    assert standing_clause(["旅行社"], "结转8年", sentences[1:], 100) is None


def test_a_word_of_the_document_s_title_is_no_standing_to_add() -> None:
    c = _chunk("关于支持旅行社纾困的通知")
    assert standing_clause(["旅行社"], "结转8年", [(c, "困难行业企业，包括旅游（指旅行社及相关服务）四大类。")], 100) is None
