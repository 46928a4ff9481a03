"""The Redis session store against a real redis-server: the same behaviour as the SQLite store, shared."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from assistant.redis_sessions import RedisSessionStore
from assistant.session_store import open_sessions
from assistant.sessions import SessionStore, Turn
from core.errors import StoreUnavailable
from core.settings import load_settings
from tests.redis_server import RedisServer

pytestmark = pytest.mark.network_ok


class FakeClock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _turn(text: str, role: str = "user", **meta: object) -> Turn:
    return Turn(role=role, text=text, at=1.0, meta=dict(meta))


@pytest.fixture
def store(redis_server, redis_prefix):  # type: ignore[no-untyped-def]
    s = RedisSessionStore(redis_server.url, max_turns=5, ttl_seconds=3600, prefix=redis_prefix)
    yield s
    s.close()


def test_round_trip_turn_limit_and_a_second_store_sees_it(store, redis_server, redis_prefix) -> None:
    sid = store.new_id()
    for i in range(7):
        store.append(sid, _turn(f"问{i}", kind="figure", ids=["a", "b"]))
    other = RedisSessionStore(redis_server.url, max_turns=5, ttl_seconds=3600, prefix=redis_prefix)
    history = other.history(sid)  # another API machine
    assert [t.text for t in history] == [f"问{i}" for i in range(2, 7)]
    assert history[0].meta == {"kind": "figure", "ids": ["a", "b"]} and history[0].role == "user"
    assert other.history(store.new_id()) == [] and other.history("bad id!") == []
    assert other.count() == 1
    other.close()


def test_pii_never_reaches_redis(store, redis_server) -> None:
    import redis

    sid = store.new_id()
    store.append(sid, _turn("我的身份证号是36020219900101123X，电话13812345678，失业金怎么领？", topic="13812345678的失业金"))
    store.log_unanswered("卡号 6222021234567890123  为什么没到账？")
    assert store.history(sid)[0].text == "我的身份证号是[身份证号]，电话[手机号]，失业金怎么领？"
    assert store.history(sid)[0].meta == {"topic": "[手机号]的失业金"}
    assert store.unanswered()[0][0] == "卡号 [银行卡号] 为什么没到账？"
    raw = redis.Redis.from_url(redis_server.url, decode_responses=True)
    stored = []
    for key in raw.keys(f"{store.prefix}:*"):
        kind = raw.type(key)
        stored += (raw.lrange(key, 0, -1) if kind == "list" else raw.zrange(key, 0, -1) if kind == "zset"
                   else list(raw.hgetall(key).items()) if kind == "hash" else [raw.get(key)])
    dumped = repr(stored)
    assert "[身份证号]" in dumped and "[银行卡号]" in dumped
    assert all(s not in dumped for s in ("13812345678", "36020219900101123X", "6222021234567890123"))


def test_sessions_expire_after_ttl_of_inactivity(redis_server, redis_prefix) -> None:
    clock = FakeClock()
    s = RedisSessionStore(redis_server.url, max_turns=5, ttl_seconds=1, prefix=redis_prefix, clock=clock)
    sid = s.new_id()
    s.append(sid, _turn("早"))
    assert [t.text for t in s.history(sid)] == ["早"]
    time.sleep(1.3)  # Redis expires the turns itself
    assert s.history(sid) == []
    s.append(sid, _turn("晚"))  # an expired id starts afresh
    assert [t.text for t in s.history(sid)] == ["晚"]
    clock.now += 2
    assert s.count() == 0 and s.purge_expired() == 1


def test_unanswered_counts_and_order(store) -> None:
    clock = FakeClock()
    store.clock = clock
    for q in ["  退休金 怎么 算  ", "退休金\u3000怎么\t算", "退休金 怎么 算", "生育津贴标准？", "工伤认定", "生育津贴标准？"]:
        store.log_unanswered(q)
        clock.now += 1
    store.log_unanswered("   ")
    rows = store.unanswered()
    assert [(q, c) for q, c, _ in rows] == [("退休金 怎么 算", 3), ("生育津贴标准？", 2), ("工伤认定", 1)]
    assert rows[1][2] == clock.now - 1 and len(store.unanswered(limit=2)) == 2
    store.log_unanswered("工伤认定")  # equal counts: the most recently seen first
    assert [q for q, _, _ in store.unanswered()][1:] == ["工伤认定", "生育津贴标准？"]


def test_redis_down_is_store_unavailable_and_recovers(tmp_path: Path, redis_prefix) -> None:
    server = RedisServer(tmp_path / "redis").start()
    s = RedisSessionStore(server.url, prefix=redis_prefix)
    sid = s.new_id()
    s.append(sid, _turn("一"))
    server.stop()
    assert s.check() is False
    with pytest.raises(StoreUnavailable):
        s.history(sid)
    with pytest.raises(StoreUnavailable):
        s.append(sid, _turn("二"))
    server.start()  # an empty Redis on the same port: the client reconnects by itself
    try:
        assert s.check() is True
        s.append(sid, _turn("三"))
        assert [t.text for t in s.history(sid)] == ["三"]
    finally:
        s.close()
        server.stop()


def test_open_sessions_follows_redis_url(tmp_path: Path, redis_server) -> None:
    embedded = open_sessions(load_settings(data_dir=tmp_path / "data"))
    shared = open_sessions(load_settings(data_dir=tmp_path / "data", redis_url=redis_server.url))
    assert isinstance(embedded, SessionStore) and embedded.backend == "sqlite" and embedded.check()
    assert isinstance(shared, RedisSessionStore) and shared.check()
    embedded.close()
    shared.close()


def test_bad_redis_url_fails_fast() -> None:
    from core.settings import ConfigError

    with pytest.raises(ConfigError, match="REDIS_URL"):
        load_settings(redis_url="localhost:6379")


def test_unanswered_is_capped_and_purged_by_age(redis_server, redis_prefix) -> None:
    now = [1_000_000.0]
    store = RedisSessionStore(redis_server.url, prefix=redis_prefix, clock=lambda: now[0], unanswered_max=5,
                              unanswered_max_age=3600)
    for i in range(12):
        now[0] += 1
        store.log_unanswered(f"问题{i}")
    assert {q for q, _, _ in store.unanswered(100)} == {f"问题{i}" for i in range(7, 12)}  # seen most recently
    now[0] += 1800
    store.log_unanswered("问题新")
    now[0] += 1801
    store.purge_expired()
    assert [q for q, _, _ in store.unanswered(100)] == ["问题新"]
    store.close()


def test_from_settings_takes_the_same_limits(tmp_path: Path, redis_server) -> None:
    s = RedisSessionStore.from_settings(load_settings(data_dir=tmp_path, redis_url=redis_server.url,
                                                      session_max_turns=3, session_ttl_seconds=120,
                                                      unanswered_max=50, unanswered_max_age_days=7))
    assert s.max_turns == 3 and s.ttl_seconds == 120 and s.unanswered_max == 50 and s.unanswered_max_age == 7 * 86400
    s.close()
