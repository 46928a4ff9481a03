"""Admin hardening: guessing keys is throttled per client, short keys stop start-up, skipped names are refused."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from api.admin_guard import AuthFailures
from tests.api.conftest import ADMIN_KEY
from tests.api.server import ROOT


def test_failed_keys_are_limited_per_client_with_retry_after(make_client):
    c = make_client(admin_max_failures=3, admin_failure_window=60)
    codes = [c.get("/api/admin/unanswered", headers={"X-API-Key": f"guess-{i}"}).status_code for i in range(5)]
    assert codes == [401, 401, 401, 429, 429]
    r = c.get("/api/admin/unanswered", headers={"X-API-Key": ADMIN_KEY})
    assert r.status_code == 429, "a locked-out client cannot use the remaining window to try the right key"
    assert 1 <= int(r.headers["Retry-After"]) <= 60 and "retry in" in r.json()["detail"]


def test_another_client_is_not_locked_out(make_client):
    c = make_client(admin_max_failures=2, admin_failure_window=60, trust_forwarded=True)
    for _ in range(3):
        c.get("/api/admin/unanswered", headers={"X-API-Key": "guess", "X-Forwarded-For": "203.0.113.9"})
    assert c.get("/api/admin/unanswered", headers={"X-API-Key": "x", "X-Forwarded-For": "203.0.113.9"}).status_code == 429
    ok = c.get("/api/admin/unanswered", headers={"X-API-Key": ADMIN_KEY, "X-Forwarded-For": "198.51.100.7"})
    assert ok.status_code == 200


def test_successes_do_not_count(make_client):
    c = make_client(admin_max_failures=2, admin_failure_window=60)
    for _ in range(10):
        assert c.get("/api/admin/unanswered", headers={"X-API-Key": ADMIN_KEY}).status_code == 200


def test_the_window_slides(tmp_path):
    now = [1000.0]
    guard = AuthFailures.in_file(tmp_path / "f.sqlite3", max_failures=2, window=60, clock=lambda: now[0])
    guard.failed("a")
    now[0] += 30
    guard.failed("a")
    assert guard.retry_after("a") == 30  # the first failure leaves the window in 30 s
    now[0] += 31
    assert guard.retry_after("a") == 0
    guard.failed("a")
    assert guard.retry_after("a") == 29  # no reset at a boundary: still two failures within any 60 s


def test_a_short_admin_key_stops_start_up(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICY_")}
    env.update({"POLICY_ADMIN_KEY": "hunter2-short", "POLICY_DATA_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)})
    r = subprocess.run([sys.executable, "-m", "api", "--port", "1"], cwd=ROOT, env=env, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 2
    assert "POLICY_ADMIN_KEY" in r.stderr and "at least 16" in r.stderr
    assert "hunter2-short" not in r.stderr  # the rejected key itself is not printed


def test_upload_refuses_names_ingest_would_skip(client):
    text = "景德镇市测试通知\n\n一、内容\n\n这是一个测试文件。\n".encode()
    for name in ("README.md", "readme.txt", "manifest.csv", "~$draft.docx"):
        r = client.post("/api/admin/documents", headers={"X-API-Key": ADMIN_KEY}, files={"file": (name, text)})
        assert 400 <= r.status_code < 500 and r.status_code != 401, (name, r.status_code, r.text)
    assert client.post("/api/admin/documents", headers={"X-API-Key": ADMIN_KEY},
                       files={"file": ("通知.md", text)}).status_code == 201


# -- with REDIS_URL: one lockout for every API machine -----------------------------------------------------


@pytest.mark.network_ok
def test_failures_on_two_machines_share_one_lockout(make_client, redis_server, redis_prefix):
    """Two app instances with their own data directories, as two machines: only Redis is shared."""
    shared = {"admin_max_failures": 4, "admin_failure_window": 60, "redis_url": redis_server.url,
              "redis_prefix": redis_prefix}
    a, b = make_client(**shared), make_client(**shared)
    assert a.app.state.admin_failures.backend == "redis"
    codes = [(a, b)[i % 2].get("/api/admin/unanswered", headers={"X-API-Key": f"guess-{i}"}).status_code
             for i in range(6)]
    assert codes == [401] * 4 + [429, 429]
    for c in (a, b):
        r = c.get("/api/admin/unanswered", headers={"X-API-Key": ADMIN_KEY})
        assert r.status_code == 429 and 1 <= int(r.headers["Retry-After"]) <= 60
    # Another deployment's prefix (or the public rate limit) is not locked out by these failures.
    other = make_client(**{**shared, "redis_prefix": redis_prefix + "x"})
    assert other.get("/api/admin/unanswered", headers={"X-API-Key": ADMIN_KEY}).status_code == 200


@pytest.mark.network_ok
def test_the_window_slides_in_redis(redis_server, redis_prefix):
    from api.ratelimit import RedisRateLimiter

    guard = AuthFailures(RedisRateLimiter(redis_server.url, 2, 2, prefix=redis_prefix))
    assert guard.retry_after("a") == 0
    guard.failed("a")
    assert guard.retry_after("a") == 0  # one failure: still allowed, and asking counts nothing
    guard.failed("a")
    assert 1 <= guard.retry_after("a") <= 2 and guard.retry_after("b") == 0
    time.sleep(2.1)
    assert guard.retry_after("a") == 0


@pytest.mark.network_ok
def test_admin_is_503_while_redis_is_down_and_recovers(make_client, tmp_path, redis_prefix):
    from tests.redis_server import RedisServer

    server = RedisServer(tmp_path / "redis").start()
    try:
        c = make_client(raise_server_exceptions=False, redis_url=server.url, redis_prefix=redis_prefix)
        assert c.get("/api/admin/unanswered", headers={"X-API-Key": ADMIN_KEY}).status_code == 200
        server.stop()
        r = c.get("/api/admin/unanswered", headers={"X-API-Key": ADMIN_KEY})
        assert r.status_code == 503 and int(r.headers["Retry-After"]) >= 1, r.text
        server.start()
        assert c.get("/api/admin/unanswered", headers={"X-API-Key": ADMIN_KEY}).status_code == 200
    finally:
        server.stop()
