"""Query understanding: normalize, thesaurus expansion, typo correction, numbers/periods."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from retriever.query import (
    DEFAULT_THESAURUS,
    QueryPlan,
    Thesaurus,
    TypoCorrector,
    analyze,
    extract_numbers,
    extract_periods,
    extract_years,
    is_cjk,
    normalize,
)
from retriever.tokenize import USERDICT_BASE, Tokenizer

ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "corpus" / "景德镇市人力资源和社会保障事业发展十三五规划.txt"
NO_LEXICON = lambda word: 0  # noqa: E731  (isolates one rule at a time)


@pytest.fixture(scope="module")
def thesaurus() -> Thesaurus:
    return Thesaurus.load()


@pytest.fixture(scope="module")
def tokenizer() -> Tokenizer:
    return Tokenizer()


@pytest.fixture(scope="module")
def corrector(thesaurus: Thesaurus, tokenizer: Tokenizer) -> TypoCorrector:
    base = [line.split()[0] for line in USERDICT_BASE.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    return TypoCorrector.from_thesaurus(thesaurus, base, word_freq=tokenizer.freq)


# --------------------------------------------------------------------------- normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("社會保障卡 發卡數量", "社会保障卡 发卡数量"),
        ("１２ 万人", "12万人"),
        ("到 2020 年", "到2020年"),
        ("  城镇调查失业率\t\n 4.5% 左右  ", "城镇调查失业率4.5% 左右"),
        ("我想开个网店，有补贴吗？", "我想开个网店,有补贴吗?"),
        ("生育\u200b保险", "生育保险"),
        ("Unemployment  Insurance", "Unemployment Insurance"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["社會保障卡 發卡數量", "１２ 万人", "十三五 規劃 2020 年 目標", "勞動人事爭議仲裁結案率（％）", " a\u3000b  c ",
     PLAN.read_text(encoding="utf-8")[:3000]],
)
def test_normalize_is_idempotent(raw: str) -> None:
    once = normalize(raw)
    assert normalize(once) == once


def test_normalize_leaves_the_plans_chinese_alone() -> None:
    # t2s must not "simplify" characters the (already simplified) plan uses.
    text = PLAN.read_text(encoding="utf-8")
    assert [c for c in normalize(text) if is_cjk(c)] == [c for c in text if is_cjk(c)]


# --------------------------------------------------------------------------- thesaurus


def test_thesaurus_is_data_with_enough_entries(thesaurus: Thesaurus) -> None:
    assert DEFAULT_THESAURUS.name == "thesaurus.tsv"
    assert len(thesaurus.keys()) >= 150
    assert "社保卡" in thesaurus and "social security card" in thesaurus
    assert "社会保障卡" in thesaurus.terms()


def test_every_canonical_term_is_the_plans_own_wording() -> None:
    plan = re.sub(r"\s", "", normalize(PLAN.read_text(encoding="utf-8")))
    missing = sorted(t for t in Thesaurus.load(DEFAULT_THESAURUS).terms() if t not in plan)
    assert missing == []


def test_the_default_thesaurus_adds_the_librarys_wording(thesaurus: Thesaurus) -> None:
    assert thesaurus.expand("低保标准是多少") == ["最低生活保障标准"]
    assert "社会保障卡" in thesaurus.expand("社保卡丢了")  # the plan's entries are still there


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("社保卡", ["社会保障卡"]),
        ("医保", ["基本医疗保险", "医疗保险"]),
        ("失业金", ["失业保险金", "失业保险"]),
        ("生孩子", ["生育保险"]),
        ("延迟退休", ["渐进式职工退休年龄"]),
        ("干活受伤", ["工伤保险", "工伤"]),
        ("新农保", ["新型农村社会养老保险", "城乡居民基本养老保险"]),
        ("创业贷", ["创业担保贷款", "小额担保贷款"]),
        ("劳动仲裁", ["劳动人事争议仲裁"]),
        ("人社局", ["人力资源和社会保障局"]),
        ("发改委", ["发展和改革委员会"]),
        ("硬指标", ["约束性"]),
        ("失业率", ["城镇调查失业率", "城镇登记失业率"]),
    ],
)
def test_expand_maps_colloquial_to_plan_terms(thesaurus: Thesaurus, text: str, expected: list[str]) -> None:
    assert thesaurus.expand(text) == expected


def test_expand_prefers_the_longest_key_and_does_not_double_expand(thesaurus: Thesaurus) -> None:
    # "社保卡" claims its characters, so the shorter key "社保" does not fire as well.
    assert thesaurus.expand("社保卡怎么办") == ["社会保障卡"]
    # Text already in plan wording is not re-expanded from a key inside it.
    assert thesaurus.expand("城镇调查失业率") == []
    assert thesaurus.expand("生育保险参保人数") == []


def test_expand_english_keys_match_whole_words_case_insensitively(thesaurus: Thesaurus) -> None:
    assert thesaurus.expand("Unemployment Insurance target") == ["失业保险", "目标", "目标值"]
    assert thesaurus.expand("pensions") == ["养老保险", "基本养老金"]
    assert thesaurus.expand("social security card") == ["社会保障卡"]
    assert thesaurus.expand("jobless") == []  # "job" is not a word here


def test_parse_merges_duplicates_skips_comments_and_rejects_bad_lines() -> None:
    th = Thesaurus.parse(["# comment", "", "网店\t创业|电子商务", "網店\t电子商务|网络创业", "LOAN\t贷款"])
    assert th.expand("开网店") == ["创业", "电子商务", "网络创业"]
    assert th.expand("a loan") == ["贷款"]
    with pytest.raises(ValueError, match=":2:"):
        Thesaurus.parse(["ok\t好", "no tab here"])
    with pytest.raises(ValueError):
        Thesaurus.parse(["空右边\t | "])


# --------------------------------------------------------------------------- typos


def test_corrects_one_substitution_and_reports_the_term() -> None:
    tc = TypoCorrector(["生育保险", "生育保险参保人数", "参保人数"])
    assert tc.correct("生育保线参保人数") == ("生育保险参保人数", {"生育保线": "生育保险"})


def test_prefers_the_longer_term(corrector: TypoCorrector) -> None:
    assert corrector.correct("失业保线金怎么领")[0] == "失业保险金怎么领"
    assert corrector.correct("创业担保代款")[0] == "创业担保贷款"
    assert corrector.correct("技兴赣波专项行动")[0] == "技兴赣鄱专项行动"


def test_known_terms_and_thesaurus_keys_are_never_corrected(thesaurus: Thesaurus, corrector: TypoCorrector) -> None:
    assert corrector.correct("社保卡发了多少张") == ("社保卡发了多少张", {})
    assert corrector.correct("生育保险参保人数") == ("生育保险参保人数", {})
    bare = TypoCorrector(["社保费"], word_freq=NO_LEXICON)
    assert bare.correct("社保卡")[0] == "社保费"  # without protection it would be "fixed"
    assert bare.correct("社保卡", protected=thesaurus) == ("社保卡", {})
    assert TypoCorrector(["社保费"], protected=["社保卡"], word_freq=NO_LEXICON).correct("社保卡") == ("社保卡", {})


def test_never_changes_a_digit() -> None:
    tc = TypoCorrector(["2020年目标"], word_freq=NO_LEXICON)
    assert tc.correct("2019年目标") == ("2019年目标", {})


@pytest.mark.parametrize(
    "text",
    [
        "预期的目标",  # function word, not "预期性"
        "城镇职工基本养老保险参保人员",  # "人员" is a word, not a typo of "人数"
        "社会保障事业发展",  # known term + next character
        "养老保障待遇",
        "失业保险费",
        "中学生",
        "城镇登记失业人员",
    ],
)
def test_ordinary_text_is_left_alone(corrector: TypoCorrector, text: str) -> None:
    assert corrector.correct(text) == (text, {})


def test_ambiguous_candidates_are_left_alone() -> None:
    tc = TypoCorrector(["失业保险", "失业保障"], word_freq=NO_LEXICON)
    assert tc.correct("失业保线") == ("失业保线", {})


def test_the_plan_itself_needs_no_correction(corrector: TypoCorrector) -> None:
    text = normalize(PLAN.read_text(encoding="utf-8"))
    changed = {s: corrector.correct(s)[1] for s in re.split(r"[。；;\n]", text) if corrector.correct(s)[1]}
    assert changed == {}


# --------------------------------------------------------------------------- extraction


def test_numbers_years_and_periods() -> None:
    assert extract_numbers("城镇职工基本养老保险参保人数达42.62万人,到2020年") == ["42.62", "2020"]
    assert extract_numbers("4.5%左右, 4.5%") == ["4.5"]
    assert extract_years("2016-2020年,二〇一五年,1985年,12333,2020.5") == [2016, 2020, 2015]
    assert extract_periods("十二五和十三五") == ["十二五", "十三五"]
    assert extract_periods("13五期间") == ["十三五"]
    assert extract_periods("第十三个五年规划纲要") == ["十三五"]
    assert extract_periods("“十四·五”") == ["十四五"]
    assert extract_periods("the 13th Five-Year Plan") == ["十三五"]
    assert extract_periods("二十五万人") == []
    assert extract_periods("12五险一金") == []


# --------------------------------------------------------------------------- analyze


def test_analyze_online_shop_subsidy(thesaurus: Thesaurus) -> None:
    plan = analyze("我想开个网店，有补贴吗？", thesaurus)
    assert plan.original == "我想开个网店，有补贴吗？"
    assert plan.normalized == "我想开个网店,有补贴吗?"
    assert {"创业", "电子商务", "创业补贴", "培训补贴"} <= set(plan.expansions)
    assert "补贴" not in plan.expansions  # already in the query


def test_analyze_social_security_card(thesaurus: Thesaurus, corrector: TypoCorrector) -> None:
    plan = analyze("社保卡发了多少张", thesaurus, corrector)
    assert plan.normalized == "社保卡发了多少张"
    assert "社会保障卡" in plan.expansions
    assert plan.corrections == {}


def test_analyze_year_target(thesaurus: Thesaurus) -> None:
    plan = analyze("2020年医保参保人数目标", thesaurus)
    assert plan.years == [2020]
    assert plan.numbers == ["2020"]
    assert plan.periods == []
    assert "基本医疗保险" in plan.expansions


def test_analyze_period_spellings(thesaurus: Thesaurus) -> None:
    assert analyze("十三五时期新增就业", thesaurus).periods == ["十三五"]
    plan = analyze("13五期间失业率", thesaurus)
    assert plan.periods == ["十三五"]
    assert plan.numbers == [] and plan.years == []
    assert "十三五" in plan.expansions  # so the lexical channels see the plan's spelling
    assert "城镇调查失业率" in plan.expansions


def test_analyze_fixes_typos_before_expanding(thesaurus: Thesaurus, corrector: TypoCorrector) -> None:
    plan = analyze("生育保线参保人数", thesaurus, corrector)
    assert plan.normalized == "生育保险参保人数"
    assert plan.corrections == {"生育保线": "生育保险"}
    assert plan.expansions == []


def test_analyze_english_question(thesaurus: Thesaurus) -> None:
    plan = analyze("What is the unemployment insurance target for 2020?", thesaurus)
    assert {"失业保险", "目标"} <= set(plan.expansions)
    assert plan.years == [2020]


def test_plan_text_is_query_plus_expansions(thesaurus: Thesaurus) -> None:
    plan = analyze("社保卡 发了 多少", thesaurus)
    assert plan.text == plan.normalized + " " + " ".join(plan.expansions)
    assert analyze("城镇调查失业率", thesaurus).text == "城镇调查失业率"
    assert all(t not in plan.normalized for t in plan.expansions)
    assert len(plan.expansions) == len(set(plan.expansions))


def test_query_plan_is_frozen(thesaurus: Thesaurus) -> None:
    plan = analyze("医保", thesaurus)
    assert isinstance(plan, QueryPlan)
    with pytest.raises(AttributeError):
        plan.normalized = "x"  # type: ignore[misc]


def test_analyze_empty_query(thesaurus: Thesaurus, corrector: TypoCorrector) -> None:
    plan = analyze("   ", thesaurus, corrector)
    assert (plan.normalized, plan.expansions, plan.numbers, plan.years, plan.periods, plan.text) == ("", [], [], [], [], "")


def test_a_modal_verb_is_never_a_typo() -> None:
    # "能在某地申请吗" is not a misspelt programme name "赢在某地": a modal verb (能, 会, 要, 可) is meant.
    tc = TypoCorrector(["赢在甲市"], word_freq=NO_LEXICON)
    assert tc.correct("我能在甲市申请吗") == ("我能在甲市申请吗", {})
    assert tc.correct("会在甲市办吗") == ("会在甲市办吗", {})
    assert tc.correct("我在甲市租房") == ("我在甲市租房", {})  # nor a pronoun
    assert tc.correct("嬴在甲市")[0] == "赢在甲市"  # a real one-character slip is still corrected
