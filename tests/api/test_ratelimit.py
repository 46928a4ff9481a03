"""The embedded limiter: a moving window in SQLite, shared by workers, failing closed."""
from __future__ import annotations

import sqlite3

import pytest

from api.ratelimit import LimiterUnavailable, RateLimiter


def test_moving_window_holds_across_a_window_boundary(tmp_path):
    now = [1000.0]
    a = RateLimiter(tmp_path / "rl.sqlite3", 2, 60, clock=lambda: now[0])
    b = RateLimiter(tmp_path / "rl.sqlite3", 2, 60, clock=lambda: now[0])  # as another worker would
    now[0] = 1059.0  # the end of what a fixed window would call [1020, 1080)
    assert a.hit("c1")[0] and b.hit("c1")[0]
    now[0] = 1061.0  # a fixed window would start afresh here and grant 2 more: 4 within 2 s
    assert a.hit("c1") == (False, 58) and b.hit("c1")[0] is False
    assert b.hit("c2")[0] is True  # per client
    now[0] = 1119.5  # the two requests of 1059 have left the window
    assert a.hit("c1")[0] and b.hit("c1")[0]
    assert a.hit("c1") == (False, 60)


def test_refused_requests_do_not_use_up_the_window(tmp_path):
    now = [0.0]
    lim = RateLimiter(tmp_path / "rl.sqlite3", 1, 10, clock=lambda: now[0])
    assert lim.hit("c")[0]
    for t in (1.0, 5.0, 9.0):
        now[0] = t
        assert lim.hit("c")[0] is False
    now[0] = 10.5  # only the accepted request counts, so the client is free again after 10 s
    assert lim.hit("c")[0]


def test_a_locked_store_fails_closed(tmp_path):
    path = tmp_path / "rl.sqlite3"
    lim = RateLimiter(path, 5, 60)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process holding the write lock past busy_timeout
    try:
        with pytest.raises(LimiterUnavailable) as err:
            lim.hit("c")
        assert err.value.retry_after >= 1
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert lim.hit("c")[0]  # recovers by itself once the lock is gone


def test_locked_store_is_a_503_with_retry_after(make_client):
    c = make_client(rate_limit="5/minute")
    limiter = c.app.state.limiter
    holder = sqlite3.connect(limiter.path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        r = c.get("/api/suggestions")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert r.status_code == 503 and int(r.headers["retry-after"]) >= 1
    assert "retry" in r.json()["detail"]
    assert c.get("/api/suggestions").status_code == 200


@pytest.mark.network_ok
def test_make_limiter_keeps_named_limits_apart(tmp_path, redis_server, redis_prefix):
    from api.ratelimit import RedisRateLimiter, make_limiter
    from core.settings import load_settings

    embedded = load_settings(data_dir=tmp_path, rate_limit="2/minute")
    assert make_limiter(load_settings(data_dir=tmp_path, rate_limit="0")) is None
    public, admin = make_limiter(embedded), make_limiter(embedded, rate=(1, 60.0), name="admin-auth")
    assert public.path.name == "ratelimit.sqlite3" and admin.path.name == "admin-auth.sqlite3"
    assert admin.hit("c")[0] and not admin.hit("c")[0] and public.hit("c")[0]
    shared = load_settings(data_dir=tmp_path, rate_limit="2/minute", redis_url=redis_server.url,
                           redis_prefix=redis_prefix)
    one, two = make_limiter(shared), make_limiter(shared)  # two API machines
    assert isinstance(one, RedisRateLimiter) and one.check()
    assert one.hit("c")[0] and two.hit("c")[0]
    allowed, retry = one.hit("c")
    assert not allowed and 1 <= retry <= 60
    assert make_limiter(shared, rate=(1, 60.0), name="admin-auth").hit("c")[0]  # its own window
