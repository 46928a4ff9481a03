"""A thread-safe least-recently-used map bounded by the total weight of its values.

One home for the caches that a worker's search threads share: decoded records, the dense channel's
region subsets, the lexical columns of frequent terms.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def _one(_value: object) -> int:
    return 1


class LRU(Generic[K, V]):
    """At most ``limit`` in total weight (``weigh``: 1 per value unless given), least recently used out
    first; the newest value is kept even when it alone weighs more."""

    def __init__(self, limit: int, weigh: Callable[[V], int] = _one):
        self.limit, self.weigh = limit, weigh
        self._items: OrderedDict[K, V] = OrderedDict()
        self.weight = 0
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        """The value, marked as just used; None when absent."""
        with self._lock:
            got = self._items.get(key)
            if got is not None:
                self._items.move_to_end(key)
            return got

    def peek(self, key: K) -> V | None:
        """The value without marking it used."""
        with self._lock:
            return self._items.get(key)

    def get_or_make(self, key: K, make: Callable[[], V]) -> V:
        """The kept value, or ``make()``'s, kept. ``make`` runs outside the lock: two threads missing the same
        key both make it, and the first one kept stays."""
        got = self.get(key)
        if got is not None:
            return got
        made = make()
        with self._lock:
            kept = self._items.get(key)
            if kept is not None:
                return kept
            self._items[key] = made
            self.weight += self.weigh(made)
            while self.weight > self.limit and len(self._items) > 1:
                self.weight -= self.weigh(self._items.popitem(last=False)[1])
        return made

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.weight = 0

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[K]:
        """The keys kept, least recently used first (a copy: safe while other threads use the map)."""
        with self._lock:
            return iter(list(self._items))
