"""Where the shared real documents are (../shared/corpora beside the repository; never copied into it)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

CORPORA = Path(os.environ.get("POLICY_SHARED_CORPORA")
               or Path(__file__).resolve().parents[2] / ".." / "shared" / "corpora")


def corpus_dir(name: str) -> Path:
    """The shared corpus ``name``, or skip the test saying where it was looked for."""
    path = CORPORA / name
    if not path.is_dir():
        pytest.skip(f"shared corpus {name!r} not found at {path.resolve()} (set POLICY_SHARED_CORPORA to its parent)")
    return path
