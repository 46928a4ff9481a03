"""LexicalChannel (bm25s) over a five-passage Chinese corpus: exact rankings."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from retriever.lexical import LexicalChannel, top_indices
from retriever.tokenize import Tokenizer

DOCS = [
    "个人创业担保贷款最高额度为20万元。",  # 0: 10 word tokens
    "对首次创办小微企业的，给予一次性创业补贴5000元。",  # 1: 13
    "城乡居民基本养老保险个人缴费标准设为十个档次。",  # 2
    "取得初级职业资格证书的，给予职业培训补贴1000元。",  # 3: 13
    "创业担保贷款由财政全额贴息，贴息期限不超过3年。",  # 4: 14
]


@pytest.fixture(scope="module")
def tok() -> Tokenizer:
    return Tokenizer()


@pytest.fixture(scope="module")
def words(tok: Tokenizer) -> LexicalChannel:
    return LexicalChannel.build("words", DOCS, tok.words)


@pytest.fixture(scope="module")
def bigrams(tok: Tokenizer) -> LexicalChannel:
    return LexicalChannel.build("bigrams", DOCS, tok.bigrams)


def ranking(channel: LexicalChannel, query: str, n: int = 5) -> list[int]:
    return [int(i) for i in top_indices(channel.scores(query), n)]


@pytest.mark.parametrize(("query", "expected"), [
    # Both loan passages hold the whole term; the shorter one wins on BM25 length normalization,
    # and the subsidy passage follows on "创业" alone.
    ("创业担保贷款", [0, 4, 1]),
    # "贴息" twice lifts the longer loan passage above the shorter one.
    ("创业担保贷款贴息", [4, 0, 1]),
    # The whole programme name plus its sub-words, then the passages sharing only sub-words.
    ("一次性创业补贴", [1, 3, 0, 4]),
    ("养老保险缴费档次", [2]),
    ("职业培训补贴", [3, 1]),
    ("20万元", [0]),
    ("5000元", [1, 3]),
])
def test_word_channel_rankings(words: LexicalChannel, query: str, expected: list[int]) -> None:
    assert ranking(words, query) == expected


@pytest.mark.parametrize(("query", "expected"), [
    ("创业担保贷款", [0, 4, 1]),
    ("养老保险缴费档次", [2]),
    # A typo breaks the dictionary word but most bigrams still match.
    ("创业担报贷款", [0, 4, 1]),
])
def test_bigram_channel_rankings(bigrams: LexicalChannel, query: str, expected: list[int]) -> None:
    assert ranking(bigrams, query) == expected


def test_equal_scores_keep_corpus_order(words: LexicalChannel) -> None:
    scores = words.scores("补贴")
    assert scores[1] == pytest.approx(scores[3]) and scores[1] > 0
    assert ranking(words, "补贴") == [1, 3]


def test_unknown_words_score_nothing(words: LexicalChannel) -> None:
    scores = words.scores("火星探测")
    assert scores.shape == (len(DOCS),) and not scores.any()
    assert ranking(words, "火星探测") == []


def test_traditional_query_scores_like_simplified(words: LexicalChannel) -> None:
    assert np.allclose(words.scores("創業擔保貸款"), words.scores("创业担保贷款"))


def test_top_indices_respects_mask_and_n(words: LexicalChannel) -> None:
    scores = words.scores("一次性创业补贴")
    mask = np.array([True, False, True, True, True])
    assert [int(i) for i in top_indices(scores, 5, mask)] == [3, 0, 4]
    assert [int(i) for i in top_indices(scores, 2)] == [1, 3]


def test_tokens_and_texts_build_the_same_index(tok: Tokenizer, words: LexicalChannel) -> None:
    from_tokens = LexicalChannel.from_tokens("words", [tok.analyze(d)[0] for d in DOCS], tok.words)
    for query in ("创业担保贷款", "职业培训补贴", "5000元"):
        assert np.allclose(from_tokens.scores(query), words.scores(query))


def test_save_and_load_round_trip(tmp_path: Path, tok: Tokenizer, words: LexicalChannel) -> None:
    words.save(tmp_path / "words")
    loaded = LexicalChannel.load("words", tmp_path / "words", tok.words, len(DOCS))
    assert np.allclose(loaded.scores("创业担保贷款贴息"), words.scores("创业担保贷款贴息"))
