"""Two API processes (real uvicorn, as two machines would run) sharing one Redis and one index directory."""
from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from core.settings import load_settings
from tests.api.conftest import ADMIN_KEY, QUESTION
from tests.api.server import ApiServer
from tests.conftest import PLAN_PATH
from tests.redis_server import RedisServer

pytestmark = [pytest.mark.slow, pytest.mark.network_ok]
LIMIT = 6
ADMIN_FAILURES = 3


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RedisServer, ApiServer, ApiServer]]:
    from index.pipeline import build_index

    root = tmp_path_factory.mktemp("shared")
    redis = RedisServer(root / "redis").start()
    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(PLAN_PATH, corpus / PLAN_PATH.name)
    index = root / "index"  # the shared storage both machines serve
    build_index([corpus], index, load_settings(index_dir=index, data_dir=root / "ingest-data"))
    env = {"REDIS_URL": redis.url, "POLICY_RATE_LIMIT": f"{LIMIT}/minute", "POLICY_REDIS_PREFIX": "deploytest",
           "POLICY_ADMIN_KEY": ADMIN_KEY, "POLICY_ADMIN_MAX_FAILURES": str(ADMIN_FAILURES)}
    servers = []
    try:
        for name in ("a", "b"):
            (root / name).mkdir()
            servers.append(ApiServer(root / name, corpus, env=env, index_dir=index).start(timeout=120))
        yield redis, servers[0], servers[1]
    finally:
        for s in servers:
            s.stop()
        redis.stop()


def test_shared_sessions_limits_and_redis_outage(deployment: tuple[RedisServer, ApiServer, ApiServer]) -> None:
    redis, a, b = deployment
    for s in (a, b):
        ready = httpx.get(s.base + "/readyz", timeout=10).json()
        assert ready["components"]["sessions"] == {"ok": True, "backend": "redis"}
        assert ready["components"]["rate_limit"] == {"ok": True, "backend": "redis"}

    # A follow-up asked on the second machine resolves against the turn asked on the first.
    first = httpx.post(a.base + "/api/chat", json={"question": QUESTION}, timeout=30).json()
    assert "10万人" in first["answer"]
    follow = httpx.post(b.base + "/api/chat", json={"question": "2015年呢？", "session_id": first["session_id"]},
                        timeout=30)
    assert follow.status_code == 200 and follow.json()["session_id"] == first["session_id"]
    assert "8.3" in follow.json()["answer"]

    # One client spread over both machines gets the limit once, not once per machine.
    codes = [httpx.get((a, b)[i % 2].base + "/api/suggestions", timeout=10).status_code for i in range(LIMIT)]
    assert codes == [200] * (LIMIT - 2) + [429, 429]  # the two chats above counted too
    refused = httpx.get(a.base + "/api/suggestions", timeout=10)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1

    # Redis gone: a clear 503 with Retry-After for anonymous chat, on both machines, and not ready.
    redis.stop()
    for s in (a, b):
        r = httpx.post(s.base + "/api/chat", json={"question": QUESTION}, timeout=30)
        assert r.status_code == 503 and int(r.headers["retry-after"]) >= 1, r.text
        assert "retry" in r.json()["detail"]
        assert httpx.get(s.base + "/readyz", timeout=10).status_code == 503
    assert "rate limiter unavailable" in a.log()

    # Back by itself once Redis returns (an empty one: the window starts afresh).
    redis.start()
    deadline, status = time.monotonic() + 20, 0
    while time.monotonic() < deadline and status != 200:
        status = httpx.post(b.base + "/api/chat", json={"question": QUESTION}, timeout=30).status_code
        time.sleep(0.2)
    assert status == 200
    assert httpx.get(a.base + "/readyz", timeout=10).status_code == 200


def test_wrong_admin_keys_on_both_machines_share_one_lockout(deployment: tuple[RedisServer, ApiServer, ApiServer]) -> None:
    _, a, b = deployment
    for s in (a, b):
        assert httpx.get(s.base + "/readyz", timeout=10).json()["components"]["admin_guard"] == {"ok": True,
                                                                                               "backend": "redis"}
    codes = [httpx.get((a, b)[i % 2].base + "/api/admin/unanswered", headers={"X-API-Key": f"guess-{i}"},
                       timeout=10).status_code for i in range(ADMIN_FAILURES + 1)]
    assert codes == [401] * ADMIN_FAILURES + [429]  # not ADMIN_FAILURES guesses per machine
    for s in (a, b):
        r = httpx.get(s.base + "/api/admin/unanswered", headers={"X-API-Key": ADMIN_KEY}, timeout=10)
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
