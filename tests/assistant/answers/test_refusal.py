from assistant.answers.library import Library
from dataclasses import replace

import pytest

from assistant.answers.refusal import Scope, answer_said, referral, refusal_text
from core.profile import ProfileError, load_profile
from core.types import Chunk, Hit


def _hit(text: str, title: str = "某市就业规划") -> Hit:
    return Hit(chunk=Chunk(id="c", doc_id="p14", doc_title=title, section_path=["三、就业"], text=text, start=0,
                           end=1), score=1.0)


def test_refusal_names_the_nearest_section_and_the_hotline() -> None:
    text = refusal_text("没有找到", [_hit("x")], "12345热线")
    assert text == "抱歉，没有找到。文件中相关的内容见：《某市就业规划》三、就业。具体政策请咨询12345热线。"


def test_a_place_no_document_covers_is_out_of_scope(lib: Library) -> None:
    scope = Scope(lib)
    assert scope.out_of_scope("南昌市的失业金是多少", [], [], []) == "已收录的文件中没有南昌市的相关规定"
    # ... unless the passages found are about it (a document whose region was not detected)
    assert scope.out_of_scope("南昌市的失业金是多少", [], [], [_hit("南昌市失业保险金标准")]) is None


def test_a_place_narrowed_to_a_district_the_passages_name_is_covered(lib: Library) -> None:
    scope = Scope(lib)
    district = [_hit("瀍河回族区药店对购买咳嗽药的顾客实名登记", title="瀍河回族区强化疫情防控")]
    assert scope.out_of_scope("南昌市瀍河区的药店要登记吗", [], [], district) is None  # a district's notice
    assert scope.out_of_scope("南昌市青山湖区的药店要登记吗", [], [], district) == "已收录的文件中没有南昌市的相关规定"
    assert scope.out_of_scope("南昌市十三五期间城镇新增就业多少", [], [], [_hit("十三五期间城镇新增就业12万人")]) \
        == "已收录的文件中没有南昌市的相关规定"  # 城镇 names no district


def test_a_question_naming_another_place_is_answered_from_that_place_when_found(lib: Library) -> None:
    scope = Scope(lib)
    inside = replace(_hit("城乡居民医保缴费期延长至3月31日", "湖南省医疗保障局通知"), in_scope=True)
    outside = replace(_hit("城乡居民医保缴费期延长至5月31日", "黑龙江省医疗保障局通知"), in_scope=False)
    assert scope.within_named("湖南的城乡居民医保最晚交到哪天", [inside, outside]) == [inside]
    # No hit of that place, or none first: relevance alone (a document whose region was misread may answer).
    assert scope.within_named("湖南的城乡居民医保最晚交到哪天", [outside]) == [outside]
    assert scope.within_named("湖南的城乡居民医保最晚交到哪天", [outside, inside]) == [outside, inside]
    # Naming no place, or the deployment's own, keeps every hit.
    assert scope.within_named("城乡居民医保最晚交到哪天", [inside, outside]) == [inside, outside]
    assert scope.within_named("景德镇的城乡居民医保最晚交到哪天", [inside, outside]) == [inside, outside]


def test_periods_and_years_outside_the_documents(lib: Library) -> None:
    scope = Scope(lib)
    assert scope.out_of_scope("十五五的目标", [], ["十五五"], []) == "已收录的文件中没有“十五五”时期的规划内容"
    assert scope.out_of_scope("十三五完成了吗", [], ["十三五"], []) is None  # the plan reviews the period before
    assert scope.out_of_scope("2031年的目标", [2031], [], []) == "已收录的文件中没有2031年的目标或数据"


def test_a_topic_another_service_answers_is_referred_there() -> None:
    profile = replace(load_profile("jingdezhen"), elsewhere=(("公积金中心（12345）", ("公积金",)),))
    reason = referral(profile, "公积金贷款最高能贷多少", "小微企业创业担保贷款额度最高为500万元")
    assert reason == "公积金方面的问题不在已收录的政策文件范围内，请咨询公积金中心（12345）"
    # ... but not when the cited passage is about that topic, nor when the question does not name it
    assert referral(profile, "公积金贷款最高能贷多少", "住房公积金贷款最高额度为60万元") is None
    assert referral(profile, "创业担保贷款最高能贷多少", "创业担保贷款额度最高为500万元") is None


def test_a_passage_naming_the_topic_in_passing_does_not_keep_the_answer() -> None:
    from assistant.citations import citation
    from core.types import Answer

    profile = replace(load_profile("jingdezhen"), elsewhere=(("公积金中心（12345）", ("公积金",)),))
    passage = _hit("公共租赁住房资金来源：（三）每年从土地出让净收益提取不低于10%的资金；（四）住房公积金增值收益。")
    ans = Answer(text="根据《某市就业规划》：每年从土地出让净收益提取不低于10%的资金。[1]",
                 citations=[citation(1, passage.chunk)], grounded=True)
    assert "住房公积金" not in answer_said(ans) and "三、就业" in answer_said(ans)
    assert referral(profile, "住房公积金每年能提取多少交房租", answer_said(ans)) is not None
    ans.text = "根据《某市就业规划》：住房公积金增值收益用于公共租赁住房。[1]"  # the answer itself speaks of it
    assert referral(profile, "住房公积金每年能提取多少交房租", answer_said(ans)) is None


def test_a_cited_passage_naming_the_topic_in_other_words_is_not_referred() -> None:
    marriage = ("婚姻登记机关", ("结婚证", "婚姻登记"))
    profile = replace(load_profile("jingdezhen"), elsewhere=(marriage,))
    assert referral(profile, "这阵子还能去领结婚证吗", "婚姻登记处暂停办理所有婚姻登记业务") is None
    assert referral(profile, "这阵子还能去领结婚证吗", "暂停办理各类窗口业务") is not None


def test_the_profile_reads_elsewhere_and_rejects_a_malformed_table(tmp_path) -> None:
    assert load_profile("jingdezhen").elsewhere  # the shipped profile lists some
    root = tmp_path / "profiles"
    (root / "x").mkdir(parents=True)
    (root / "gazetteer.txt").write_text("", encoding="utf-8")
    base = '[deployment]\nhotline = "1"\n[region]\nname = "某市"\n'
    (root / "x" / "profile.toml").write_text(base + '[elsewhere]\n"中心" = ["公积金"]\n', encoding="utf-8")
    assert load_profile("x", root=root).elsewhere == (("中心", ("公积金",)),)
    (root / "x" / "profile.toml").write_text(base + '[elsewhere]\n"中心" = "公积金"\n', encoding="utf-8")
    with pytest.raises(ProfileError, match="elsewhere"):
        load_profile("x", root=root)
