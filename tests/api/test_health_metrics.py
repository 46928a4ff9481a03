"""/healthz, /readyz and /metrics."""
from __future__ import annotations

import os

from tests.api.conftest import QUESTION


def test_health_and_ready(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["index"].startswith("gen-") and ready["documents"] == 1
    assert ready["pid"] == os.getpid()


def test_metrics_cover_requests_answers_limits_and_index(make_client):
    c = make_client(rate_limit="1/minute")
    c.post("/api/chat", json={"question": QUESTION})
    c.post("/api/chat", json={"question": QUESTION})  # rate limited
    text = c.get("/metrics").text
    assert 'policy_http_requests_total{method="POST",route="/api/chat",status="200"}' in text
    assert 'policy_http_requests_total{method="POST",route="/api/chat",status="429"}' in text
    assert 'policy_http_request_duration_seconds_bucket{le="0.005",method="POST",route="/api/chat"}' in text
    assert 'policy_answers_total{grounded="true",kind="figure"}' in text
    assert "policy_rate_limited_total " in text
    ready = c.get("/readyz").json()
    assert f'policy_index_generation_info{{generation="{ready["index"]}"}} 1.0' in text
    assert "policy_index_documents 1.0" in text
    assert "policy_dense_late_searches 0.0" in text


def test_metrics_count_searches_the_dense_budget_answered_lexically(client):
    retriever = client.app.state.engine.generation.retriever
    retriever.dense_late += 2  # what two timed-out query embeddings leave (tests/retriever/test_dense_settings.py)
    try:
        assert "policy_dense_late_searches 2.0" in client.get("/metrics").text
    finally:
        retriever.dense_late -= 2


def test_unmatched_paths_share_one_label(client):
    for i in range(3):
        client.get(f"/random/{i}")
    text = client.get("/metrics").text
    assert "/random/" not in text and 'route="unmatched",status="404"' in text


def test_openapi_is_documented_in_chinese(client):
    spec = client.get("/openapi.json").json()
    chat = spec["paths"]["/api/chat"]["post"]
    assert chat["summary"] == "提问（一次返回完整答案）" and "政策文件" in chat["description"]
    example = spec["components"]["schemas"]["ChatRequest"]["examples"][0]
    assert example["question"] == QUESTION
    assert "X-API-Key" in str(spec["components"]["securitySchemes"])
    assert "multipart/form-data" in spec["paths"]["/api/admin/documents"]["post"]["requestBody"]["content"]
    assert client.get("/docs").status_code == 200
