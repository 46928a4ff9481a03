"""Tokenizer: domain terms stay whole, sub-words and bigrams give recall, index == query."""
from __future__ import annotations

import string
from pathlib import Path

import pytest

from retriever.tokenize import Tokenizer, load_stopwords

ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "corpus" / "景德镇市人力资源和社会保障事业发展十三五规划.txt"


@pytest.fixture(scope="module")
def tok() -> Tokenizer:
    return Tokenizer()


def test_base_dictionary_keeps_plan_terms_whole_with_sub_words(tok: Tokenizer) -> None:
    words = tok.words("创业担保贷款")
    assert words[0] == "创业担保贷款"
    assert {"创业", "担保", "贷款"} <= set(words)


@pytest.mark.parametrize(
    "term",
    ["三支一扶", "技兴赣鄱", "一网五点", "金保工程", "社会保障卡", "渐进式职工退休年龄", "生育保险", "约束性", "预期性"],
)
def test_programme_and_indicator_names_are_single_tokens(tok: Tokenizer, term: str) -> None:
    assert term in tok.words(f"关于{term}的规定")


def test_long_terms_also_yield_every_known_sub_word(tok: Tokenizer) -> None:
    words = tok.words("城镇职工基本养老保险参保人数")
    assert "城镇职工基本养老保险参保人数" in words
    # A query that says only "养老保险参保人数" must share these tokens with the indicator.
    assert {"养老保险", "参保人数", "基本养老保险", "城镇职工", "参保", "人数"} <= set(words)


def test_user_terms_stay_whole() -> None:
    term = "千户百强家庭服务企业创建工程"
    assert term not in Tokenizer().words(f"实施{term}")
    custom = Tokenizer([term])
    words = custom.words(f"实施{term}")
    assert term in words
    assert {"家庭", "服务", "企业", "工程", "创建"} <= set(words)


def test_user_terms_are_normalized_deduplicated_and_ordered() -> None:
    tk = Tokenizer(["社會保障卡工程", "社会保障卡工程", "  ", "", "一村一品带头人"])
    assert tk.user_terms == ["社会保障卡工程", "一村一品带头人"]
    tk.user_terms.append("x")  # a copy: the tokenizer cannot be changed from outside
    assert tk.user_terms == ["社会保障卡工程", "一村一品带头人"]


def test_tokenizers_do_not_share_dictionaries() -> None:
    term = "赣鄱英才专项行动"
    with_term = Tokenizer([term])
    assert term in with_term.words(term)
    assert term not in Tokenizer().words(term)


def test_rebuilding_from_saved_user_terms_gives_identical_tokens() -> None:
    terms = ["千户百强家庭服务企业创建工程", "赣鄱英才555", "人才服务发展示范区建设项目"]
    first = Tokenizer(terms)
    again = Tokenizer(first.user_terms)
    text = PLAN.read_text(encoding="utf-8")[:4000]
    assert again.words(text) == first.words(text)
    assert again.bigrams(text) == first.bigrams(text)


def test_stopwords_are_dropped(tok: Tokenizer) -> None:
    words = tok.words("社保卡发了多少张？")
    assert "社保卡" in words and "张" in words
    assert not {"了", "多少", "?", "？"} & set(words)
    assert {"的", "了", "和", "吗", "什么", "多少", "哪些", "怎么", "如何"} <= load_stopwords()
    # A demonstrative names no topic, and its rare fragments ("这部") weighed like topic words.
    words = tok.words("这部分收入要交增值税吗")
    assert "收入" in words and "增值税" in words and not {"这部分", "这部"} & set(words)


def test_whitespace_and_punctuation_are_dropped(tok: Tokenizer) -> None:
    words = tok.words("“十三五”时期，城镇新增就业（万人）: 12 —— 见专栏2。")
    punct = set(string.punctuation) | set("，。：；！？“”‘’（）《》、——…")
    assert words
    assert all(w.strip() == w and w and not set(w) <= punct for w in words)


def test_numbers_stay_whole_tokens(tok: Tokenizer) -> None:
    words = tok.words("城镇职工基本养老保险参保人数达 42.62 万人，到 2020 年失业率 4.5%")
    assert "42.62" in words and "2020" in words and "4.5" in words
    assert "%" not in words


def test_latin_is_lowercased(tok: Tokenizer) -> None:
    assert tok.words("Pension APP 12333") == ["pension", "app", "12333"]


def test_words_normalize_their_input(tok: Tokenizer) -> None:
    assert tok.words("社會保障卡發卡數量") == tok.words("社会保障卡发卡数量")
    assert tok.words("１２ 万人") == tok.words("12万人")


def test_empty_and_punctuation_only_text(tok: Tokenizer) -> None:
    assert tok.words("") == []
    assert tok.words(" ，。？ ") == []
    assert tok.bigrams("") == []
    assert tok.bigrams("——") == []


def test_bigrams_over_cjk_runs(tok: Tokenizer) -> None:
    assert tok.bigrams("生育保险") == ["生育", "育保", "保险"]
    assert tok.bigrams("生育保险，参保") == ["生育", "育保", "保险", "参保"]


def test_bigrams_keep_latin_and_numbers_whole_and_lone_characters(tok: Tokenizer) -> None:
    assert tok.bigrams("到2020年达到42.62万人") == ["到", "2020", "年达", "达到", "42.62", "万人"]
    assert tok.bigrams("Pension, APP") == ["pension", "app"]


def test_bigrams_normalize_their_input(tok: Tokenizer) -> None:
    assert tok.bigrams("社會保障") == tok.bigrams("社会保障") == ["社会", "会保", "保障"]


def test_freq_reports_dictionary_weight(tok: Tokenizer) -> None:
    assert tok.freq("社会保障") > 0
    assert tok.freq("技兴赣鄱") > 0  # from userdict_base.txt
    assert tok.freq("保线") == 0


def test_a_term_set_holds_only_its_own_entries_over_the_shared_dictionary() -> None:
    from retriever.tokenize import base_word_freq

    term = "千户百强家庭服务企业创建工程"
    custom = Tokenizer([term])
    own = dict.__len__(custom._jieba.FREQ)  # the overlay's own entries, not the ~600k of the base
    assert 0 < own <= 2 * len(term)
    assert custom.freq(term) > 0 and custom.freq("服务") == base_word_freq("服务") > 0
    assert base_word_freq(term) == 0  # the shared base dictionary is left as it was
    assert custom.freq("火星探测器着陆") == 0


def test_the_noun_lexicon_holds_jiebas_nouns_only() -> None:
    from retriever.tokenize import NounLexicon, noun_lexicon

    nouns = noun_lexicon()
    assert all(w in nouns for w in ("消费", "券", "病假", "考研"))
    assert "偷偷" not in nouns and "这儿" not in nouns and "" not in nouns
    small = NounLexicon(["乙", "甲", "丙丁", "甲"])
    assert len(small) == 3 and all(w in small for w in ("甲", "乙", "丙丁")) and "丙" not in small


def test_phrases_are_the_words_as_written_run_by_run() -> None:
    from retriever.tokenize import Tokenizer

    assert Tokenizer().phrases("给市民发消费券，怎么领？") == [("给", "市民", "发", "消费", "券"), ("怎么", "领")]
