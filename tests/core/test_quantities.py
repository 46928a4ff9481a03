

def test_small_counts_in_digits_or_one_numeral() -> None:
    from core.quantities import small_int

    assert [small_int(w) for w in ("4", "四", "两", "十", "十二", "")] == [4, 4, 2, 10, 0, 0]
