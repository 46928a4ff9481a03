"""Errors shared across layers."""
from __future__ import annotations


class StoreUnavailable(RuntimeError):
    """A shared store (sessions, rate-limit counters) cannot be reached right now.

    The service answers 503 with ``Retry-After`` rather than serving without it: no rate limit, or
    a conversation that silently loses its context, would be worse than a short refusal.
    """

    def __init__(self, what: str, cause: BaseException | None = None, retry_after: int = 5):
        super().__init__(f"{what} unavailable: {type(cause).__name__ if cause else 'unknown error'}: {cause}")
        self.what = what
        self.retry_after = retry_after
