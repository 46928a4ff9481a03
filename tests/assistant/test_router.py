"""The offline answerer against a real index of the plan: figures, conflicts, lists, refusals, follow-ups."""
import re

import pytest


def ask(engine, question: str, session: str | None = None):  # type: ignore[no-untyped-def]
    return engine.chat(question, session)


def test_figure_answer_cites_the_table_row(plan_engine) -> None:
    a, _ = ask(plan_engine, "2020年医保参保人数目标？")
    assert a.grounded and a.kind == "figure"
    assert "148.5万人" in a.text and "约束性" in a.text
    assert "专栏2" in a.citations[0].section and "基本医疗保险参保人数" in a.citations[0].text


def test_difference_is_computed_exactly(plan_engine) -> None:
    a, _ = ask(plan_engine, "生育保险参保人数要增加多少？")
    assert "1.7万人" in a.text and "8.3万人" in a.text and "10万人" in a.text


def test_conflicting_figures_are_both_given_with_both_sources(plan_engine) -> None:
    a, _ = ask(plan_engine, "2015年城镇职工基本养老保险参保人数是多少？")
    assert "45.73万人" in a.text and "42.32万人" in a.text
    sections = " ".join(c.section for c in a.citations)
    assert "专栏1" in sections and "专栏2" in sections


def test_twelfth_plan_met_and_unmet(plan_engine) -> None:
    a, _ = ask(plan_engine, "“十二五”时期工伤保险参保人数的目标完成了吗？")
    assert "未完成" in a.text and "27.33万人" in a.text and "32万人" in a.text
    b, _ = ask(plan_engine, "“十二五”城镇登记失业率目标完成了吗？")
    assert "已完成" in b.text
    c, _ = ask(plan_engine, "“十二五”时期哪些主要发展指标没有完成？")
    assert "有8项未完成" in c.text and len(c.citations) == 8


def test_constraint_list(plan_engine) -> None:
    a, _ = ask(plan_engine, "哪些指标是约束性的？")
    assert "共5项" in a.text
    for name in ["城镇职工基本养老保险", "基本医疗保险", "失业保险", "工伤保险", "生育保险"]:
        assert name in a.text


def test_document_facts(plan_engine) -> None:
    a, _ = ask(plan_engine, "这份规划的文号是什么？")
    assert "景人社发〔2018〕10号" in a.text and a.grounded


def test_policy_answer_has_cited_points(plan_engine) -> None:
    a, _ = ask(plan_engine, "我想开个网店，有补贴吗？")
    assert a.grounded and "电子商务" in a.text
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", a.text)}
    assert markers == {c.n for c in a.citations}


@pytest.mark.parametrize("question", [
    "创业担保贷款每人最多能贷多少？", "景德镇现在的最低工资是多少元？", "南昌市2020年基本医疗保险参保人数的目标是多少？",
    "2025年城镇新增就业目标是多少？", "个人所得税起征点是多少？", "今天天气怎么样？",
])
def test_refuses_what_the_documents_do_not_say(plan_engine, question: str) -> None:
    a, _ = ask(plan_engine, question)
    assert not a.grounded
    assert "12333" in a.text
    # Never a guessed number: any figure in a refusal comes from the question or the cited passages.
    cited = question + " ".join(c.text for c in a.citations)
    for num in re.findall(r"\d+(?:\.\d+)?", a.text.replace("12333", "")):
        assert num in cited


def test_follow_ups_resolve_against_the_previous_turn(plan_engine) -> None:
    _, sid = ask(plan_engine, "2020年医保参保人数目标是多少？")
    a, _ = ask(plan_engine, "那2015年的基数呢？", sid)
    assert "141.08万人" in a.text
    _, sid2 = ask(plan_engine, "工伤保险参保人数目标是多少")
    b, _ = ask(plan_engine, "那失业保险呢？", sid2)
    assert "14万人" in b.text
    _, sid3 = ask(plan_engine, "生育保险参保人数2020年目标？")
    c, _ = ask(plan_engine, "这个指标是约束性的吗？", sid3)
    assert "约束性" in c.text


def test_traditional_characters_and_typos(plan_engine) -> None:
    a, _ = ask(plan_engine, "生育保險參保人數2020年目標是多少")
    assert "10万人" in a.text
    b, _ = ask(plan_engine, "生育保线参保人数目标")
    assert "10万人" in b.text


def test_status_comes_from_the_manifest(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from core.settings import load_settings
    from assistant.engine import Engine
    from index.pipeline import build_index
    from tests.conftest import PLAN_PATH

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(PLAN_PATH, corpus / "plan.txt")
    (corpus / "manifest.csv").write_text("file,status\nplan.txt,规划期已结束\n", encoding="utf-8")
    settings = load_settings(index_dir=tmp_path / "index", data_dir=tmp_path / "data")
    build_index([corpus], settings.index_dir, settings)
    engine = Engine.open(settings=settings)
    a, _ = engine.chat("这个规划现在还有效吗？")
    assert a.grounded and "规划期已结束" in a.text
    engine.close()


def test_restated_target_reads_cleanly(plan_engine) -> None:
    a, _ = ask(plan_engine, "城镇调查失业率2020年目标是多少？")
    assert "4.5%" in a.text and "。。" not in a.text
    b, _ = ask(plan_engine, "“十三五”期间城镇新增就业的目标是多少？")
    assert "2.31万人" in b.text and "12万人" in b.text  # table and text state it differently: both, both cited
    assert len(b.citations) == 2
