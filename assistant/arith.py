"""Figure arithmetic on table values: exact decimals, comparators respected. Pure functions."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from core.types import Value


def dec(v: Value | str | float) -> Decimal | None:
    """The value as an exact decimal, read from the text as written (no float rounding)."""
    if isinstance(v, Value):
        if v.number is None:
            return None
        raw = "".join(ch for ch in v.raw if ch.isdigit() or ch in ".-")
        try:
            return Decimal(raw) if raw else Decimal(str(v.number))
        except InvalidOperation:
            return Decimal(str(v.number))
    try:
        return Decimal(str(v))
    except InvalidOperation:
        return None


def fmt(d: Decimal) -> str:
    """Plain decimal text without trailing zeros or exponent: 1.70 → "1.7", 62.50 → "62.5"."""
    if d == d.to_integral_value():
        return str(d.quantize(Decimal(1)))
    text = format(d.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def difference(base: Value, target: Value) -> Decimal | None:
    a, b = dec(base), dec(target)
    if a is None or b is None:
        return None
    return b - a


@dataclass(frozen=True)
class Verdict:
    met: bool | None  # None: cannot be judged from the values
    reason: str


def met_target(target: Value, actual: Value) -> Verdict:
    """Did ``actual`` meet ``target``? Comparators are honoured: "<3.5" vs "<3.5" is met, ">13" vs 16.27 is met.

    Without a comparator a target is a floor ("at least"), as every plain target in
    these plans is a quantity to reach.
    """
    t, a = dec(target), dec(actual)
    if t is None or a is None:
        return Verdict(None, "数值无法比较")
    tc, ac = target.comparator, actual.comparator
    if tc in ("<", "≤"):
        if ac in ("<", "≤"):
            ok = a <= t if tc == "≤" or ac == "<" else a < t
            return Verdict(ok, "上限目标，实际值在上限以内" if ok else "实际值超过上限目标")
        ok = a < t if tc == "<" else a <= t
        return Verdict(ok, "实际值低于上限" if ok else "实际值未低于上限")
    if tc in (">", "≥"):
        ok = a > t if tc == ">" else a >= t
        return Verdict(ok, "实际值高于目标下限" if ok else "实际值未达到目标下限")
    if ac in ("<", ">", "≤", "≥"):
        return Verdict(None, "实际值只给出了范围")
    return Verdict(a >= t, "实际值达到目标" if a >= t else "实际值低于目标")


def completion_rate(target: Value, actual: Value) -> Decimal | None:
    """actual / target as a percentage, one decimal place."""
    t, a = dec(target), dec(actual)
    if not t or a is None:
        return None
    return (a / t * 100).quantize(Decimal("0.1"))


def ratio(numerator: Value | Decimal, denominator: Value | Decimal) -> Decimal | None:
    n = numerator if isinstance(numerator, Decimal) else dec(numerator)
    d = denominator if isinstance(denominator, Decimal) else dec(denominator)
    if n is None or not d:
        return None
    return n / d
