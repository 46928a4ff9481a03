"""Headings, bylines and answer kinds, on hand-made sentences and passages."""
from __future__ import annotations

from assistant.answers.config import AnswerConfig
from assistant.answers.passages import chunk_sentences, score_sentences
from assistant.answers.shape import answer_cues, holds_answer, is_byline, is_heading
from core.types import Chunk, Hit


def _hit(text: str, title: str = "关于支持企业的若干措施") -> Hit:
    return Hit(chunk=Chunk(id="c1", doc_id="d", doc_title=title, section_path=["前言"], text=text, start=0,
                           end=len(text), kind="text"), score=1.0)


def test_bylines_datelines_and_annotations_are_not_answers() -> None:
    assert is_byline("福建省人力资源和社会保障厅办公室")
    assert is_byline("四川省应对新冠肺炎疫情应急指挥部2020年2月13日。")
    assert is_byline("（责任单位：市财政局、各区政府）")
    assert is_byline("1.")
    assert not is_byline("各地人力资源社会保障部门要做好复工人员健康监测，及时报告。")
    assert not is_byline("失业保险金按月发放。")


def test_a_heading_is_short_and_introduces_nothing_by_punctuation() -> None:
    assert is_heading("5.落实稳岗用工政策。") and is_heading("六、相关单位和个人责任")
    assert not is_heading("申请人应提交以下材料：") and not is_heading("对参保企业，按规定返还。")


def test_a_heading_is_read_with_the_body_it_heads() -> None:
    hit = _hit("5.落实稳岗用工政策。用好用足失业保险稳岗返还政策，对不裁员的参保企业返还。6.维护企业权益。\n"
               "1.身份证。\n2.营业执照。")
    sentences = chunk_sentences(hit.chunk)
    assert sentences[0] == "5.落实稳岗用工政策。用好用足失业保险稳岗返还政策，对不裁员的参保企业返还。"
    # A list of short items stays a list.
    assert sentences[-2:] == ["1.身份证。", "2.营业执照。"]


def test_the_heading_brings_its_body_into_the_best_sentence() -> None:
    hit = _hit("5.落实稳岗用工政策。用好用足失业保险稳岗返还政策，对不裁员的参保企业返还。"
               "支持企业多渠道发布用工需求信息。")
    ranked = score_sentences([hit], {"稳岗": 3.0, "用工": 2.0, "政策": 1.0}, "稳岗用工政策有哪些要求",
                             want_number=False, cfg=AnswerConfig())
    assert "用好用足失业保险稳岗返还政策" in ranked[0].text


def test_a_signature_line_does_not_lead() -> None:
    hit = _hit("各地要做好复工人员健康监测，及时报告异常情况，确保复工安全有序。\n福建省人力资源和社会保障厅办公室")
    ranked = score_sentences([hit], {"人力资源": 2.0, "社会保障": 2.0, "复工": 2.0}, "人力资源社会保障厅对复工有何要求",
                             want_number=False, cfg=AnswerConfig())
    assert ranked[0].text.startswith("各地要做好复工")


def test_a_when_question_prefers_the_sentence_with_a_date() -> None:
    assert answer_cues("图书馆何时开始闭馆") and not answer_cues("图书馆闭馆期间能借书吗")
    hit = _hit("图书馆开馆时间将根据图书馆上级通知确定。为做好防控工作，自2020年1月24日起，图书馆全线闭馆。",
               title="图书馆闭馆期间常见问题解答")
    ranked = score_sentences([hit], {"图书馆": 3.0, "闭馆": 3.0, "开始": 2.0}, "图书馆自哪天开始闭馆",
                             want_number=False, cfg=AnswerConfig())
    assert "1月24日" in ranked[0].text
    assert ranked[0].score > score_sentences([hit], {"图书馆": 3.0, "闭馆": 3.0, "开始": 2.0}, "图书馆自哪天开始闭馆",
                                             want_number=False, cfg=AnswerConfig(answer_cue=1.0))[0].score


def test_where_and_fee_questions_know_their_answers() -> None:
    assert holds_answer(answer_cues("在哪里上报问题"), "市民可登录各区融媒体客户端反映问题。")
    assert holds_answer(answer_cues("发票寄递业务如何收费"), "四川邮政免费为您邮寄。")
    assert not holds_answer(answer_cues("发票寄递业务如何收费"), "关注微信公众号，访问办税服务功能。")


def test_a_passage_far_below_the_best_in_retrieval_does_not_lead() -> None:
    best = _hit("复工企业要做好员工健康监测。")
    weak = Hit(chunk=Chunk(id="c2", doc_id="e", doc_title="另一文件", section_path=["前言"],
                           text="复工企业员工健康监测和防控物资储备要求。", start=0, end=20, kind="text"), score=0.3)
    terms = {"复工": 2.0, "健康监测": 2.0, "防控物资": 1.0}
    ranked = score_sentences([best, weak], terms, "复工企业健康监测和防控物资有何要求", want_number=False,
                             cfg=AnswerConfig())
    assert ranked[0].hit is best
    unweighted = score_sentences([best, weak], terms, "复工企业健康监测和防控物资有何要求", want_number=False,
                                 cfg=AnswerConfig(hit_weight=0.0))
    assert unweighted[0].hit is weak


def test_a_purpose_question_prefers_the_sentence_stating_the_purpose() -> None:
    cues = answer_cues("发布这份工作提醒的目的是什么")
    assert holds_answer(cues, "为进一步加强餐饮服务环节疫情防控工作，区市场监管局提醒各单位：")
    assert not holds_answer(cues, "近期，部分单位陆续开始上班。")


def test_a_long_name_does_not_count_once_for_each_of_its_parts() -> None:
    from assistant.answers.passages import _covered

    weights = {"大渡口区": 6.0, "大渡口": 6.0, "渡口": 6.0, "食堂": 4.0, "目的": 4.0}
    assert _covered(weights, "大渡口区市场监督管理局", 1.0) == 18.0
    assert _covered(weights, "大渡口区市场监督管理局", 0.5) == 12.0
    assert _covered(weights, "为加强食堂管理，特提醒", 0.5) == 4.0


def test_a_question_stating_an_age_prefers_the_age_condition() -> None:
    assert answer_cues("我58岁女的，能申请一次性创业资助吗") and answer_cues("积分入户年龄有什么限制")
    assert not answer_cues("一次性创业资助能申请吗")
    hit = _hit("一次性创业资助对象为初创企业的法定代表人，补贴标准10000元，可申请一次性创业资助。"
               "申请创业资助的，女性不超过55周岁、男性不超过60周岁。", title="一次性创业资助申领指引")
    terms = {"一次性": 2.0, "创业": 2.0, "资助": 3.0, "申请": 1.0}
    ranked = score_sentences([hit], terms, "我58岁女的，能申请一次性创业资助吗", want_number=False, cfg=AnswerConfig())
    assert "55周岁" in ranked[0].text
    plain = score_sentences([hit], terms, "我58岁女的，能申请一次性创业资助吗", want_number=False,
                            cfg=AnswerConfig(answer_cue=1.0))
    assert "10000元" in plain[0].text  # without the cue, the sentence sharing most words leads
