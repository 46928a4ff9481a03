"""Per-client request counters in SQLite, shared by every uvicorn worker on the machine.

Fixed windows (aligned to the epoch): one row per (client, window), incremented in one short
write transaction. Several workers share the file, so the limit holds whichever worker a
request lands on. WAL lets readers proceed while a writer holds the lock for microseconds.
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

log = logging.getLogger("policy.api")

_SCHEMA = ("CREATE TABLE IF NOT EXISTS hits (client TEXT NOT NULL, window INTEGER NOT NULL, "
           "count INTEGER NOT NULL, PRIMARY KEY (client, window)) WITHOUT ROWID")


class RateLimiter:
    def __init__(self, path: Path, limit: int, seconds: float, clock: Callable[[], float] = time.time):
        self.path = Path(path)
        self.limit = limit
        self.seconds = seconds
        self.clock = clock
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._conn().execute(_SCHEMA)

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None or getattr(self._local, "pid", None) != os.getpid():
            conn = sqlite3.connect(self.path, timeout=2.0, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout = 2000")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = OFF")  # counters: losing the last ms on power loss is fine
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def hit(self, client: str) -> tuple[bool, int]:
        """Count one request; (allowed, seconds until the window resets)."""
        now = self.clock()
        window = int(now // self.seconds)
        retry_after = max(1, math.ceil((window + 1) * self.seconds - now))
        try:
            db = self._conn()
            db.execute("BEGIN IMMEDIATE")
            try:
                count = db.execute(
                    "INSERT INTO hits (client, window, count) VALUES (?, ?, 1) "
                    "ON CONFLICT(client, window) DO UPDATE SET count = count + 1 RETURNING count",
                    (client[:200], window),
                ).fetchone()[0]
                if random.random() < 0.01:  # old windows are only ever deleted, never read
                    db.execute("DELETE FROM hits WHERE window < ?", (window - 1,))
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
        except sqlite3.Error as e:
            # Fail open: a locked or broken counter file must not take the whole service down.
            log.warning("rate limiter unavailable (%s); request allowed", e)
            return True, 0
        return count <= self.limit, retry_after
