"""python -m ingest as a user runs it: a subprocess, settings from the environment, exit codes."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from index import store

ROOT = Path(__file__).resolve().parents[2]

DOC = """上饶市就业创业服务实施办法

一、总体要求

到2025年，全市城镇新增就业5万人，城镇登记失业率控制在4.5%以内。

二、主要措施

对首次创业的高校毕业生给予一次性创业补贴5000元。
"""


def run(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ingest", "--quiet", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    e = {k: v for k, v in os.environ.items()
         if not k.startswith("POLICY_") and k not in {"EMBEDDING_MODEL", "RERANK_MODEL", "CHROMA_HOST"}}
    e.update({
        "POLICY_INDEX_DIR": str(tmp_path / "index"),
        "POLICY_DATA_DIR": str(tmp_path / "data"),
        "ANONYMIZED_TELEMETRY": "False",
        "HF_HUB_OFFLINE": "1",
        "PYTHONIOENCODING": "utf-8",
    })
    return e


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    d = tmp_path / "docs"
    d.mkdir()
    (d / "上饶.txt").write_text(DOC, encoding="utf-8")
    return d


def served(index_dir: Path) -> str | None:
    gen = store.current_generation(index_dir)
    return gen.name if gen else None


def test_build_then_nothing_to_do_then_skipped_file(docs: Path, env: dict[str, str], tmp_path: Path) -> None:
    first = run(str(docs), env=env)
    assert first.returncode == 0, first.stderr
    summary = first.stdout
    for word in ("documents", "sections", "chunks", "indicators", "figures"):
        assert word in summary
    assert "indexed 1 documents" in summary
    assert re.search(r"indexed 1 documents: \d+ sections, \d+ chunks, \d+ indicators, \d+ figures in [\d.]+s$",
                     summary.splitlines()[0])
    gen = served(tmp_path / "index")
    assert gen is not None

    second = run(str(docs), env=env)
    assert second.returncode == 0, second.stderr
    assert "nothing to do" in second.stdout
    assert served(tmp_path / "index") == gen

    (docs / "坏文件.pdf").write_bytes(b"%PDF-1.4\n" + os.urandom(2000))
    third = run(str(docs), env=env)
    assert third.returncode == 1, third.stdout + third.stderr
    assert "坏文件.pdf" in third.stdout + third.stderr
    assert "indexed 1 documents" in third.stdout


def test_only_bad_files_exit_2_and_keep_index(docs: Path, env: dict[str, str], tmp_path: Path) -> None:
    assert run(str(docs), env=env).returncode == 0
    gen = served(tmp_path / "index")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "空.txt").write_bytes(b"")
    (bad / "表格.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    result = run(str(bad), env=env)
    assert result.returncode == 2
    out = result.stdout + result.stderr
    assert "空.txt" in out and "表格.xls" in out
    assert "previous index" in result.stderr
    assert served(tmp_path / "index") == gen


def test_index_dir_flag_overrides_env(docs: Path, env: dict[str, str], tmp_path: Path) -> None:
    other = tmp_path / "elsewhere"
    result = run(str(docs), "--index-dir", str(other), env=env)
    assert result.returncode == 0, result.stderr
    assert served(other) is not None
    assert not (tmp_path / "index").exists()


def test_bad_env_value_exit_2_names_variable(docs: Path, env: dict[str, str], tmp_path: Path) -> None:
    env["POLICY_CHUNK_SIZE"] = "abc"
    result = run(str(docs), env=env, timeout=60)
    assert result.returncode == 2
    assert "POLICY_CHUNK_SIZE" in result.stderr
    assert not (tmp_path / "index").exists()



@pytest.mark.parametrize(("flags", "isolated"), [((), True), (("--in-process",), False)])
def test_files_are_parsed_in_the_limited_child_unless_asked(flags: tuple[str, ...], isolated: bool, docs: Path,
                                                           tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # What the child does with a bomb is tests/index/test_sandbox.py's; here: the CLI asks for it by default.
    import index.__main__ as cli
    import index.pipeline

    seen: dict[str, object] = {}

    def fake_build(paths, index_dir, settings, **kw):  # type: ignore[no-untyped-def]
        seen.update(kw)
        return index.pipeline.IngestReport(documents=1)

    monkeypatch.setattr(index.pipeline, "build_index", fake_build)
    monkeypatch.setenv("POLICY_INDEX_DIR", str(tmp_path / "index"))
    assert cli.main(["--quiet", *flags, str(docs)]) == 0
    assert seen["isolate"] is isolated
