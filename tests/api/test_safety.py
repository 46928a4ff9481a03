"""Middleware guards: body size and JSON checks, per-client rate limit, CORS."""
from __future__ import annotations

import time

import pytest

from api.options import ApiOptions
from tests.api.conftest import QUESTION

ORIGIN = "http://host.example"


def test_body_over_the_limit_is_413_before_parsing(client):
    big = b'{"question": "' + b"a" * (70 * 1024) + b'"}'
    r = client.post("/api/chat", content=big, headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and "64 KB" in r.json()["detail"]


def test_chunked_body_over_the_limit_is_413(client):
    def body():
        for _ in range(80):
            yield b"x" * 1024

    r = client.post("/api/chat", content=body(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413


def test_limits_are_configurable(make_client):
    c = make_client(options=ApiOptions(max_json_bytes=2048))
    assert c.post("/api/chat", json={"question": "问" * 800}).status_code == 413
    assert c.post("/api/chat", json={"question": QUESTION}).status_code == 200


@pytest.mark.parametrize("content_type,status", [
    ("text/plain", 415), ("application/x-www-form-urlencoded", 415), ("multipart/form-data; boundary=x", 415),
    ("application/json; charset=utf-8", 200), ("application/vnd.api+json", 200),
])
def test_json_routes_check_the_content_type(client, content_type, status):
    body = ('{"question": "%s"}' % QUESTION).encode()
    r = client.post("/api/chat", content=body, headers={"Content-Type": content_type})
    assert r.status_code == status
    if status == 415:
        assert "application/json" in r.json()["detail"]


def test_rate_limit_answers_429_with_retry_after(make_client):
    c = make_client(rate_limit="3/minute", cors_origins=ORIGIN)
    if time.time() % 60 > 55:  # fixed one-minute windows: don't straddle a boundary
        time.sleep(61 - time.time() % 60)
    for _ in range(3):
        assert c.post("/api/chat", json={"question": QUESTION}).status_code == 200
    r = c.post("/api/chat", json={"question": QUESTION}, headers={"Origin": ORIGIN})
    assert r.status_code == 429
    assert 1 <= int(r.headers["Retry-After"]) <= 60
    assert "请求过于频繁" in r.json()["detail"]
    # A cross-origin page can read the 429 and its Retry-After.
    assert r.headers["access-control-allow-origin"] == ORIGIN
    assert "retry-after" in r.headers["access-control-expose-headers"].lower()
    # Other public endpoints share the budget; health, metrics, docs and static files don't count.
    assert c.get("/api/suggestions").status_code == 429
    for path in ("/healthz", "/readyz", "/metrics", "/static/widget.js", "/openapi.json"):
        assert c.get(path).status_code == 200, path
    assert c.get("/api/admin/unanswered", headers={"X-API-Key": c.app.state.settings.admin_key}).status_code == 200


def test_forwarded_for_is_ignored_unless_trusted(make_client):
    c = make_client(rate_limit="2/minute")
    if time.time() % 60 > 55:
        time.sleep(61 - time.time() % 60)
    codes = [c.post("/api/chat", json={"question": QUESTION}, headers={"X-Forwarded-For": f"10.0.0.{i}"}).status_code
             for i in range(3)]
    assert codes == [200, 200, 429]  # a fresh made-up address per request does not reset the count

    trusting = make_client(rate_limit="2/minute", options=ApiOptions(trust_forwarded=True))
    codes = [trusting.post("/api/chat", json={"question": QUESTION},
                           headers={"X-Forwarded-For": f"1.2.3.4, 10.0.0.{i}"}).status_code for i in range(3)]
    assert codes == [200, 200, 200]  # behind a trusted proxy, its right-most entry is the client


def test_rate_limit_zero_turns_it_off(make_client):
    c = make_client(rate_limit="0")
    assert all(c.get("/api/suggestions").status_code == 200 for _ in range(40))


def test_cors_allowlist(make_client):
    c = make_client(cors_origins=f"{ORIGIN},https://other.example")
    pre = c.options("/api/chat/stream", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST",
                                                 "Access-Control-Request-Headers": "content-type"})
    assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == ORIGIN
    r = c.get("/api/suggestions", headers={"Origin": ORIGIN})
    assert r.headers["access-control-allow-origin"] == ORIGIN
    denied = c.options("/api/chat", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert denied.status_code == 400 and "access-control-allow-origin" not in denied.headers
    other = c.get("/api/suggestions", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_static_widget_is_served(client):
    r = client.get("/static/widget.js")
    assert r.status_code == 200 and "javascript" in r.headers["content-type"]
    assert client.get("/static/chat.css").status_code == 200
    assert client.get("/").status_code == 200
