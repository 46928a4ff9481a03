"""Admin hardening: guessing keys is throttled per client, short keys stop start-up, skipped names are refused."""
from __future__ import annotations

import os
import subprocess
import sys

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
    guard = AuthFailures(tmp_path / "f.sqlite3", max_failures=2, window=60, clock=lambda: now[0])
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
