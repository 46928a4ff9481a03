"""use_wal waits for another connection's lock instead of failing at once."""
from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from core.sqlite import use_wal


def test_wal_switch_waits_for_a_lock_held_elsewhere(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    threading.Timer(0.3, lambda: holder.execute("COMMIT")).start()
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    t0 = time.monotonic()
    use_wal(other, 5.0)
    assert time.monotonic() - t0 >= 0.25
    assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_gives_up_after_its_deadline(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        use_wal(sqlite3.connect(path, isolation_level=None, timeout=0), 0.2)
    holder.execute("COMMIT")
