"""Session ids are only issued by the server; /v1 conversation keys need the server's secret."""
from __future__ import annotations

import hashlib
import json
import os
import stat

from assistant.session_keys import DERIVED_PREFIX, derived_key, load_secret
from tests.api.conftest import QUESTION

FIRST = "城镇新增就业目标是多少？"


def _v1(client, *questions: str):
    messages = []
    for q in questions:
        messages += [{"role": "user", "content": q}, {"role": "assistant", "content": "……"}]
    return client.post("/v1/chat/completions", json={"messages": messages[:-1]})


def _old_key(questions: list[str]) -> str:
    # How /v1 keys were made before: anyone could compute them from a guess of what was asked.
    return "oa-" + hashlib.sha256(json.dumps(["", questions], ensure_ascii=False).encode()).hexdigest()[:40]


def test_v1_keys_cannot_be_computed_or_used_from_outside(client, engine):
    assert _v1(client, FIRST).status_code == 200
    assert engine.sessions.history(_old_key([FIRST])) == []  # the guessable key holds nothing
    from api.routes.openai_compat import session_key

    real = session_key(client.app.state.session_secret, None, [FIRST])
    assert real.startswith(DERIVED_PREFIX) and [t.role for t in engine.sessions.history(real)] == ["user", "assistant"]
    for probe in (real, _old_key([FIRST])):
        r = client.post("/api/chat", json={"question": "生育保险呢？", "session_id": probe})
        assert r.status_code == 422 and "session_id" in r.json()["detail"]
        r = client.post("/api/chat/stream", json={"question": "生育保险呢？", "session_id": probe})
        assert r.status_code == 422
    assert [t.role for t in engine.sessions.history(real)] == ["user", "assistant"]  # nothing was written into it


def test_an_invented_session_id_is_replaced_by_a_server_issued_one(client, engine):
    invented = "chosen-by-the-client-1"
    body = client.post("/api/chat", json={"question": QUESTION, "session_id": invented}).json()
    assert body["session_id"] != invented and not body["session_id"].startswith(DERIVED_PREFIX)
    assert engine.sessions.history(invented) == []
    # An issued id keeps its conversation.
    again = client.post("/api/chat", json={"question": "2015年呢？", "session_id": body["session_id"]}).json()
    assert again["session_id"] == body["session_id"] and "8.3" in again["answer"]


def test_secret_is_generated_once_and_kept_private(tmp_path, api_settings):
    settings = api_settings.model_copy(update={"data_dir": tmp_path, "session_secret": None})
    first = load_secret(settings)
    assert len(first) >= 32 and load_secret(settings) == first
    assert stat.S_IMODE(os.stat(tmp_path / "session_secret").st_mode) == 0o600
    other = load_secret(api_settings.model_copy(update={"data_dir": tmp_path / "x", "session_secret": None}))
    assert derived_key(first, "v1", "", [FIRST]) != derived_key(other, "v1", "", [FIRST])
    configured = api_settings.model_copy(update={"session_secret": "s" * 40})
    assert load_secret(configured) == b"s" * 40


def test_a_short_session_secret_is_refused():
    import pytest

    from core.settings import ConfigError, load_settings

    with pytest.raises(ConfigError, match="POLICY_SESSION_SECRET"):
        load_settings(session_secret="short")
