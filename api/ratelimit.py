"""Per-client rate limits over a moving window: at most ``limit`` requests in any ``seconds``.

Two stores behind one small interface (``hit(client) -> (allowed, retry_after)``, ``check()``):

* ``RateLimiter``: embedded, one SQLite file shared by every uvicorn worker on the machine. It keeps the
  time of each request of the last window per client, so a client cannot get twice the limit through
  by straddling a window boundary (which a fixed-window counter allows).
* ``RedisRateLimiter``: with ``REDIS_URL``, the ``limits`` library's moving window in Redis, shared by
  every machine behind the load balancer.

An unavailable store (a locked or broken file, Redis down) fails closed: ``hit`` raises
``LimiterUnavailable`` and the middleware answers 503 with ``Retry-After``. Anonymous traffic must not
go unlimited because the limiter is down; the store recovers on its own and so does the service.
"""
from __future__ import annotations

import logging
import math
import os
import random
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from core.errors import StoreUnavailable
from core.sqlite import use_wal

if TYPE_CHECKING:
    from core.settings import Settings

log = logging.getLogger("policy.api")

RETRY_AFTER_UNAVAILABLE = 5  # seconds a client is asked to wait while the store is down

_SCHEMA = ("CREATE TABLE IF NOT EXISTS events (client TEXT NOT NULL, at REAL NOT NULL)",
           "CREATE INDEX IF NOT EXISTS events_client_at ON events(client, at)",
           "DROP TABLE IF EXISTS hits")  # the fixed-window counters of earlier versions


class LimiterUnavailable(StoreUnavailable):
    """The rate-limit store cannot be reached; the request is refused with 503."""


class Limiter(Protocol):
    backend: str

    def hit(self, client: str) -> tuple[bool, int]:
        """Count one request; (allowed, seconds until the client may send again). Raises LimiterUnavailable."""
        ...

    def wait(self, client: str) -> int:
        """Seconds until the client's next hit would be allowed (0: now), counting nothing. Raises
        LimiterUnavailable."""
        ...

    def check(self) -> bool:
        """True when the store answers (for /readyz)."""
        ...


class RateLimiter:
    """Moving window in SQLite: one row per request of the last ``seconds``, per client."""

    backend = "sqlite"

    def __init__(self, path: Path, limit: int, seconds: float, clock: Callable[[], float] = time.time):
        if limit < 1 or seconds <= 0:
            raise ValueError("limit must be >= 1 and seconds > 0")
        self.path = Path(path)
        self.limit = limit
        self.seconds = seconds
        self.clock = clock
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        db = self._conn()
        for stmt in _SCHEMA:
            db.execute(stmt)

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None or getattr(self._local, "pid", None) != os.getpid():
            conn = sqlite3.connect(self.path, timeout=2.0, isolation_level=None, check_same_thread=False)
            use_wal(conn, 2.0)
            conn.execute("PRAGMA synchronous = OFF")  # counters: losing the last ms on power loss is fine
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def hit(self, client: str) -> tuple[bool, int]:
        now = self.clock()
        try:
            count, oldest = self._record(client[:200], now)
        except sqlite3.Error as e:
            log.error("rate limiter unavailable (%s); request refused with 503", e)
            raise LimiterUnavailable("rate-limit store", e, RETRY_AFTER_UNAVAILABLE) from e
        allowed = count < self.limit
        retry_after = max(1, math.ceil((oldest if oldest is not None else now) + self.seconds - now))
        return allowed, retry_after

    def wait(self, client: str) -> int:
        now = self.clock()
        try:
            count, oldest = self._conn().execute("SELECT COUNT(*), MIN(at) FROM events WHERE client = ? AND at > ?",
                                                 (client[:200], now - self.seconds)).fetchone()
        except sqlite3.Error as e:
            raise LimiterUnavailable("rate-limit store", e, RETRY_AFTER_UNAVAILABLE) from e
        return 0 if count < self.limit else max(1, math.ceil(oldest + self.seconds - now))

    def _record(self, client: str, now: float) -> tuple[int, float | None]:
        """(requests in the window before this one, time of the oldest); this one is stored if allowed."""
        db = self._conn()
        db.execute("BEGIN IMMEDIATE")
        try:
            start = now - self.seconds
            db.execute("DELETE FROM events WHERE client = ? AND at <= ?", (client, start))
            count, oldest = db.execute("SELECT COUNT(*), MIN(at) FROM events WHERE client = ?", (client,)).fetchone()
            if count < self.limit:
                db.execute("INSERT INTO events (client, at) VALUES (?, ?)", (client, now))
            if random.random() < 0.01:  # clients that went quiet: nothing else removes their rows
                db.execute("DELETE FROM events WHERE at <= ?", (start,))
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        return int(count), oldest

    def check(self) -> bool:
        try:
            self._conn().execute("SELECT 1 FROM events LIMIT 1").fetchall()
            return True
        except sqlite3.Error:
            return False


class RedisRateLimiter:
    """The ``limits`` library's moving window in Redis, shared by every API process that uses the same Redis."""

    backend = "redis"

    def __init__(self, url: str, limit: int, seconds: float, prefix: str = "policy", timeout: float = 1.0):
        from limits import RateLimitItemPerSecond
        from limits.storage import RedisStorage
        from limits.strategies import MovingWindowRateLimiter

        # Short timeouts: a Redis that does not answer must turn into a quick 503, not a hung request.
        self.storage = RedisStorage(url, key_prefix=f"{prefix}:rate", wrap_exceptions=True, socket_timeout=timeout,
                                    socket_connect_timeout=timeout, health_check_interval=10)
        self.strategy = MovingWindowRateLimiter(self.storage)
        self.item = RateLimitItemPerSecond(limit, max(1, int(seconds)))

    def hit(self, client: str) -> tuple[bool, int]:
        from limits.errors import StorageError

        key = client[:200]
        try:
            allowed = self.strategy.hit(self.item, key)
            reset = self.strategy.get_window_stats(self.item, key).reset_time
        except StorageError as e:
            log.error("rate limiter unavailable (redis: %s); request refused with 503", e.storage_error)
            raise LimiterUnavailable("rate-limit store (redis)", e.storage_error, RETRY_AFTER_UNAVAILABLE) from e
        return allowed, max(1, math.ceil(reset - time.time()))

    def wait(self, client: str) -> int:
        from limits.errors import StorageError

        key = client[:200]
        try:
            if self.strategy.test(self.item, key):
                return 0
            reset = self.strategy.get_window_stats(self.item, key).reset_time
        except StorageError as e:
            log.error("rate limiter unavailable (redis: %s)", e.storage_error)
            raise LimiterUnavailable("rate-limit store (redis)", e.storage_error, RETRY_AFTER_UNAVAILABLE) from e
        return max(1, math.ceil(reset - time.time()))

    def check(self) -> bool:
        return bool(self.storage.check())


_DEFAULT = object()


def make_limiter(settings: "Settings", rate: Any = _DEFAULT, name: str = "ratelimit") -> Limiter | None:
    """A limiter in the configured store: None when off, Redis with REDIS_URL, else a SQLite file.

    ``rate`` (requests, seconds) defaults to POLICY_RATE_LIMIT; ``name`` keeps another limit (say, failed
    admin logins) apart from the public one: its own file, its own Redis keys.
    """
    rate = settings.rate if rate is _DEFAULT else rate
    if rate is None:
        return None
    if settings.redis_url:
        prefix = settings.redis_prefix if name == "ratelimit" else f"{settings.redis_prefix}:{name}"
        return RedisRateLimiter(settings.redis_url, *rate, prefix=prefix)
    return RateLimiter(Path(settings.data_dir) / f"{name}.sqlite3", *rate)
