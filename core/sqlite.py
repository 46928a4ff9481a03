"""SQLite set-up shared by every embedded store (sessions, rate limits, admin failures, vector cache)."""
from __future__ import annotations

import sqlite3
import time


def use_wal(conn: sqlite3.Connection, seconds: float = 10.0) -> None:
    """Switch to WAL, retrying while another process holds the lock.

    Two processes opening a new file at once can get "database is locked" from the journal-mode
    change straight away (SQLite skips the busy handler where waiting could deadlock), so the wait
    is done here, with the busy timeout set for every later statement.
    """
    conn.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")
    deadline = time.monotonic() + seconds
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)
