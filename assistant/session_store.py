"""What the engine needs of a session store, and the choice between the two stores.

``SessionStore`` (assistant/sessions.py) keeps sessions in SQLite on one machine; ``RedisSessionStore``
(assistant/redis_sessions.py) keeps them in Redis, so every API machine behind a load balancer sees the
same conversations and the same unanswered-question log.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from assistant.sessions import Turn
    from core.settings import Settings


class Sessions(Protocol):
    backend: str

    def new_id(self) -> str: ...

    def valid_id(self, session_id: str) -> bool: ...

    def history(self, session_id: str) -> list["Turn"]: ...

    def append(self, session_id: str, turn: "Turn") -> None: ...

    def purge_expired(self) -> int: ...

    def count(self) -> int: ...

    def log_unanswered(self, question: str) -> None: ...

    def unanswered(self, limit: int = 100) -> list[tuple[str, int, float]]: ...

    def check(self) -> bool: ...

    def close(self) -> None: ...


def open_sessions(settings: "Settings") -> Sessions:
    """Redis when REDIS_URL is set, else the SQLite file under the data directory."""
    if settings.redis_url:
        from assistant.redis_sessions import RedisSessionStore

        return RedisSessionStore.from_settings(settings)
    from assistant.sessions import SessionStore

    return SessionStore.from_settings(settings)
