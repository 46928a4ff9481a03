"""Failed admin authentications per client, over a moving window shared by every worker and machine.

Admin endpoints are not under the public rate limit (staff must not be locked out by chat traffic),
so guessing keys needs its own brake: after ``max_failures`` wrong keys within ``window`` seconds a
client gets 429 with Retry-After until its oldest failure leaves the window. Only failures count.

The count is kept by the public limit's own limiter (``api.ratelimit.make_limiter``) under its own name:
a SQLite file shared by the workers of one machine, or with ``REDIS_URL`` the ``limits`` moving window in
Redis, so that several API machines share one lockout instead of each granting ``max_failures`` guesses.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from api.ratelimit import Limiter, RateLimiter, make_limiter

if TYPE_CHECKING:
    from core.settings import Settings

log = logging.getLogger("policy.api")
NAME = "admin_failures"  # the limiter's name: its SQLite file, its Redis keys


class AuthFailures:
    """``retry_after(client)`` before a key is checked, ``failed(client)`` after a wrong one; both raise
    ``LimiterUnavailable`` (a ``StoreUnavailable``) when the store cannot be reached."""

    def __init__(self, limiter: Limiter):
        self.limiter = limiter

    @property
    def backend(self) -> str:
        return self.limiter.backend

    @classmethod
    def from_settings(cls, settings: "Settings") -> "AuthFailures":
        limiter = make_limiter(settings, (settings.admin_max_failures, settings.admin_failure_window), name=NAME)
        assert limiter is not None  # a rate is given
        return cls(limiter)

    @classmethod
    def in_file(cls, path: Path, max_failures: int, window: float,
                clock: Callable[[], float] = time.time) -> "AuthFailures":
        return cls(RateLimiter(path, max_failures, window, clock))

    def retry_after(self, client: str) -> int:
        """Seconds this client must wait before trying a key again; 0 when it may try now."""
        return self.limiter.wait(client)

    def failed(self, client: str) -> None:
        self.limiter.hit(client)
        log.warning("admin authentication failed from %s", client[:64])

    def check(self) -> bool:
        return self.limiter.check()
