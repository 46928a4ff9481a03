from pathlib import Path

from index import store


def test_generation_names_sort_by_age_within_one_second(tmp_path: Path) -> None:
    made = [store.new_generation(tmp_path).name for _ in range(5)]
    assert sorted(made) == made


def test_offsets_round_trip() -> None:
    offsets = [0, 1, 2, 5, 6, 7, 9, 12, 13]
    runs = store.pack_offsets(offsets)
    assert runs == [[0, 0, 3], [3, 5, 3], [6, 9, 1], [7, 12, 2]]
    assert store.unpack_offsets(runs) == offsets
