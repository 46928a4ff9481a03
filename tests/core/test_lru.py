"""The shared least-recently-used map: bounds by weight, order of use, the first value kept on a race."""
from __future__ import annotations

import threading

from core.lru import LRU


def test_the_least_recently_used_goes_first_and_peek_does_not_count_as_use() -> None:
    lru: LRU[str, int] = LRU(2)
    lru.get_or_make("a", lambda: 1)
    lru.get_or_make("b", lambda: 2)
    assert lru.peek("a") == 1  # not a use: "a" is still the oldest
    lru.get_or_make("c", lambda: 3)
    assert (lru.peek("a"), lru.peek("b"), lru.peek("c")) == (None, 2, 3)
    assert lru.get("b") == 2  # a use: now "c" is the oldest
    lru.get_or_make("d", lambda: 4)
    assert (lru.peek("b"), lru.peek("c"), len(lru)) == (2, None, 2)
    assert list(lru) == ["b", "d"]  # least recently used first


def test_the_bound_is_the_total_weight_and_the_newest_is_kept_even_alone_over_it() -> None:
    lru: LRU[str, bytes] = LRU(10, len)
    lru.get_or_make("a", lambda: b"x" * 4)
    lru.get_or_make("b", lambda: b"x" * 5)
    assert (len(lru), lru.weight) == (2, 9)
    lru.get_or_make("c", lambda: b"x" * 3)  # 12 > 10: "a" goes
    assert (lru.peek("a"), len(lru), lru.weight) == (None, 2, 8)
    lru.get_or_make("big", lambda: b"x" * 50)
    assert (len(lru), lru.weight, lru.peek("big")) == (1, 50, b"x" * 50)
    lru.clear()
    assert (len(lru), lru.weight, lru.get("big")) == (0, 0, None)


def test_a_kept_value_is_not_made_again_and_on_a_race_the_first_kept_stays() -> None:
    lru: LRU[str, list[int]] = LRU(4)
    made: list[int] = []
    inside, release = threading.Event(), threading.Event()

    def slow() -> list[int]:
        made.append(1)
        inside.set()
        release.wait(5)
        return [1]

    other = threading.Thread(target=lambda: lru.get_or_make("k", slow))
    other.start()
    inside.wait(5)
    first = lru.get_or_make("k", lambda: [2])  # made while the other thread is still making its own
    release.set()
    other.join(5)
    assert first == [2] and lru.get("k") is first and lru.weight == 1
    assert lru.get_or_make("k", lambda: [3]) is first and made == [1]
