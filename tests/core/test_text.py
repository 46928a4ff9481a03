"""core.text: normalization, the OpenCC shortcut, sentences and bigrams."""
from __future__ import annotations

from tests.conftest import PLAN_PATH

from core.text import _t2s, _t2s_triggers, bigrams, normalize, split_sentences, to_simplified


def test_simplified_text_skips_opencc_but_converts_exactly_as_opencc() -> None:
    cc, triggers = _t2s(), _t2s_triggers()
    assert triggers is not None and len(triggers) > 1000
    # Every dictionary entry that changes text contains a trigger, so skipping is always safe.
    dicts = [d for group in cc._dict_chain_data for (_, _, d) in group]
    for d in dicts:
        for key, value in d.items():
            if key != value:
                assert to_simplified(key) == cc.convert(key), key
    plan = PLAN_PATH.read_text(encoding="utf-8")
    assert to_simplified(plan) == cc.convert(plan)
    for text in ("養老保險參保人數", "反覆覆蓋", "沈默", "一目瞭然", "創業擔保貸款", "就业创业"):
        assert to_simplified(text) == cc.convert(text)
    assert normalize("創業擔保貸款 2020 年") == "创业担保贷款2020年"


def test_sentences_keep_their_closing_quotes_and_split_at_clauses() -> None:
    assert split_sentences("他说：“好。”然后走了；再见\n新行！ 最后") == ["他说：“好。”", "然后走了；", "再见", "新行！", "最后"]
    assert split_sentences("短。这是一个长句子。", min_chars=3) == ["这是一个长句子。"]


def test_bigrams_of_cjk_runs_only() -> None:
    assert bigrams("社保卡a覆") == {"社保", "保卡", "覆"}
