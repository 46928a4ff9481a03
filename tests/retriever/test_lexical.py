"""LexicalChannel (bm25s) over a five-passage Chinese corpus: exact rankings."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from retriever.lexical import LexicalChannel, top_among, top_indices
from retriever.tokenize import Tokenizer
from tests.retriever.conftest import memmapped

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


# -- served from bm25s's saved arrays: memory-mapped, hashed vocabulary --------------------------------

QUERIES = ("创业担保贷款贴息", "一次性创业补贴", "职业培训补贴补贴", "养老保险", "火星探测", "20万元 5000元")


def test_a_loaded_channel_scores_exactly_like_bm25s(tmp_path: Path, tok: Tokenizer) -> None:
    import bm25s

    built = LexicalChannel.build("words", DOCS, tok.words)
    built.save(tmp_path / "words")
    loaded = LexicalChannel.load("words", tmp_path / "words", tok.words, len(DOCS))
    reference = bm25s.BM25.load(str(tmp_path / "words"))
    for query in QUERIES:
        ids = reference.get_tokens_ids(tok.words(query))
        expected = reference.get_scores_from_ids(ids) if ids else np.zeros(len(DOCS), dtype=np.float32)
        assert np.array_equal(loaded.scores(query), expected), query
        assert np.array_equal(built.scores(query), expected), query


def test_a_loaded_channel_maps_its_arrays_and_holds_no_token_dict(tmp_path: Path, tok: Tokenizer) -> None:
    from retriever.lexical import HashedVocab

    LexicalChannel.build("bigrams", DOCS, tok.bigrams).save(tmp_path / "bigrams")
    loaded = LexicalChannel.load("bigrams", tmp_path / "bigrams", tok.bigrams, len(DOCS))
    assert isinstance(loaded.vocab, HashedVocab)
    arrays = (loaded.vocab.hashes, loaded.vocab.ids, loaded.postings.indptr)
    assert all(memmapped(a) for a in arrays)
    loaded.scores("创业担保贷款")
    # The postings are read from the page cache, never mapped into the worker (where they would count in its RSS).
    maps = Path("/proc/self/maps").read_text(encoding="utf-8") if Path("/proc/self/maps").exists() else ""
    assert "data.csc.index.npy" not in maps and "indices.csc.index.npy" not in maps
    assert loaded.vocab.lookup(["创业", "火星", "贷款", "创业"]) == [loaded.vocab.lookup(["创业"])[0],
                                                                loaded.vocab.lookup(["贷款"])[0],
                                                                loaded.vocab.lookup(["创业"])[0]]


def test_colliding_hashes_keep_the_dict_vocabulary(tmp_path: Path, tok: Tokenizer,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from retriever.lexical import DictVocab, HashedVocab

    built = LexicalChannel.build("words", DOCS, tok.words)
    monkeypatch.setattr(HashedVocab, "key", staticmethod(lambda token: 7))
    built.save(tmp_path / "words")
    assert not (tmp_path / "words" / HashedVocab.HASHES).exists()
    monkeypatch.undo()
    loaded = LexicalChannel.load("words", tmp_path / "words", tok.words, len(DOCS))
    assert isinstance(loaded.vocab, DictVocab)
    assert np.array_equal(loaded.scores("创业担保贷款"), built.scores("创业担保贷款"))


def test_an_index_written_before_the_hashed_vocabulary_still_loads(tmp_path: Path, tok: Tokenizer) -> None:
    from retriever.lexical import DictVocab, HashedVocab

    built = LexicalChannel.build("words", DOCS, tok.words)
    built.save(tmp_path / "words")
    for name in (HashedVocab.HASHES, HashedVocab.IDS):
        (tmp_path / "words" / name).unlink()
    loaded = LexicalChannel.load("words", tmp_path / "words", tok.words, len(DOCS))
    assert isinstance(loaded.vocab, DictVocab)
    for query in QUERIES:
        assert np.array_equal(loaded.scores(query), built.scores(query))


def test_idf_is_lucenes_and_asked_per_token(tmp_path: Path, tok: Tokenizer) -> None:
    LexicalChannel.build("words", DOCS, tok.words).save(tmp_path / "words")
    idf = LexicalChannel.load("words", tmp_path / "words", tok.words, len(DOCS)).idf()
    n = len(DOCS)
    for word in ("创业", "补贴", "养老保险"):
        df = sum(word in tok.words(d) for d in DOCS)
        assert word in idf and idf[word] == pytest.approx(np.log(1 + (n - df + 0.5) / (df + 0.5)))
    assert "火星" not in idf and "" not in idf and idf.get("火星") is None
    with pytest.raises(KeyError):
        idf["火星"]
    assert idf["创业"] < idf["养老保险"]  # 创业 is in three passages, 养老保险 in one


def test_a_loaded_channel_cannot_be_saved_again(tmp_path: Path, tok: Tokenizer) -> None:
    LexicalChannel.build("words", DOCS, tok.words).save(tmp_path / "words")
    loaded = LexicalChannel.load("words", tmp_path / "words", tok.words, len(DOCS))
    with pytest.raises(RuntimeError, match="from_tokens"):
        loaded.save(tmp_path / "again")


def test_saved_array_slices_read_like_numpy(tmp_path: Path) -> None:
    from retriever.lexical import SavedArray

    values = np.arange(1000, dtype=np.float32) * 0.5
    np.save(tmp_path / "a.npy", values)
    saved = SavedArray(tmp_path / "a.npy")
    assert len(saved) == 1000
    for part in (slice(0, 10), slice(990, 1000), slice(5, 5), slice(998, 2000), slice(-3, None)):
        assert np.array_equal(saved[part], values[part]), part
    with pytest.raises(IndexError):
        saved[::2]
    np.save(tmp_path / "b.npy", np.zeros((2, 2)))
    with pytest.raises(ValueError, match="1-d"):
        SavedArray(tmp_path / "b.npy")


def test_best_positions_orders_by_score_then_position() -> None:
    from retriever.lexical import best_positions

    values = np.array([0.0, 3.0, 1.0, 3.0, 2.0, 0.5], dtype=np.float32)
    assert best_positions(values, 3).tolist() == [1, 3, 4]
    assert best_positions(values, 10).tolist() == [1, 3, 4, 2, 5]  # only the positive ones
    assert best_positions(values, 0).tolist() == []


def test_best_positions_breaks_a_tie_across_the_cut_by_position() -> None:
    from retriever.lexical import best_positions

    values = np.array([1.0, 3.0, 2.0, 2.0, 2.0], dtype=np.float32)
    assert best_positions(values, 2).tolist() == [1, 2]  # 2.0 three times for one place: the first one
    assert best_positions(values, 3).tolist() == [1, 2, 3]
    assert best_positions(values, 4).tolist() == [1, 2, 3, 4]


def test_best_positions_orders_ties_by_the_rank_given() -> None:
    from retriever.lexical import best_positions

    values = np.array([1.0, 3.0, 2.0, 2.0, 2.0], dtype=np.float32)
    rank = np.array([0, 1, 4, 2, 3])  # the order of the passages' ids, not of their positions
    assert best_positions(values, 2, rank).tolist() == [1, 3]
    assert best_positions(values, 4, rank).tolist() == [1, 3, 4, 2]
    assert top_among(values, 2, np.array([0, 2, 4]), rank).tolist() == [4, 2]
    assert top_among(values, 1, np.array([0, 2, 3, 4]), rank).tolist() == [3]
    assert top_indices(values, 2, values > 1.5, rank).tolist() == [1, 3]


def test_best_positions_breaks_ties_the_same_way_above_the_sampled_floor() -> None:
    from retriever.lexical import best_positions

    rng = np.random.default_rng(3)
    values = rng.integers(0, 50, size=20_000).astype(np.float32)  # many ties at every place
    order = np.lexsort((np.arange(len(values)), -values))  # by score, then position: the definition
    for n in (1, 7, 100, 2_500):
        assert best_positions(values, n).tolist() == order[:n].tolist()


def test_best_positions_samples_a_floor_over_many_values() -> None:
    from retriever.lexical import best_positions

    values = np.arange(10_000, dtype=np.float32)[::-1].copy()  # 9999 at position 0 ... 0 at the end
    assert best_positions(values, 5).tolist() == [0, 1, 2, 3, 4]
    values[7] = 20_000.0
    assert best_positions(values, 3).tolist() == [7, 0, 1]


def test_top_among_is_top_indices_with_a_mask() -> None:
    from retriever.lexical import top_among

    scores = np.array([5.0, 4.0, 0.0, 2.0, 2.0, 1.0], dtype=np.float32)
    among = np.array([1, 2, 3, 5])
    assert top_among(scores, 2, among).tolist() == [1, 3]
    mask = np.zeros(6, dtype=bool)
    mask[among] = True
    assert top_indices(scores, 2, mask).tolist() == [1, 3]
    # A tie across the cut among them (3 and 4 at 2.0 for the second place): the first of them, with or without
    # the mask.
    tied = np.array([1, 3, 4])
    assert top_among(scores, 2, tied).tolist() == [1, 3]
    mask[:] = False
    mask[tied] = True
    assert top_indices(scores, 2, mask).tolist() == [1, 3]
    assert top_indices(scores, 3).tolist() == [0, 1, 3]


def test_frequent_columns_are_added_whole_and_sum_to_the_same_bits() -> None:
    from retriever.lexical import Postings

    rng = np.random.default_rng(7)
    n = 64
    frequent = np.sort(rng.choice(n, 40, replace=False))  # in 40 of 64 passages: over DENSE_SHARE
    rare = np.array([3, 17, 50])
    indices = np.concatenate([frequent, rare]).astype(np.int32)
    data = rng.random(len(indices)).astype(np.float32)
    postings = Postings(data, indices, np.array([0, 40, 43]), num_docs=n)
    expected = np.zeros(n, dtype=np.float32)
    for i in (0, 1, 0):  # a repeated id counts again
        lo, hi = (0, 40) if i == 0 else (40, 43)
        np.add.at(expected, indices[lo:hi], data[lo:hi])
    assert np.array_equal(postings.scores([0, 1, 0]), expected)
    assert len(postings._columns) == 1 and postings._columns.nbytes == n * 4  # the frequent column only, whole
    # A sum that starts from the cached column does not add into it: the same question scores the same again.
    assert np.array_equal(postings.scores([0, 1, 0]), expected)
    alone = np.zeros(n, dtype=np.float32)
    np.add.at(alone, frequent, data[:40])
    assert np.array_equal(postings.scores([0]), alone)


def test_the_whole_columns_kept_are_bounded_in_bytes() -> None:
    from retriever.lexical import Postings

    class Small(Postings):
        DENSE_BYTES = 2 * 8 * 4  # two columns of 8 float32 scores

    postings = Small(np.ones(24, dtype=np.float32), np.tile(np.arange(8, dtype=np.int32), 3), np.array([0, 8, 16, 24]), 8)
    assert np.array_equal(postings.scores([0, 1, 2, 0]), np.full(8, 4, dtype=np.float32))
    assert len(postings._columns) == 2 and postings._columns.nbytes == 2 * 8 * 4


def test_columns_of_under_a_quarter_of_the_passages_are_kept_as_postings_and_sum_to_the_same_bits() -> None:
    from retriever.lexical import Postings

    rng = np.random.default_rng(3)
    n = 40
    cols = [np.sort(rng.choice(n, size, replace=False)) for size in (30, 12, 6)]  # 3/4, 3/10 and 3/20 of them
    indices = np.concatenate(cols).astype(np.int32)
    data = rng.random(len(indices)).astype(np.float32)
    indptr = np.cumsum([0, *(len(c) for c in cols)])
    postings = Postings(data, indices, indptr, num_docs=n)
    for ids in ([1, 0, 2, 1], [0, 1], [2, 2], [1]):
        expected = np.zeros(n, dtype=np.float32)
        for i in ids:
            np.add.at(expected, indices[indptr[i]:indptr[i + 1]], data[indptr[i]:indptr[i + 1]])
        assert np.array_equal(postings.scores(ids), expected), ids
    # Whole: 40 float32 each; as postings: 6 (float32 score + int32 position), well under whole.
    assert len(postings._columns) == 3 and postings._columns.nbytes == 2 * 40 * 4 + 6 * 8
    assert np.array_equal(postings.scores([1]), postings.scores([1]))  # a sum never adds into what is kept


def test_a_dropped_postings_is_freed_at_once_with_its_whole_columns() -> None:
    import gc
    import weakref

    from retriever.lexical import Postings

    postings = Postings(np.ones(4, dtype=np.float32), np.arange(4, dtype=np.int32), np.array([0, 4]), 4)
    postings.scores([0])  # a whole column cached
    gone = weakref.ref(postings)
    gc.disable()  # a reference cycle through the cache would wait for the collector
    try:
        del postings
        assert gone() is None
    finally:
        gc.enable()
