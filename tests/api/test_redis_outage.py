"""Sessions in Redis, rate limit off: Redis going away is a 503 with Retry-After, never a 500."""
from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import QUESTION
from tests.redis_server import RedisServer

pytestmark = pytest.mark.network_ok


def test_chat_is_503_while_the_session_store_is_down(engine, api_settings, tmp_path: Path, redis_prefix) -> None:
    from api.app import create_app
    from assistant.engine import Engine
    from assistant.redis_sessions import RedisSessionStore

    server = RedisServer(tmp_path / "redis").start()
    settings = api_settings.model_copy(update={"data_dir": tmp_path / "data", "rate_limit": "0",
                                               "redis_url": server.url, "redis_prefix": redis_prefix})
    shared = Engine(settings, engine.generation, RedisSessionStore(server.url, prefix=redis_prefix))
    try:
        with TestClient(create_app(settings, engine=shared), raise_server_exceptions=False) as c:
            assert c.post("/api/chat", json={"question": QUESTION}).status_code == 200
            server.stop()
            r = c.post("/api/chat", json={"question": QUESTION})
            assert r.status_code == 503 and int(r.headers["retry-after"]) >= 1
            assert "session store" in r.json()["detail"]
            v1 = c.post("/v1/chat/completions", json={"model": "policy-assistant",
                                                      "messages": [{"role": "user", "content": QUESTION}]})
            assert v1.status_code == 503 and v1.json()["error"]["code"] == 503
            assert c.get("/readyz").json()["components"]["sessions"] == {"ok": False, "backend": "redis"}
            server.start()
            assert c.post("/api/chat", json={"question": QUESTION}).status_code == 200
    finally:
        shared.sessions.close()
        server.stop()
