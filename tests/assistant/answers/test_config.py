import pytest

from assistant.answers.config import AnswerConfig, answer_config
from core.settings import ConfigError


def test_overrides_from_json() -> None:
    assert answer_config("") == AnswerConfig()
    cfg = answer_config('{"coverage_floor": 0.4, "max_points": 3}')
    assert cfg.coverage_floor == 0.4 and cfg.max_points == 3 and cfg.figure_chars == 200


@pytest.mark.parametrize("bad,msg", [("[1]", "JSON object"), ('{"nope": 1}', "unknown keys"), ("{", "POLICY_ANSWER_CONFIG")])
def test_bad_overrides_name_the_setting(bad: str, msg: str) -> None:
    with pytest.raises(ConfigError, match=msg):
        answer_config(bad)
