"""Extraction limits: zip bombs and oversized text are refused by name before or after parsing."""
from __future__ import annotations

import time

import pytest

from ingest.errors import IngestError
from ingest.limits import ExtractionLimits
from ingest.load import load_file
from tests.ingest.bombs import bomb_docx, long_text_docx, many_entries_docx


def test_a_docx_bomb_is_refused_before_parsing(tmp_path):
    bomb = bomb_docx(tmp_path / "bomb.docx", megabytes=50)
    assert bomb.stat().st_size < 400 * 1024
    t0 = time.perf_counter()
    with pytest.raises(IngestError, match="decompression bomb") as e:
        load_file(bomb)
    assert time.perf_counter() - t0 < 1.0  # the archive directory only, nothing inflated
    assert e.value.path.endswith("bomb.docx")


def test_total_size_limit_applies_whatever_the_ratio(tmp_path):
    bomb = bomb_docx(tmp_path / "big.docx", megabytes=5)
    with pytest.raises(IngestError, match="POLICY_MAX_UNZIPPED_BYTES"):
        load_file(bomb, limits=ExtractionLimits(max_unzipped_bytes=4 * 1024 * 1024, max_zip_ratio=10**6))


def test_entry_count_limit(tmp_path):
    path = many_entries_docx(tmp_path / "many.docx", 60)
    with pytest.raises(IngestError, match="archive entries"):
        load_file(path, limits=ExtractionLimits(max_zip_entries=50))
    assert "景德镇市测试通知" in load_file(path).text  # within the default limit it is an ordinary file


def test_extracted_characters_are_capped(tmp_path):
    path = long_text_docx(tmp_path / "long.docx", 2000)
    text = load_file(path).text
    with pytest.raises(IngestError, match="POLICY_MAX_TEXT_CHARS"):
        load_file(path, limits=ExtractionLimits(max_text_chars=len(text) - 1))
    plain = tmp_path / "long.txt"
    plain.write_text("政策" * 6000, encoding="utf-8")
    with pytest.raises(IngestError, match="characters of text"):
        load_file(plain, limits=ExtractionLimits(max_text_chars=10000))


def test_an_honest_docx_passes(tmp_path):
    path = long_text_docx(tmp_path / "ok.docx", 300)
    assert "299就业创业补贴政策说明。" in load_file(path).text


def test_a_broken_zip_is_named(tmp_path):
    path = tmp_path / "broken.docx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(IngestError, match="broken.docx"):
        load_file(path)
