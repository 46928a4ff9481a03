"""python -m api: process-level settings a worker starts with."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.api.server import ROOT


def _arenas_in_fresh_interpreter(env: dict[str, str]) -> list[str]:
    code = "import os; from api.__main__ import limit_malloc_arenas; print(limit_malloc_arenas(), " \
           "os.environ['MALLOC_ARENA_MAX'])"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.split()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc arenas")
def test_malloc_arenas_are_capped_for_this_process_and_the_workers_it_spawns() -> None:
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    assert _arenas_in_fresh_interpreter(env) == ["True", "2"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc arenas")
def test_an_operators_own_malloc_arena_max_is_kept() -> None:
    env = {**os.environ, "MALLOC_ARENA_MAX": "4"}
    assert _arenas_in_fresh_interpreter(env) == ["True", "4"]
