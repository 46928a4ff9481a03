"""Matching a question to table rows by name."""
from assistant.facts import bigrams, match_indicators
from core.types import Indicator, Value


def _ind(name: str, unit: str = "万人") -> Indicator:
    return Indicator(id=name, doc_id="d", table_id="专栏2", caption="", group="", row=1, name=name, unit=unit,
                     values={"2020年目标": Value("1", 1.0)}, attribute=None, section_path=[], start=0, end=0)


def test_indicator_matching_prefers_the_named_indicator() -> None:
    inds = [_ind("失业保险参保人数"), _ind("工伤保险参保人数"), _ind("城镇调查失业率", "%")]
    best = match_indicators("失业保险参保人数2020年的目标值是多少", inds)[0]
    assert best.indicator.name == "失业保险参保人数"
    assert bigrams("生育保险") == {"生育", "育保", "保险"}
