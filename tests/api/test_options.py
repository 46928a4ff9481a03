"""Service options come from Settings and fail fast with the variable's name."""
from __future__ import annotations

import pytest

from api.options import ApiOptions
from core.settings import ConfigError, load_settings


def test_defaults_and_values(monkeypatch: pytest.MonkeyPatch) -> None:
    assert ApiOptions.from_settings(load_settings()) == ApiOptions()
    monkeypatch.setenv("POLICY_TRUST_FORWARDED", "yes")
    monkeypatch.setenv("POLICY_MAX_BODY_BYTES", "4096")
    opts = ApiOptions.from_settings(load_settings())
    assert opts.trust_forwarded is True and opts.max_json_bytes == 4096


@pytest.mark.parametrize("name,value", [("POLICY_TRUST_FORWARDED", "maybe"), ("POLICY_MAX_BODY_BYTES", "lots"),
                                        ("POLICY_MAX_UPLOAD_BYTES", "10")])
def test_bad_values(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        load_settings()
