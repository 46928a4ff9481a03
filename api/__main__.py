"""python -m api [--host H] [--port P] [--index-dir DIR] [--workers N]

Builds the index from corpus/ when none exists, then serves the assistant.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from assistant.config import ConfigError, load_settings


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
        settings = load_settings()
    except ConfigError as e:
        print(e, file=sys.stderr)
        return 2
    from ingest.pipeline import ensure_index

    # Build before the workers start, so they don't race to build the same index.
    report = ensure_index(settings)
    if report is not None:
        print(report.summary(), file=sys.stderr)
    import uvicorn

    uvicorn.run("api.app:create_app", factory=True, host=args.host, port=args.port, workers=args.workers,
                log_level="info")
    return 0


if __name__ == "__main__":
    sys.exit(main())
