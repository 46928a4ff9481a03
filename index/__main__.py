"""python -m ingest [PATH ...] [--index-dir DIR] [--force] [--in-process]

Indexes the given files and folders (default: the bundled corpus/) into the index
directory (default: data/index, or $POLICY_INDEX_DIR). Exit code 0 when everything was
ingested, 1 when a file was skipped, 2 when nothing could be indexed.

Files are parsed in a child process with POLICY_PARSE_MEMORY_MB / POLICY_PARSE_TIMEOUT, as the
service's re-ingest does: a folder of files from outside may hold a decompression bomb or a PDF
that never ends, and that file is skipped with the reason instead of killing the whole run.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.settings import ConfigError, load_settings


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m ingest", description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="*", type=Path, help="files or folders to index (default: corpus/)")
    ap.add_argument("--index-dir", type=Path, help="where the index lives (default: $POLICY_INDEX_DIR or data/index)")
    ap.add_argument("--force", action="store_true", help="rebuild even when nothing changed")
    ap.add_argument("--quiet", action="store_true", help="no progress bar")
    ap.add_argument("--in-process", action="store_true",
                    help="parse in this process, without the memory and time limits (a trusted corpus, a little faster)")
    args = ap.parse_args(argv)
    try:
        overrides = {"index_dir": args.index_dir} if args.index_dir else {}
        settings = load_settings(**overrides)
    except ConfigError as e:
        print(e, file=sys.stderr)
        return 2
    from index.pipeline import build_index

    report = build_index(args.paths or None, settings.index_dir, settings, progress=not args.quiet, force=args.force,
                         isolate=not args.in_process)
    print(report.summary())
    if report.documents == 0 and not report.unchanged:
        print("no document could be indexed; the previous index (if any) is still served", file=sys.stderr)
        return 2
    return 1 if report.skipped else 0


if __name__ == "__main__":
    sys.exit(main())
