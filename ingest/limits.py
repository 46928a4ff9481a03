"""Extraction limits: a hostile or broken file is refused before it can exhaust memory.

.docx and .xlsx are zip archives: a 150 KB file can declare 50 MB of XML (a decompression
bomb). The archive's directory is checked before any parser opens it: total uncompressed size,
compression ratio and number of entries. Checking the declared sizes is enough because Python's
zipfile (used by python-docx and openpyxl) never returns more bytes than an entry declares.
Every file's extracted text is capped too. Memory and time limits for the whole parse are the
caller's job (index/sandbox.py runs it in a child process).
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.errors import IngestError

if TYPE_CHECKING:
    from core.settings import Settings

ZIP_SUFFIXES = frozenset({".docx", ".xlsx", ".xlsm", ".pptx"})
_ZIP_MAGIC = b"PK\x03\x04"
# Small archives compress however they like; the ratio only matters once there is a lot to inflate.
_RATIO_FLOOR_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class ExtractionLimits:
    max_unzipped_bytes: int = 100 * 1024 * 1024  # POLICY_MAX_UNZIPPED_BYTES
    max_zip_ratio: int = 100  # POLICY_MAX_ZIP_RATIO
    max_zip_entries: int = 1000  # POLICY_MAX_ZIP_ENTRIES
    max_text_chars: int = 2_000_000  # POLICY_MAX_TEXT_CHARS

    @classmethod
    def from_settings(cls, settings: "Settings") -> "ExtractionLimits":
        return cls(settings.max_unzipped_bytes, settings.max_zip_ratio, settings.max_zip_entries,
                   settings.max_text_chars)


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB"


def check_archive(path: Path, data: bytes, limits: ExtractionLimits) -> None:
    """Raise IngestError when a zip-based file would inflate past the limits; other files pass."""
    if Path(path).suffix.lower() not in ZIP_SUFFIXES and not data.startswith(_ZIP_MAGIC):
        return
    if not data.startswith(_ZIP_MAGIC):
        return  # not a zip at all: the format's own parser names the problem
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as e:
        raise IngestError(path, f"is not a readable zip archive ({e}); open it and save it again") from None
    if len(entries) > limits.max_zip_entries:
        raise IngestError(path, f"holds {len(entries)} archive entries, more than {limits.max_zip_entries}; "
                                "refused as a possible decompression bomb (re-save it, or raise POLICY_MAX_ZIP_ENTRIES)")
    unzipped = sum(max(e.file_size, 0) for e in entries)
    if unzipped > limits.max_unzipped_bytes:
        raise IngestError(path, f"would expand to {_mb(unzipped)}, more than {_mb(limits.max_unzipped_bytes)}; "
                                "refused as a possible decompression bomb (split it, or raise POLICY_MAX_UNZIPPED_BYTES)")
    packed = max(1, sum(e.compress_size for e in entries))
    if unzipped > _RATIO_FLOOR_BYTES and unzipped / packed > limits.max_zip_ratio:
        raise IngestError(path, f"expands {unzipped // packed}x ({_mb(packed)} to {_mb(unzipped)}), more than "
                                f"{limits.max_zip_ratio}x; refused as a possible decompression bomb "
                                "(raise POLICY_MAX_ZIP_RATIO if the file is genuine)")


def check_text(path: Path, text: str, limits: ExtractionLimits) -> str:
    """The text, or IngestError when the file yields more characters than any policy document has."""
    if len(text) > limits.max_text_chars:
        raise IngestError(path, f"yields {len(text):,} characters of text, more than {limits.max_text_chars:,}; "
                                "split the file, or raise POLICY_MAX_TEXT_CHARS")
    return text
