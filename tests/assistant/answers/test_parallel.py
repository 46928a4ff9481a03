"""Figures a passage gives for several subjects in parallel (assistant/answers/parallel.py), on hand-made passages."""
from __future__ import annotations

from typing import Any

import pytest

from assistant.answers.parallel import ParallelFigures, figures, named_item, parallel_items, parallel_run, raw_sentences

FEES = ("二、缴费标准\n"
        "（一）在校学生：个人缴费标准为每人400元，财政补助标准为每人900元。\n"
        "（二）其他参保人员：个人缴费标准为每人500元，财政补助标准为每人800元。\n"
        "国家有新规定的，从其规定。")
TITLE = "某市关于开展居民医保集中参保缴费工作的通告"


def body(question: str, clause: str, passage: str = FEES, limit: int = 120) -> str | None:
    found = ParallelFigures().body(question, clause, passage, TITLE, limit)
    return found.text if found else None


def test_a_figure_is_read_with_what_it_is_of() -> None:
    (first, second) = figures("个人缴费标准为每人400元，财政补助标准为每人900元。")
    assert (first.label, first.phrase, first.unit) == ("个人缴费标准", "每人400元", "元")
    assert (second.label, second.phrase) == ("财政补助标准", "每人900元")
    assert figures("自2025年起执行。") == []  # a year is not a figure


def test_the_items_of_a_list_are_parallel_and_the_line_after_it_is_not() -> None:
    sentences = raw_sentences(FEES)
    assert parallel_run(sentences, 1) == sentences[1:3]
    assert parallel_run(sentences, 3) == [sentences[3]]


def test_each_item_gives_the_figure_that_stands_where_the_asked_one_stands() -> None:
    sentences = raw_sentences(FEES)
    items = parallel_items(sentences, 2, "财政补助标准为每人800元")
    assert items is not None
    assert [(i.subject, i.figure.phrase) for i in items] == [("在校学生", "每人900元"), ("其他参保人员", "每人800元")]


def test_a_question_naming_one_subject_gets_its_clause_with_the_subject_said() -> None:
    assert body("我是大学生，个人缴费要交多少钱", "个人缴费标准为每人400元") == "在校学生：个人缴费标准为每人400元。"
    # The subject asked leads even when the answer's clause was the other one's.
    assert body("学生个人缴费要交多少钱", "个人缴费标准为每人500元") == "在校学生：个人缴费标准为每人400元。"


def test_a_question_naming_none_gets_every_subject_with_its_figure() -> None:
    assert body("居民医保个人缴费要交多少钱", "个人缴费标准为每人400元") == "个人缴费标准：在校学生每人400元；其他参保人员每人500元。"


def test_a_residual_subject_and_words_of_the_title_name_no_one() -> None:
    items = parallel_items(raw_sentences(FEES), 1, "个人缴费标准为每人400元")
    assert items is not None
    assert named_item("其他人参保缴费交多少", items, TITLE) is None  # "其他" and 参保 (the title's) name no one
    assert named_item("在校生交多少", items, TITLE) == 0


def test_clauses_chained_by_semicolons_are_parallel_without_colons() -> None:
    passage = "城镇职工每人每月300元；农村居民每人每月200元。"
    assert body("每月补贴多少钱", "城镇职工每人每月300元", passage) == "城镇职工每人每月300元；农村居民每人每月200元。"
    assert body("农村居民每月补贴多少钱", "城镇职工每人每月300元", passage) == "农村居民每人每月200元。"


def test_the_clause_before_a_figure_names_its_subject() -> None:
    passage = ("对参加培训并取得证书的，给予培训补贴，其中甲类培训（A），每人最高可补贴300元；\n"
               "乙类培训（B），每人最高可补贴1200元；\n丙类实训每人最高可补贴2800元。")
    assert body("培训补贴最多多少钱", "每人最高可补贴1200元", passage) == \
        "每人最高可补贴：甲类培训（A）300元；乙类培训（B）1200元；丙类实训2800元。"
    # The bracket's own name ("（B）") names its subject too.
    assert body("参加BB培训最多补多少钱", "每人最高可补贴300元", passage.replace("（A）", "（AA）").replace("（B）", "（BB）")) \
        == "乙类培训（BB）：每人最高可补贴1200元。"


def test_tiers_of_a_penalty_are_not_parallel_subjects() -> None:
    passage = "伪造证照的，由登记机关没收违法所得，处10万元以下的罚款；\n情节严重的，处10万元以上50万元以下的罚款。"
    assert body("伪造证照罚多少", "处10万元以下的罚款", passage) is None


def test_a_figure_standing_alone_or_of_other_kinds_is_not_parallel() -> None:
    assert body("补贴多少钱", "补贴标准为每人1000元", "补贴标准为每人1000元。申请人须年满18周岁。") is None
    # Items whose figures are of different things (other words, other units) are a list, not parallel figures.
    listing = "（一）一次性创业补贴：补贴10000元。\n（二）场租补贴：期限最长3年。"
    assert body("一次性创业补贴多少钱", "补贴10000元", listing) is None


def test_more_subjects_than_fit_end_with_deng() -> None:
    passage = "\n".join(f"（{n}）第{n}类人员：补助标准为每人{k}00元。" for n, k in zip("一二三四五六", range(1, 7)))
    out = body("补助标准是多少", "补助标准为每人100元", passage, limit=40)
    assert out is not None and out.endswith("等。") and len(out) <= 40
    assert out.startswith("补助标准：第一类人员每人100元；第二类人员每人200元")


# End to end: a tiny library whose notice gives the fee for two subjects, searched and answered by the engine.
DOCS = {
    "某市居民医保缴费通告": "一、参保范围\n\n未参加职工医保的本市户籍人员和在校学生。\n\n" + FEES + "\n",
    "某市就业见习通知": "一、见习\n\n见习期满由见习单位出具见习证明，见习补贴每人每月1500元。\n",
    "某市窗口服务通知": "一、窗口\n\n人社窗口延长服务时间，个人业务可以预约办理。\n",
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from tests.retriever.conftest import engine_on

    eng = engine_on(tmp_path_factory.mktemp("parallel"), DOCS, embedding_backend="lsa", chunk_size=400)
    yield eng
    eng.close()


def test_the_engine_answers_the_subject_asked_or_each_subject(engine: Any) -> None:
    named, _ = engine.chat("我是大学生，居民医保个人缴费要交多少钱？")
    assert named.grounded and named.citations
    assert "在校学生：个人缴费标准为每人400元" in named.text and "500元" not in named.text
    unnamed, _ = engine.chat("居民医保个人缴费要交多少钱？")
    assert unnamed.grounded and unnamed.citations
    assert "在校学生每人400元；其他参保人员每人500元" in unnamed.text
    assert len(unnamed.text) <= 200  # the figure answer's cap


def test_circled_and_numbered_items_are_lists_too() -> None:
    for first, second in (("①", "②"), ("1.", "2.")):
        passage = f"{first}城镇职工：每人每月补贴300元。\n{second}农村居民：每人每月补贴200元。"
        assert body("每月补贴多少钱", "每人每月补贴300元", passage) == "城镇职工每人每月补贴300元；农村居民每人每月补贴200元。"
        assert body("农村居民每月补贴多少", "每人每月补贴300元", passage) == "农村居民每人每月补贴200元。"
