"""python -m api [--host H] [--port P] [--index-dir DIR] [--workers N]

Builds the index from corpus/ when none exists, then serves the assistant.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from core.settings import ConfigError, load_settings


MALLOC_ARENAS = 2
_M_ARENA_MAX = -8  # glibc's mallopt parameter


def limit_malloc_arenas() -> bool:
    """Cap glibc's malloc arenas (MALLOC_ARENA_MAX, unless already set): True when this process took it.

    glibc gives threads that allocate at once arenas of their own (up to 8 per core) and keeps what C code
    freed in each: the query-embedding pool, OpenMP and uvicorn's thread pool held ~27 MB more per worker
    after 120 questions on the mixed library. Spawned workers read the variable when they start; this
    process (``--workers 1`` serves in it) is told through mallopt.
    """
    value = os.environ.setdefault("MALLOC_ARENA_MAX", str(MALLOC_ARENAS))
    try:
        import ctypes

        return bool(ctypes.CDLL("libc.so.6").mallopt(_M_ARENA_MAX, int(value)))
    except (OSError, AttributeError, ValueError):
        return False  # not glibc, or a value glibc would not take either


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m api", description=__doc__.split("\n\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--index-dir", type=Path)
    ap.add_argument("--workers", type=int, default=1)
    args = ap.parse_args(argv)
    if args.index_dir:
        os.environ["POLICY_INDEX_DIR"] = str(args.index_dir)
    try:
        settings = load_settings()  # fail here, once, rather than in every worker
    except ConfigError as e:
        print(e, file=sys.stderr)
        return 2
    metrics_dir = None
    if args.workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Workers inherit the variable and share their samples through files there (see api/metrics.py).
        metrics_dir = tempfile.mkdtemp(prefix="policy-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    limit_malloc_arenas()  # before any thread starts
    from index.pipeline import ensure_index

    # Build before the workers start, so they don't race to build the same index.
    report = ensure_index(settings)
    if report is not None:
        print(report.summary(), file=sys.stderr)
    import uvicorn

    from api.logs import uvicorn_log_config

    try:
        # proxy_headers off: uvicorn would otherwise take the client address from X-Forwarded-For for any
        # connection from 127.0.0.1; POLICY_TRUST_FORWARDED decides that in one place (api/safety.py).
        uvicorn.run("api.app:create_app", factory=True, host=args.host, port=args.port, workers=args.workers,
                    log_level="info", log_config=uvicorn_log_config(), proxy_headers=False,
                    timeout_graceful_shutdown=5)
    finally:
        if metrics_dir:
            shutil.rmtree(metrics_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
