"""The vector channel against a real Chroma server (``chroma run`` on a free loopback port)."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PLAN_PATH
from tests.retriever.conftest import tiny_settings

pytestmark = pytest.mark.slow

QUERIES = ["2020年城镇新增就业目标是多少", "创业担保贷款", "生育保险参保人数", "技能人才队伍建设", "社会保障卡"]


def _chroma_command() -> list[str]:
    """chromadb 1.x ships the Rust server behind the ``chroma`` CLI; ``python -m chromadb.cli.cli`` is the same."""
    exe = Path(sys.executable).with_name("chroma")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "chromadb.cli.cli"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _heartbeat(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1) as r:
            return r.status == 200 and "heartbeat" in r.read().decode()
    except OSError:
        return False


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    root = tmp_path_factory.mktemp("chroma-server")
    port = _free_port()
    log = open(root / "server.log", "wb")
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    proc = subprocess.Popen([*_chroma_command(), "run", "--host", "127.0.0.1", "--port", str(port),
                             "--path", str(root / "data")], stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 60
        while not _heartbeat(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(f"chroma server did not start (exit {proc.poll()}):\n"
                            + (root / "server.log").read_text(errors="replace")[-2000:])
            time.sleep(0.1)
        yield port
    finally:
        proc.send_signal(signal.SIGINT)  # its graceful shutdown
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
    assert proc.returncode is not None


def _ingest(folder: Path, settings: Any) -> Any:
    from index.pipeline import build_index

    report = build_index([folder], settings.index_dir, settings)
    assert report.documents >= 1 and not report.skipped
    return report


def _top_ids(settings: Any, k: int = 3) -> dict[str, list[str]]:
    from assistant.engine import Engine

    engine = Engine.open(settings=settings)
    try:
        return {q: [h.chunk.id for h in engine.search(q, k=k)] for q in QUERIES}
    finally:
        engine.close()


def _server_collections(port: int) -> set[str]:
    from retriever.vectors import make_client

    return {c.name for c in make_client(None, "127.0.0.1", port).list_collections()}


def test_server_and_embedded_chroma_give_the_same_results(chroma_server: int, tmp_path: Path) -> None:
    from index.store import require_generation

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(PLAN_PATH, corpus)
    embedded = tiny_settings(tmp_path / "embedded")
    served = tiny_settings(tmp_path / "served", chroma_host="127.0.0.1", chroma_port=chroma_server)
    _ingest(corpus, embedded)
    report = _ingest(corpus, served)

    gen = require_generation(served.index_dir)
    manifest = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["search"]["chroma_host"] == "127.0.0.1"
    assert manifest["search"]["collection"] in _server_collections(chroma_server)
    assert not (gen / "chroma").exists()  # nothing stored locally

    from assistant.engine import Engine

    engine = Engine.open(settings=served)
    try:
        assert engine.generation.retriever.vectors.count() == report.chunks
    finally:
        engine.close()
    assert _top_ids(served) == _top_ids(embedded)


def test_reingest_drops_the_superseded_collection_from_the_server(chroma_server: int, tmp_path: Path) -> None:
    from assistant.engine import Engine
    from index.store import require_generation

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(PLAN_PATH, corpus)
    settings = tiny_settings(tmp_path, chroma_host="127.0.0.1", chroma_port=chroma_server)

    names = []
    for edit in ("", "九江市就业创业补贴办法\n\n一、创业补贴\n\n给予一次性创业补贴6000元。\n",
                 "南昌市养老保险办法\n\n一、缴费档次\n\n个人缴费标准设为十个档次。\n"):
        if edit:
            (corpus / f"{edit.split(chr(10))[0]}.txt").write_text(edit, encoding="utf-8")
            time.sleep(1.1)  # generation names carry the second they were built
        _ingest(corpus, settings)
        names.append(json.loads((require_generation(settings.index_dir) / "manifest.json")
                                .read_text(encoding="utf-8"))["search"]["collection"])
    assert len(set(names)) == 3

    on_server = _server_collections(chroma_server)
    # The current generation and the one kept for in-flight readers stay; the first is gone.
    assert names[0] not in on_server
    assert {names[1], names[2]} <= on_server

    engine = Engine.open(settings=settings)
    try:
        hits = engine.search("南昌市个人缴费档次", k=3)
        assert hits[0].chunk.doc_title == "南昌市养老保险办法"
        assert engine.generation.retriever.vectors.name == names[2]
        dense = engine.generation.retriever.vectors.query(
            engine.generation.retriever.embedder.embed_query("个人缴费档次"), 3)
        assert dense and all(cid in engine.generation.retriever.index_of for cid, _ in dense)
    finally:
        engine.close()
