"""Sentence scoring and cutting on hand-made passages."""
from __future__ import annotations

from assistant.answers.config import AnswerConfig
from assistant.answers.passages import (
    Sentence, chunk_sentences, clause_weight, figure_clauses, clip, focus, has_figure, needs_continuation, pick, ranked_clauses, score_sentences,
)
from core.types import Chunk, Hit


def _hit(text: str, kind: str = "text", cid: str = "c1") -> Hit:
    return Hit(chunk=Chunk(id=cid, doc_id="d", doc_title="T", section_path=["一、总则"], text=text, start=0,
                           end=len(text), kind=kind), score=1.0)


CARD = _hit("02 社会保障卡工程：大力发行社会保障卡150万张，覆盖全市90%人口；实现社会保障卡终端服务基本全覆盖。")


def test_qa_chunks_offer_their_answer_sentences() -> None:
    qa = _hit("问：失业保险金怎么领？\n答：携带身份证到窗口申请。也可网上办理。", kind="qa")
    assert chunk_sentences(qa.chunk) == ["携带身份证到窗口申请。", "也可网上办理。"]


def test_the_clause_with_the_asked_figure_beats_the_first_figure() -> None:
    terms = {"社保卡": 1.0, "覆盖": 2.0, "人口": 1.0}
    ranked = score_sentences([CARD], terms, "社保卡覆盖多少人口", want_number=True, cfg=AnswerConfig())
    clauses = ranked_clauses(ranked, terms, lambda c: "%" in c, limit=150)
    assert clauses[0][2] == "大力发行社会保障卡150万张，覆盖全市90%人口"


def test_a_term_inside_a_longer_one_the_clause_holds_counts_once() -> None:
    terms = {"博士": 8.0, "毕业": 5.0, "毕业生": 5.0, "业生": 5.0, "补贴": 3.0}
    assert clause_weight("本科毕业生给予每人5000元补贴", terms) == 8.0  # 毕业生 + 补贴, not 毕业 and 业生 as well
    assert clause_weight("博士研究生给予每人30000元补贴", terms) == 11.0


def test_the_clause_naming_the_asked_person_leads_the_one_naming_wordings_of_a_longer_word() -> None:
    hit = _hit("对新聘用的毕业生，博士研究生给予每人30000元补贴，本科毕业生给予每人5000元补贴。")
    terms = {"博士": 8.0, "毕业": 5.0, "毕业生": 5.0, "业生": 5.0, "补贴": 3.0}
    ranked = score_sentences([hit], terms, "博士毕业给多少补贴", want_number=True, cfg=AnswerConfig())
    assert ranked_clauses(ranked, terms, lambda c: "元" in c, limit=150)[0][2] == "博士研究生给予每人30000元补贴"


def test_years_and_list_numbers_are_not_figures() -> None:
    assert not has_figure("到2020年，")
    assert not has_figure("7. 失业保险参保人数（万人）：")
    assert has_figure("补贴3000元")


def test_focus_keeps_the_clauses_that_hold_the_question() -> None:
    long = "为深入贯彻落实上级部署，全面加强组织领导，切实压实各方责任，" * 4 + "深入推进五型人社建设，提升服务水平。"
    out = focus(long, {"五型人社": 3.0, "推进": 1.0}, 40)
    assert "深入推进五型人社建设" in out and len(out) <= 42 and out.startswith("…")


def test_clip_cuts_at_a_clause_boundary() -> None:
    assert clip("第一句话，第二句话很长很长", 8) == "第一句话…"
    assert clip("短句", 8) == "短句"


def test_pick_skips_near_duplicates_and_weak_tails() -> None:
    h = _hit("x")
    s = [Sentence("创业补贴最高1万元", h, 0, 0, 10.0), Sentence("创业补贴最高1万元。", h, 0, 1, 9.0),
         Sentence("另有场地补贴", h, 0, 2, 5.0), Sentence("无关", h, 0, 3, 1.0)]
    assert [x.text for x in pick(s)] == ["创业补贴最高1万元", "另有场地补贴"]


def test_an_introducing_sentence_needs_what_follows() -> None:
    assert needs_continuation("申请人应提交以下材料：") and needs_continuation("办理流程")
    assert not needs_continuation("初创企业登记注册满6个月的，可申请一次性创业资助。")


def test_a_figure_clause_takes_the_clause_naming_what_is_asked() -> None:
    from assistant.answers.passages import figure_clauses

    terms = {"syb": 3.0, "培训": 1.0}
    sentence = "其中创业意识培训（GYB）补贴800元；创办企业培训（SYB），可补贴1200元；网络创业培训可补贴2000元"
    clauses = figure_clauses(sentence, lambda c: True, 200, terms)
    assert "创办企业培训（SYB），可补贴1200元" in clauses
    # a clause that names something asked itself stands alone
    assert "网络创业培训可补贴2000元" in clauses


def test_latin_question_words_match_whatever_their_case() -> None:
    from assistant.answers.passages import _covered

    assert _covered({"syb": 2.0}, "创办企业培训（SYB）", 1.0) == 2.0


def test_a_clause_with_its_figure_in_chinese_numerals_is_a_figure_clause() -> None:
    from assistant.answers.passages import figure_clauses

    clauses = figure_clauses("有下列行为之一的，处五日以上十日以下拘留，涉及三项社会保险", lambda c: True, 200, {"拘留": 1.0})
    assert clauses == ["处五日以上十日以下拘留"]


def test_the_colon_of_a_time_does_not_end_a_clause() -> None:
    from assistant.answers.passages import figure_clauses

    sentence = "6月27日10：00—7月1日15:00，申请人登录系统填报志愿"
    clauses = figure_clauses(sentence, lambda c: True, 200, {"志愿": 1.0})
    assert clauses[0].startswith("6月27日10：00—7月1日15:00"), clauses
    # a label's colon still ends its clause: "补贴标准：" + "10000元"
    assert figure_clauses("补贴标准：10000元", lambda c: True, 200, {})[0] == "补贴标准：10000元"


def test_a_list_answer_starts_at_item_one_past_the_items_own_notes() -> None:
    from assistant.answers.passages import items_before

    hit = _hit("（一）必需材料\n1.《待遇申报表》。\n填报须知：须本人签名。\n有单位的由单位提交。\n2.《退休时间申请书》。\n"
               "填报须知：当月提交。\n3.本人社会保障卡。")
    sentences = chunk_sentences(hit.chunk)
    pos = next(i for i, t in enumerate(sentences) if t.startswith("2."))
    before = items_before(Sentence(sentences[pos], hit, 0, pos), limit=3)
    assert len(before) == 1 and before[0].startswith("1.《待遇申报表》"), before


def test_an_answer_at_the_first_of_two_options_goes_on_to_the_second() -> None:
    from assistant.answers.passages import continue_enumeration

    rest = ["第二种方式为窗口申请，到区人社局窗口提交材料。", "第三种方式为邮寄。", "另附说明。"]
    body = continue_enumeration("可在以下方式中任选其一。第一种方式为网上申请。", "第一种方式为网上申请。", rest, 200)
    assert body.endswith("第一种方式为网上申请。第二种方式为窗口申请，到区人社局窗口提交材料。第三种方式为邮寄。")
    assert continue_enumeration("一是甲。", "一是甲。", ["三是丙。"], 200) == "一是甲。"  # not the next one
    # the last option that does not fit whole is cut at a clause
    cut = continue_enumeration("一是甲。", "一是甲。", ["二是乙，" + "很长" * 40], 40)
    assert cut.startswith("一是甲。二是乙") and len(cut) <= 41


def test_a_passage_ranked_far_below_the_best_needs_clearly_more_of_the_question_to_lead() -> None:
    def hit(text: str, score: float, cid: str) -> Hit:
        return Hit(chunk=Chunk(id=cid, doc_id=cid, doc_title="T", section_path=["一、总则"], text=text, start=0,
                               end=len(text)), score=score)

    # The second passage shares one more question word, but retrieval put it at 0.7 of the best one.
    hits = [hit("创业补贴由区人社局按月发放到企业账户。", 1.0, "a"), hit("创业补贴申请由区人社局受理并发放。", 0.7, "b")]
    terms = {"创业": 1.0, "补贴": 1.0, "申请": 1.0, "受理": 1.0}
    ranked = score_sentences(hits, terms, "创业补贴申请受理", want_number=False, cfg=AnswerConfig())
    assert ranked[0].hit.chunk.id == "a"


def test_a_numbered_heading_keeps_a_body_too_short_to_stand_alone() -> None:
    page = _hit("八、收费标准\n不收费\n九、办理时限\n法定办结时限为二十个工作日，承诺十个工作日。")
    assert chunk_sentences(page.chunk) == ["八、收费标准：不收费", "九、办理时限。法定办结时限为二十个工作日，承诺十个工作日。"]
    # A short line after an unnumbered one is dropped as before: it is no body of a heading.
    assert chunk_sentences(_hit("申请人须本人到场\n不收费").chunk) == ["申请人须本人到场"]


def test_brackets_of_one_document_are_both_kept_with_their_labels() -> None:
    hit = _hit("（一）在校学生：个人缴费标准为每人413元，财政补助标准为每人956元。（二）其他参保人员：个人缴费标准为每人549元，财政补助标准为每人820元。")
    student, other = chunk_sentences(hit.chunk)
    chosen = pick([Sentence(student, hit, 0, 0, 1.0), Sentence(other, hit, 0, 1, 0.9)])
    assert [s.text for s in chosen] == [student, other]  # near copies, but other brackets
    fits = lambda c: "元" in c  # noqa: E731
    terms = {"个人": 1.0, "缴费标准": 1.0}
    assert figure_clauses(other, fits, 200, terms)[0] == "其他参保人员：个人缴费标准为每人549元"
    # A near copy without labels is still one sentence said twice.
    copy = _hit("个人缴费标准为每人413元，财政补助标准为每人956元。个人缴费标准为每人413元，由税务部门征收。")
    first, second = chunk_sentences(copy.chunk)
    assert len(pick([Sentence(first, copy, 0, 0, 1.0), Sentence(second, copy, 0, 1, 0.9)])) == 1


def test_a_stated_duration_lifts_the_sentences_that_set_a_condition_on_it() -> None:
    hit = _hit("申请临时救助的，可以向户籍所在地的镇人民政府或者街道办事处提出申请，由其受理并审核后报区民政部门。\n"
               "持有本市居住证满1年以上的非本市户籍人员，在本市居住期间因遭遇火灾、交通事故等突发事件导致基本生活陷入困境的，可以向居住地申请临时救助。")
    terms = {"申请": 1.0, "临时": 1.0, "救助": 1.0, "户籍": 1.0}

    def first(question: str, cfg: AnswerConfig) -> str:
        return score_sentences([hit], terms, question, want_number=False, cfg=cfg)[0].text

    asked = "我不是本地户籍，在这里住了两年，能申请临时救助吗"
    assert first(asked, AnswerConfig()).startswith("持有本市居住证满1年以上")
    assert first(asked, AnswerConfig(range_match=1.0)).startswith("申请临时救助的")
    assert first("我不是本地户籍，能申请临时救助吗", AnswerConfig()).startswith("申请临时救助的")  # nothing stated


def test_a_condition_clause_is_read_with_what_follows() -> None:
    text = "按上述公式计算每户每月住房租赁补贴不足200元的，按照200元／月予以发放。"
    assert figure_clauses(text, lambda c: True, 200)[0] == text
    # A clause that says its figure whole stands alone.
    assert figure_clauses("每人补贴300元，由区人社局发放。", lambda c: True, 200) == ["每人补贴300元"]


def test_a_yes_no_question_s_own_figure_lifts_the_sentence_stating_it() -> None:
    hit = _hit("购置设备允许一次性在税前扣除，企业在申报时填入扣除行次。取消单位价值500万元的限制，设备都可一次性扣除。")
    terms = {"设备": 2.0, "一次性": 2.0, "扣除": 2.0, "申报": 1.0}
    ranked = score_sentences([hit], terms, "设备超过500万的，能一次性扣除吗", want_number=False, cfg=AnswerConfig())
    assert ranked[0].text.startswith("取消单位价值500万元")
    plain = score_sentences([hit], terms, "设备超过500万的，能一次性扣除吗", want_number=False,
                            cfg=AnswerConfig(told_figure=1.0))
    assert plain[0].text.startswith("购置设备")
