"""Bytes to text: UTF-8 or GBK/GB18030, as Chinese files come."""
from __future__ import annotations


def decode(data: bytes, declared: str = "") -> str | None:
    # Strict UTF-8 before GB18030: GB18030 would also accept many UTF-8 byte strings, as mojibake.
    for encoding in filter(None, (declared, "utf-8-sig", "gb18030")):
        try:
            return data.decode(encoding).lstrip("\ufeff")
        except (UnicodeDecodeError, LookupError):
            continue
    return None
