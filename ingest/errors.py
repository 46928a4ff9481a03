"""Errors raised while reading input files."""
from __future__ import annotations

from pathlib import Path


class IngestError(Exception):
    """A file cannot be ingested. The message names the file and says what to do."""

    def __init__(self, path: Path | str, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")
