"""Shared checks for question files: the same normalization as the metrics, evidence windows."""
from __future__ import annotations

import json
from pathlib import Path

from evals.metrics import normalize as norm

ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "corpus" / "景德镇市人力资源和社会保障事业发展十三五规划.txt"
KINDS = {
    "target2020", "baseline2015", "target12", "result12", "text_target", "citizen", "docfact",
    "list", "arithmetic", "conflict", "unanswerable", "multiturn", "robust",
}
TABLE_KINDS = {"target2020", "baseline2015", "target12", "result12"}
WINDOW = 400

__all__ = ["KINDS", "PLAN", "ROOT", "TABLE_KINDS", "WINDOW", "in_window", "norm", "read_rows"]


def _occurrences(hay: str, needle: str) -> list[int]:
    out, i = [], hay.find(needle)
    while i >= 0:
        out.append(i)
        i = hay.find(needle, i + 1)
    return out


def in_window(hay: str, group: list[str], window: int = WINDOW) -> bool:
    """True when every string of ``group`` occurs inside one stretch of ``hay`` of ≤ window chars."""
    needles = [norm(s) for s in group]
    occ = {s: _occurrences(hay, s) for s in needles}
    if any(not v for v in occ.values()):
        return False
    for s0 in needles:
        for start in occ[s0]:
            end = start + window  # every window that starts at an occurrence of some needle
            if all(any(start <= p and p + len(s) <= end for p in occ[s]) for s in needles):
                return True
    return False


def read_rows(path: Path) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        assert line.strip(), f"line {n} is empty"
        row = json.loads(line)
        assert isinstance(row, dict), f"line {n} is not an object"
        rows.append(row)
    return rows
