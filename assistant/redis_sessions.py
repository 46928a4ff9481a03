"""Chat sessions and the unanswered-question log in Redis, shared by every API machine.

Same behaviour as the SQLite ``SessionStore``: turns redacted before they are stored, the last
``max_turns`` kept, a session forgotten after ``ttl_seconds`` without a new turn. Keys (under the prefix):

    <p>:session:<id>         list of turns (JSON), expiring ttl_seconds after the last append
    <p>:sessions             sorted set id -> last activity, for count() and purge_expired()
    <p>:unanswered           sorted set question -> times asked
    <p>:unanswered:seen      sorted set question -> last time asked (the cap and the age limit go by it)

A Redis that cannot be reached raises ``StoreUnavailable`` (503 with Retry-After), never a bare error.
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from assistant.redact import redact
from assistant.sessions import ROLES, SessionStore, Turn, _redact_meta, normalize_question
from core.errors import StoreUnavailable

if TYPE_CHECKING:
    from core.settings import Settings

T = TypeVar("T")


class RedisSessionStore:
    backend = "redis"

    # Session ids are issued and checked exactly as the SQLite store does.
    new_id = SessionStore.new_id
    valid_id = SessionStore.valid_id

    def __init__(self, url: str, max_turns: int = 20, ttl_seconds: int = 86400, prefix: str = "policy",
                 clock: Callable[[], float] = time.time, timeout: float = 1.0, unanswered_max: int = 10000,
                 unanswered_max_age: float = 90 * 86400) -> None:
        import redis

        if max_turns < 1 or ttl_seconds <= 0:
            raise ValueError("max_turns must be >= 1 and ttl_seconds > 0")
        self.max_turns = max_turns
        self.ttl_seconds = int(ttl_seconds)
        # Anyone can add unanswered questions: as in SQLite, capped, the least recently seen dropped first.
        self.unanswered_max = unanswered_max
        self.unanswered_max_age = unanswered_max_age
        self.prefix = prefix
        self.clock = clock
        # Short timeouts: an unreachable Redis must become a quick 503. The client reconnects by itself.
        self.redis = redis.Redis.from_url(url, decode_responses=True, socket_timeout=timeout,
                                          socket_connect_timeout=timeout, health_check_interval=10)
        self._errors = redis.RedisError

    @classmethod
    def from_settings(cls, settings: "Settings") -> "RedisSessionStore":
        assert settings.redis_url, "RedisSessionStore needs REDIS_URL"
        return cls(settings.redis_url, max_turns=settings.session_max_turns,
                   ttl_seconds=settings.session_ttl_seconds, prefix=settings.redis_prefix,
                   unanswered_max=settings.unanswered_max,
                   unanswered_max_age=settings.unanswered_max_age_days * 86400)

    def _key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    def _call(self, fn: Callable[[], T]) -> T:
        try:
            return fn()
        except self._errors as e:
            raise StoreUnavailable("session store (redis)", e) from e

    # -- sessions ---------------------------------------------------------------------------

    def history(self, session_id: str) -> list[Turn]:
        """Turns oldest first; [] for invalid, unknown or expired ids."""
        if not self.valid_id(session_id):
            return []
        rows = self._call(lambda: self.redis.lrange(self._key("session", session_id), 0, -1))
        turns = []
        for row in rows:
            d = json.loads(row)
            turns.append(Turn(role=d["role"], text=d["text"], at=float(d["at"]), meta=d.get("meta") or {}))
        return turns

    def append(self, session_id: str, turn: Turn) -> None:
        """Store a redacted turn, keep the last max_turns, and mark the session active."""
        if not self.valid_id(session_id):
            raise ValueError(f"invalid session id: {session_id!r}")
        if turn.role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}, got {turn.role!r}")
        row = json.dumps({"role": turn.role, "text": redact(turn.text), "at": float(turn.at),
                          "meta": _redact_meta(turn.meta or {})}, ensure_ascii=False)
        key = self._key("session", session_id)

        def write() -> None:
            pipe = self.redis.pipeline(transaction=True)
            pipe.rpush(key, row)
            pipe.ltrim(key, -self.max_turns, -1)
            pipe.expire(key, self.ttl_seconds)
            pipe.zadd(self._key("sessions"), {session_id: self.clock()})
            pipe.execute()

        self._call(write)

    def purge_expired(self) -> int:
        """Forget expired sessions in the activity index (their turns expire in Redis by themselves) and
        unanswered questions not seen for unanswered_max_age; returns how many sessions were forgotten."""
        now = self.clock()
        counts, seen = self._key("unanswered"), self._key("unanswered", "seen")

        def purge() -> int:
            old = self.redis.zrangebyscore(seen, "-inf", f"({now - self.unanswered_max_age}")
            if old:
                self.redis.zrem(counts, *old)
                self.redis.zrem(seen, *old)
            return int(self.redis.zremrangebyscore(self._key("sessions"), "-inf", f"({now - self.ttl_seconds}"))

        return self._call(purge)

    def count(self) -> int:
        cutoff = self.clock() - self.ttl_seconds
        return int(self._call(lambda: self.redis.zcount(self._key("sessions"), cutoff, "+inf")))

    # -- unanswered questions ---------------------------------------------------------------

    def log_unanswered(self, question: str) -> None:
        q = normalize_question(question)
        if not q:
            return
        counts, seen = self._key("unanswered"), self._key("unanswered", "seen")

        def write() -> None:
            pipe = self.redis.pipeline(transaction=True)
            pipe.zincrby(counts, 1, q)
            pipe.zadd(seen, {q: self.clock()})
            pipe.zcard(seen)
            size = pipe.execute()[-1]
            if size > self.unanswered_max:
                dropped = [m for m, _ in self.redis.zpopmin(seen, size - self.unanswered_max)]
                if dropped:
                    self.redis.zrem(counts, *dropped)

        self._call(write)

    def unanswered(self, limit: int = 100) -> list[tuple[str, int, float]]:
        """(question, count, last_seen), most frequent first, then most recent."""
        limit = max(0, int(limit))
        if limit == 0:
            return []
        counts, seen = self._key("unanswered"), self._key("unanswered", "seen")

        def read() -> list[tuple[str, int, float]]:
            top = self.redis.zrevrange(counts, 0, limit - 1, withscores=True)
            if not top:
                return []
            # Everything tied with the last of the top `limit`, so ties are broken by recency, not by name.
            rows = self.redis.zrangebyscore(counts, top[-1][1], "+inf", withscores=True)
            times = self.redis.zmscore(seen, [q for q, _ in rows])
            out = [(q, int(c), float(t or 0.0)) for (q, c), t in zip(rows, times)]
            out.sort(key=lambda r: (-r[1], -r[2]))
            return out[:limit]

        return self._call(read)

    # -- operations -------------------------------------------------------------------------

    def check(self) -> bool:
        try:
            return bool(self.redis.ping())
        except self._errors:
            return False

    def close(self) -> None:
        self.redis.close()
