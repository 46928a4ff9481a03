"""bench_columns: the two ways take turns over the same questions, and the default is restored."""
from __future__ import annotations

from evals.bench_columns import SCATTERED, passes
from retriever.lexical import Postings


class _Engine:
    """Records the column setting each search ran with."""

    def __init__(self) -> None:
        self.seen: list[float] = []

    def search(self, query: str, k: int) -> list[object]:
        self.seen.append(Postings.DENSE_SHARE)
        return []


def test_the_ways_alternate_per_pass_and_the_default_comes_back() -> None:
    default = Postings.DENSE_SHARE
    engine = _Engine()
    got = passes(engine, ["甲", "乙"], k=10, repeat=3)
    # ABBA: whole, scattered | scattered, whole | whole, scattered — two questions per pass.
    order = [engine.seen[i] for i in range(0, len(engine.seen), 2)]
    assert order == [default, SCATTERED, SCATTERED, default, default, SCATTERED]
    assert Postings.DENSE_SHARE == default
    assert set(got) == {"whole", "scattered"} and all(len(v) == 2 for v in got.values())
