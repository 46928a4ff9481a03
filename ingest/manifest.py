"""The corpus manifest: one CSV row per document, kept by the people who add documents.

Columns: file,title,issuers,doc_number,issue_date,period,region,status,url,basis
(issuers and basis separated by "、" or ";"). A file with no row gets what its text says.
"""
from __future__ import annotations

import csv
import re
from dataclasses import fields
from pathlib import Path

from core.types import DocumentMeta
from ingest.errors import IngestError

MANIFEST_NAME = "manifest.csv"
COLUMNS = ["file", "title", "issuers", "doc_number", "issue_date", "period", "region", "status", "url", "basis"]
_LIST_FIELDS = {"issuers", "basis"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def read_manifest(path: Path) -> dict[str, dict[str, object]]:
    """Rows keyed by file name. A malformed manifest is an error that names the row."""
    if not path.exists():
        return {}
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise IngestError(path, "manifest is not UTF-8; save it as UTF-8 CSV") from None
    rows: dict[str, dict[str, object]] = {}
    reader = csv.DictReader(text.splitlines())
    missing = {"file"} - set(reader.fieldnames or [])
    if missing:
        raise IngestError(path, f"manifest has no 'file' column; the header must be: {','.join(COLUMNS)}")
    for n, row in enumerate(reader, start=2):
        name = (row.get("file") or "").strip()
        if not name:
            continue
        date = (row.get("issue_date") or "").strip()
        if date and not _DATE.match(date):
            raise IngestError(path, f"row {n} ({name}): issue_date {date!r} must be YYYY-MM-DD")
        clean: dict[str, object] = {}
        for key, value in row.items():
            if key is None or key == "file" or value is None or not value.strip():
                continue
            value = value.strip()
            clean[key] = [v.strip() for v in re.split(r"[、;；]", value) if v.strip()] if key in _LIST_FIELDS else value
        rows[name] = clean
    return rows


def merge_meta(derived: DocumentMeta, row: dict[str, object] | None) -> DocumentMeta:
    """Manifest values win; what the manifest leaves empty comes from the text."""
    if not row:
        return derived
    known = {f.name for f in fields(DocumentMeta)}
    data = derived.to_dict()
    data.update({k: v for k, v in row.items() if k in known})
    return DocumentMeta.from_dict(data)


def manifest_for(file: Path, cache: dict[Path, dict[str, dict[str, object]]]) -> dict[str, object] | None:
    """The manifest row for ``file``, from the manifest.csv in its folder."""
    folder = file.parent
    if folder not in cache:
        cache[folder] = read_manifest(folder / MANIFEST_NAME)
    return cache[folder].get(file.name)
