"""Parsing in a child process with memory and time limits; a hostile file never hurts the caller."""
from __future__ import annotations

import os

import pytest

from index.pipeline import build_index, probe_file
from index.sandbox import Sandbox, SandboxError
from ingest.errors import IngestError
from ingest.limits import ExtractionLimits
from tests.conftest import PLAN_PATH
from tests.ingest.bombs import bomb_docx

# The archive checks off, so only the child's own limits stand between the bomb and memory.
NO_ARCHIVE_CHECKS = ExtractionLimits(max_unzipped_bytes=10**12, max_zip_ratio=10**9, max_text_chars=10**9)


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024


def test_memory_limit_stops_a_bomb_in_the_child(tmp_path):
    bomb = bomb_docx(tmp_path / "bomb.docx", megabytes=80)
    before = _rss_mb()
    with Sandbox(memory_mb=400, seconds=60) as box:
        with pytest.raises((SandboxError, IngestError)):
            box.run(probe_file, bomb, NO_ARCHIVE_CHECKS)
        assert _rss_mb() - before < 50  # the inflating happened in the child
        assert box.run(probe_file, PLAN_PATH, ExtractionLimits()) > 10000  # and the next file still parses


def test_time_limit_kills_the_child(tmp_path):
    bomb = bomb_docx(tmp_path / "slow.docx", megabytes=60)
    with Sandbox(memory_mb=4096, seconds=0.5) as box:
        with pytest.raises(SandboxError, match="POLICY_PARSE_TIMEOUT"):
            box.run(probe_file, bomb, NO_ARCHIVE_CHECKS)
        box.seconds = 120  # the limit includes starting the fresh child, which a loaded machine makes slow
        assert box.run(probe_file, PLAN_PATH, ExtractionLimits()) > 10000


def test_child_death_is_a_sandbox_error():
    with Sandbox(memory_mb=1024, seconds=30) as box:
        with pytest.raises(SandboxError, match="died"):
            box.run(os._exit, 3)


def test_isolated_build_skips_the_bomb_and_keeps_the_rest(tmp_path):
    from core.settings import load_settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / PLAN_PATH.name).write_bytes(PLAN_PATH.read_bytes())
    bomb_docx(corpus / "bomb.docx", megabytes=50)
    settings = load_settings(data_dir=tmp_path / "data", index_dir=tmp_path / "index")
    report = build_index([corpus], tmp_path / "index", settings, isolate=True)
    assert report.documents == 1 and report.generation
    assert any("bomb.docx" in s and "decompression bomb" in s for s in report.skipped), report.skipped
