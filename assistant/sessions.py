"""Chat sessions and the unanswered-question log, kept in SQLite under the data directory.

Several uvicorn workers may share the file and FastAPI runs sync endpoints in a thread pool,
so each thread (per process) gets its own connection, the database runs in WAL mode, and
every write takes the write lock up front (BEGIN IMMEDIATE) so concurrent writers wait on
busy_timeout instead of failing with "database is locked" when a read upgrades to a write.
Text is redacted before it is stored: the file must never hold callers' ID or phone numbers.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.redact import redact
from core.sqlite import use_wal

if TYPE_CHECKING:
    from core.settings import Settings

ROLES = ("user", "assistant")
_ID_RE = re.compile(r"[A-Za-z0-9_-]{8,64}")
_MAX_QUESTION_CHARS = 1000  # the unanswered log is for reading, not for storing essays

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    created REAL NOT NULL,
    last_active REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_last_active ON sessions(last_active);
CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL,
    role TEXT NOT NULL,
    text TEXT NOT NULL,
    at REAL NOT NULL,
    meta TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS turns_session ON turns(session_id, id);
CREATE TABLE IF NOT EXISTS unanswered (
    question TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    first_seen REAL NOT NULL,
    last_seen REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS unanswered_last_seen ON unanswered(last_seen);
"""


@dataclass
class Turn:
    """One message of a conversation; meta holds what the answerer resolved (kind, indicator ids, column, topic)."""

    role: str
    text: str
    at: float
    meta: dict[str, Any] = field(default_factory=dict)


def _redact_meta(value: Any) -> Any:
    # meta can carry the resolved question or a topic copied from the user's words.
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _redact_meta(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redact_meta(v) for v in value]
    return value


def normalize_question(question: str) -> str:
    """Redacted, stripped, with runs of whitespace collapsed to one space."""
    return re.sub(r"\s+", " ", redact(question)).strip()[:_MAX_QUESTION_CHARS]


class SessionStore:
    """Chat history per session id, with expiry after ttl_seconds of inactivity."""

    backend = "sqlite"

    def __init__(
        self,
        path: Path,
        max_turns: int = 20,
        ttl_seconds: int = 86400,
        clock: Callable[[], float] = time.time,
        unanswered_max: int = 10000,
        unanswered_max_age: float = 90 * 86400,
    ) -> None:
        if max_turns < 1 or ttl_seconds <= 0:
            raise ValueError("max_turns must be >= 1 and ttl_seconds > 0")
        # Anyone can add unanswered questions; the table must not grow without bound.
        self.unanswered_max = unanswered_max
        self.unanswered_max_age = unanswered_max_age
        self.path = Path(path)
        self.max_turns = max_turns
        self.ttl_seconds = ttl_seconds
        self.clock = clock
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []  # so close() reaches every thread's connection
        self._lock = threading.Lock()
        self._closed = False
        with self._write() as db:
            # Not executescript: it would commit the BEGIN IMMEDIATE that serialises creation.
            for stmt in filter(None, (s.strip() for s in _SCHEMA.split(";"))):
                db.execute(stmt)

    @classmethod
    def from_settings(cls, settings: "Settings") -> "SessionStore":
        """The store at data_dir/sessions.sqlite3 with the configured turn limit and ttl."""
        return cls(
            Path(settings.data_dir) / "sessions.sqlite3",
            max_turns=settings.session_max_turns,
            ttl_seconds=settings.session_ttl_seconds,
            unanswered_max=settings.unanswered_max,
            unanswered_max_age=settings.unanswered_max_age_days * 86400,
        )

    # -- connections ------------------------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        if self._closed:
            raise RuntimeError("SessionStore is closed")
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        # A forked child must not reuse its parent's connection.
        if conn is None or getattr(self._local, "pid", None) != os.getpid():
            conn = sqlite3.connect(self.path, timeout=5.0, isolation_level=None, check_same_thread=False)
            use_wal(conn, 5.0)
            conn.execute("PRAGMA synchronous = NORMAL")
            self._local.conn, self._local.pid = conn, os.getpid()
            with self._lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        db = self._conn()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        if db.in_transaction:
            db.execute("COMMIT")

    def check(self) -> bool:
        """True when the file answers (for /readyz)."""
        try:
            self._conn().execute("SELECT 1 FROM sessions LIMIT 1").fetchall()
            return True
        except (sqlite3.Error, RuntimeError):
            return False

    def close(self) -> None:
        with self._lock:
            self._closed = True
            conns, self._all = self._all, []
        for c in conns:
            try:
                c.close()
            except sqlite3.Error:
                pass

    # -- sessions ---------------------------------------------------------------------------

    def new_id(self) -> str:
        return secrets.token_urlsafe(16)

    def valid_id(self, session_id: str) -> bool:
        """Shape check only (8-64 chars of [A-Za-z0-9_-]); unknown ids are still valid."""
        return isinstance(session_id, str) and bool(_ID_RE.fullmatch(session_id))

    def _cutoff(self) -> float:
        return self.clock() - self.ttl_seconds

    @staticmethod
    def _delete(db: sqlite3.Connection, session_id: str) -> None:
        db.execute("DELETE FROM turns WHERE session_id = ?", (session_id,))
        db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))

    def history(self, session_id: str) -> list[Turn]:
        """Turns oldest first; [] for invalid, unknown or expired ids (expired ones are deleted)."""
        if not self.valid_id(session_id):
            return []
        db = self._conn()
        row = db.execute("SELECT last_active FROM sessions WHERE id = ?", (session_id,)).fetchone()
        if row is None:
            return []
        if row[0] < self._cutoff():
            with self._write() as w:
                # Re-check under the write lock: another worker may have just revived the session.
                again = w.execute("SELECT last_active FROM sessions WHERE id = ?", (session_id,)).fetchone()
                if again is None or again[0] < self._cutoff():
                    self._delete(w, session_id)
                    return []
        rows = db.execute(
            "SELECT role, text, at, meta FROM turns WHERE session_id = ? ORDER BY id", (session_id,)
        ).fetchall()
        return [Turn(role=r, text=t, at=a, meta=json.loads(m or "{}")) for r, t, a, m in rows]

    def append(self, session_id: str, turn: Turn) -> None:
        """Store a redacted turn, keep the last max_turns, and mark the session active."""
        if not self.valid_id(session_id):
            raise ValueError(f"invalid session id: {session_id!r}")
        if turn.role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}, got {turn.role!r}")
        meta = json.dumps(_redact_meta(turn.meta or {}), ensure_ascii=False)
        now = self.clock()
        with self._write() as db:
            row = db.execute("SELECT last_active FROM sessions WHERE id = ?", (session_id,)).fetchone()
            if row is not None and row[0] < now - self.ttl_seconds:
                # An expired session's id starts afresh rather than resurrecting old turns.
                self._delete(db, session_id)
                row = None
            if row is None:
                db.execute("INSERT INTO sessions (id, created, last_active) VALUES (?, ?, ?)", (session_id, now, now))
            else:
                db.execute("UPDATE sessions SET last_active = ? WHERE id = ?", (now, session_id))
            db.execute(
                "INSERT INTO turns (session_id, role, text, at, meta) VALUES (?, ?, ?, ?, ?)",
                (session_id, turn.role, redact(turn.text), float(turn.at), meta),
            )
            db.execute(
                "DELETE FROM turns WHERE session_id = ? AND id NOT IN "
                "(SELECT id FROM turns WHERE session_id = ? ORDER BY id DESC LIMIT ?)",
                (session_id, session_id, self.max_turns),
            )

    def purge_expired(self) -> int:
        """Delete every expired session; returns how many were deleted."""
        with self._write() as db:
            cutoff = self._cutoff()
            db.execute(
                "DELETE FROM turns WHERE session_id IN (SELECT id FROM sessions WHERE last_active < ?)", (cutoff,)
            )
            db.execute("DELETE FROM unanswered WHERE last_seen < ?", (self.clock() - self.unanswered_max_age,))
            return db.execute("DELETE FROM sessions WHERE last_active < ?", (cutoff,)).rowcount

    def count(self) -> int:
        """Number of sessions that have not expired."""
        row = self._conn().execute("SELECT COUNT(*) FROM sessions WHERE last_active >= ?", (self._cutoff(),))
        return int(row.fetchone()[0])

    # -- unanswered questions ---------------------------------------------------------------

    def log_unanswered(self, question: str) -> None:
        """Count a question the assistant could not answer (redacted and normalized first)."""
        q = normalize_question(question)
        if not q:
            return
        now = self.clock()
        with self._write() as db:
            db.execute(
                "INSERT INTO unanswered (question, count, first_seen, last_seen) VALUES (?, 1, ?, ?) "
                "ON CONFLICT(question) DO UPDATE SET count = count + 1, last_seen = excluded.last_seen",
                (q, now, now),
            )
            # Over the cap, the questions seen least recently go first.
            db.execute(
                "DELETE FROM unanswered WHERE question IN "
                "(SELECT question FROM unanswered ORDER BY last_seen DESC LIMIT -1 OFFSET ?)",
                (self.unanswered_max,),
            )

    def unanswered(self, limit: int = 100) -> list[tuple[str, int, float]]:
        """(question, count, last_seen), most frequent first, then most recent."""
        rows = self._conn().execute(
            "SELECT question, count, last_seen FROM unanswered ORDER BY count DESC, last_seen DESC LIMIT ?",
            (max(0, int(limit)),),
        ).fetchall()
        return [(q, int(c), float(t)) for q, c, t in rows]
