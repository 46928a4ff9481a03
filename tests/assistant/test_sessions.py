import multiprocessing as mp
import sqlite3
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

from assistant.sessions import SessionStore, Turn


class FakeClock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(tmp_path: Path, clock: FakeClock):  # type: ignore[no-untyped-def]
    s = SessionStore(tmp_path / "sessions.sqlite3", max_turns=5, ttl_seconds=3600, clock=clock)
    yield s
    s.close()


def _turn(text: str, role: str = "user", **meta: object) -> Turn:
    return Turn(role=role, text=text, at=1.0, meta=dict(meta))


def test_round_trip(store: SessionStore) -> None:
    sid = store.new_id()
    assert store.history(sid) == []
    meta = {"kind": "figure", "indicator_ids": ["a1", "b2"], "column": "2020年目标", "topic": "参保人数"}
    store.append(sid, Turn(role="user", text="2020年目标是多少？", at=10.0))
    store.append(sid, Turn(role="assistant", text="42.62万人", at=11.0, meta=meta))
    h = store.history(sid)
    assert [(t.role, t.text, t.at) for t in h] == [("user", "2020年目标是多少？", 10.0), ("assistant", "42.62万人", 11.0)]
    assert h[0].meta == {} and h[1].meta == meta
    assert store.count() == 1


def test_survives_restart(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "data" / "sessions.sqlite3"  # parent directory created on demand
    a = SessionStore(path, clock=clock)
    sid = a.new_id()
    a.append(sid, _turn("那2015年的基数呢？", column="2015年完成数"))
    a.log_unanswered("养老金 怎么算")
    a.close()
    b = SessionStore(path, clock=clock)
    assert [t.text for t in b.history(sid)] == ["那2015年的基数呢？"]
    assert b.history(sid)[0].meta == {"column": "2015年完成数"}
    assert b.unanswered() == [("养老金 怎么算", 1, clock.now)]
    b.close()


def test_from_settings(tmp_path: Path) -> None:
    settings = SimpleNamespace(data_dir=tmp_path, session_max_turns=3, session_ttl_seconds=120, unanswered_max=50,
                               unanswered_max_age_days=7)
    s = SessionStore.from_settings(settings)
    assert s.path == tmp_path / "sessions.sqlite3" and s.max_turns == 3 and s.ttl_seconds == 120
    assert s.unanswered_max == 50 and s.unanswered_max_age == 7 * 86400
    s.close()


def test_turn_limit_keeps_last(store: SessionStore) -> None:
    sid = store.new_id()
    other = store.new_id()
    for i in range(12):
        store.append(sid, _turn(f"问题{i}"))
    store.append(other, _turn("别的会话"))
    assert [t.text for t in store.history(sid)] == [f"问题{i}" for i in range(7, 12)]
    assert [t.text for t in store.history(other)] == ["别的会话"]


def test_expiry_and_purge(store: SessionStore, clock: FakeClock) -> None:
    old, fresh, stale = store.new_id(), store.new_id(), store.new_id()
    store.append(old, _turn("早"))
    store.append(stale, _turn("早"))
    clock.advance(1800)
    store.append(fresh, _turn("晚"))
    clock.advance(1801)  # old and stale are now 3601 s idle, fresh 1801 s
    assert store.count() == 1
    assert store.history(old) == []  # expired: deleted on read
    assert store.purge_expired() == 1  # only stale was left to purge
    assert [t.text for t in store.history(fresh)] == ["晚"]
    clock.advance(1799)  # reading does not count as activity: fresh is now exactly ttl idle,
    assert store.purge_expired() == 0  # which is not yet "older than ttl"
    clock.advance(1)
    assert store.purge_expired() == 1
    assert store.count() == 0


def test_activity_extends_life_and_expired_id_starts_fresh(store: SessionStore, clock: FakeClock) -> None:
    sid = store.new_id()
    store.append(sid, _turn("一"))
    clock.advance(3000)
    store.append(sid, _turn("二"))
    clock.advance(3000)  # 6000 s since the first turn, 3000 s since the last
    assert [t.text for t in store.history(sid)] == ["一", "二"]
    clock.advance(4000)
    store.append(sid, _turn("三"))  # the old turns expired before this append
    assert [t.text for t in store.history(sid)] == ["三"]


def test_pii_never_reaches_disk(store: SessionStore) -> None:
    sid = store.new_id()
    store.append(
        sid,
        _turn("我的身份证号是36020219900101123X，电话13812345678，失业金怎么领？", topic="13812345678的失业金"),
    )
    store.log_unanswered("卡号 6222021234567890123  为什么没到账？")
    assert store.history(sid)[0].text == "我的身份证号是[身份证号]，电话[手机号]，失业金怎么领？"
    assert store.history(sid)[0].meta == {"topic": "[手机号]的失业金"}
    assert store.unanswered()[0][0] == "卡号 [银行卡号] 为什么没到账？"
    store.close()
    raw = sqlite3.connect(store.path)
    dumped = "\n".join(raw.iterdump())
    raw.close()
    for secret in ("13812345678", "36020219900101123X", "6222021234567890123"):
        assert secret not in dumped
        for f in store.path.parent.iterdir():  # the WAL file too, if any is left
            assert secret.encode() not in f.read_bytes()


@pytest.mark.parametrize(
    ("sid", "ok"),
    [
        ("abcdEFGH", True),
        ("a" * 64, True),
        ("x-y_z-123456", True),
        ("short", False),
        ("a" * 65, False),
        ("abc/def/ghi", False),
        ("abcdefgh\n", False),
        ("会话标识会话标识会话", False),
        ("", False),
        ("'; DROP TABLE--", False),
    ],
)
def test_valid_id(store: SessionStore, sid: str, ok: bool) -> None:
    assert store.valid_id(sid) is ok
    if not ok:
        assert store.history(sid) == []
        with pytest.raises(ValueError):
            store.append(sid, _turn("hi"))


def test_new_ids_are_valid_and_distinct(store: SessionStore) -> None:
    ids = {store.new_id() for _ in range(200)}
    assert len(ids) == 200 and all(store.valid_id(i) for i in ids)


def test_bad_role_rejected(store: SessionStore) -> None:
    with pytest.raises(ValueError):
        store.append(store.new_id(), Turn(role="system", text="x", at=0.0))


def test_threads(tmp_path: Path, clock: FakeClock) -> None:
    store = SessionStore(tmp_path / "s.sqlite3", max_turns=1000, clock=clock)
    shared = store.new_id()
    own = [store.new_id() for _ in range(8)]
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            for j in range(50):
                store.append(own[i], _turn(f"{i}-{j}"))
                store.append(shared, _turn(f"{i}-{j}"))
                store.history(shared)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for i, sid in enumerate(own):
        assert [t.text for t in store.history(sid)] == [f"{i}-{j}" for j in range(50)]
    assert len(store.history(shared)) == 400
    assert store.count() == 9
    store.close()


def _proc_worker(path: str, sid: str, tag: str, n: int) -> None:
    # Module-level so the spawn start method can import it in the child.
    store = SessionStore(Path(path), max_turns=10_000)
    for j in range(n):
        store.append(sid, Turn(role="user", text=f"{tag}-{j}: 13812345678", at=float(j)))
        store.log_unanswered("同一个问题")
    store.close()


def test_processes_share_the_file(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    sid = "shared-session-id"
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_proc_worker, args=(str(path), sid, f"p{i}", 100)) for i in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0, 0]  # a "database is locked" error would exit 1
    store = SessionStore(path, max_turns=10_000)
    texts = [t.text for t in store.history(sid)]
    assert len(texts) == 200
    assert sorted(texts) == sorted(f"p{i}-{j}: [手机号]" for i in range(2) for j in range(100))
    assert store.unanswered() == [("同一个问题", 200, store.unanswered()[0][2])]
    store.close()


def test_unanswered_counts_and_order(store: SessionStore, clock: FakeClock) -> None:
    for q in ["  退休金 怎么 算  ", "退休金\u3000怎么\t算", "退休金 怎么 算"]:
        store.log_unanswered(q)
        clock.advance(1)
    store.log_unanswered("生育津贴标准？")
    clock.advance(1)
    store.log_unanswered("工伤认定")
    clock.advance(1)
    store.log_unanswered("生育津贴标准？")
    store.log_unanswered("   ")  # nothing to record
    rows = store.unanswered()
    assert [(q, c) for q, c, _ in rows] == [("退休金 怎么 算", 3), ("生育津贴标准？", 2), ("工伤认定", 1)]
    assert rows[1][2] == clock.now  # last_seen is the latest sighting
    assert len(store.unanswered(limit=2)) == 2
    # Equal counts: the most recently seen first.
    clock.advance(1)
    store.log_unanswered("工伤认定")
    assert [q for q, _, _ in store.unanswered()][1:] == ["工伤认定", "生育津贴标准？"]


def test_closed_store_refuses(tmp_path: Path) -> None:
    s = SessionStore(tmp_path / "c.sqlite3")
    s.close()
    with pytest.raises(RuntimeError):
        s.history("abcdefgh")


def test_unanswered_table_is_capped_and_purged_by_age(tmp_path):
    now = [1_000_000.0]
    store = SessionStore(tmp_path / "s.sqlite3", clock=lambda: now[0], unanswered_max=5, unanswered_max_age=3600)
    for i in range(12):
        now[0] += 1
        store.log_unanswered(f"问题{i}")
    kept = {q for q, _, _ in store.unanswered(100)}
    assert kept == {f"问题{i}" for i in range(7, 12)}  # the five seen most recently
    now[0] += 1800
    store.log_unanswered("问题新")
    now[0] += 1801
    store.purge_expired()
    assert [q for q, _, _ in store.unanswered(100)] == ["问题新"]
    store.close()
