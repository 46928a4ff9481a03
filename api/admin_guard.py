"""Failed admin authentications per client, in a sliding window shared by every worker (SQLite).

Admin endpoints are not under the public rate limit (staff must not be locked out by chat traffic),
so guessing keys needs its own brake: after ``max_failures`` wrong keys within ``window`` seconds a
client gets 429 with Retry-After until its oldest failure leaves the window. Only failures count.
"""
from __future__ import annotations

import logging
import math
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

from core.sqlite import use_wal

log = logging.getLogger("policy.api")
_SCHEMA = "CREATE TABLE IF NOT EXISTS failures (client TEXT NOT NULL, at REAL NOT NULL)"
_INDEX = "CREATE INDEX IF NOT EXISTS failures_client ON failures(client, at)"


class AuthFailures:
    def __init__(self, path: Path, max_failures: int, window: float, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self.max_failures = max_failures
        self.window = window
        self.clock = clock
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        db = self._conn()
        db.execute(_SCHEMA)
        db.execute(_INDEX)

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None or getattr(self._local, "pid", None) != os.getpid():
            conn = sqlite3.connect(self.path, timeout=2.0, isolation_level=None, check_same_thread=False)
            use_wal(conn, 2.0)
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def retry_after(self, client: str) -> int:
        """Seconds this client must wait before trying a key again; 0 when it may try now."""
        now = self.clock()
        rows = self._conn().execute(
            "SELECT at FROM failures WHERE client = ? AND at > ? ORDER BY at DESC LIMIT ?",
            (client[:200], now - self.window, self.max_failures)).fetchall()
        if len(rows) < self.max_failures:
            return 0
        return max(1, math.ceil(rows[-1][0] + self.window - now))

    def failed(self, client: str) -> None:
        now = self.clock()
        db = self._conn()
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("INSERT INTO failures (client, at) VALUES (?, ?)", (client[:200], now))
            db.execute("DELETE FROM failures WHERE at < ?", (now - self.window,))
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        log.warning("admin authentication failed from %s", client[:64])
