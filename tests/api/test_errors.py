"""One JSON error shape; domain errors mapped to their status; unexpected errors reveal nothing."""
from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.options import ApiOptions
from core.settings import ConfigError
from ingest.errors import IngestError
from index.store import IndexMissing
from tests.api.conftest import QUESTION


class _Raising:
    def __init__(self, real: Any, exc: Exception) -> None:
        self._real, self._exc = real, exc

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def chat(self, *a: Any, **k: Any) -> Any:
        raise self._exc


@pytest.mark.parametrize("exc,status,words", [
    (IndexMissing("no index in /secret/dir/index; build it"), 503, "索引尚未建立"),
    (ConfigError("LLM_MODEL is missing"), 400, "配置有误"),
    (IngestError("/secret/dir/a.pdf", "cannot read PDF"), 400, "a.pdf: cannot read PDF"),
    (RuntimeError("db password is hunter2"), 500, "服务内部错误"),
    (KeyError("x"), 500, "服务内部错误"),
])
def test_errors_are_mapped(engine, tmp_path, exc, status, words):
    settings = engine.settings.model_copy(update={"data_dir": tmp_path})
    with TestClient(create_app(settings, ApiOptions(), engine=_Raising(engine, exc)),
                    raise_server_exceptions=False) as c:
        r = c.post("/api/chat", json={"question": QUESTION})
        assert r.status_code == status
        assert words in r.json()["detail"]
        assert "hunter2" not in r.text and "/secret/dir" not in r.text and "Traceback" not in r.text
        assert c.get("/healthz").status_code == 200


def test_validation_errors_are_one_readable_string_without_echoing_input(client):
    r = client.post("/api/chat", json={"question": 13800138000, "extra": "360203199001011234"})
    body = r.json()
    assert r.status_code == 422 and isinstance(body["detail"], str)
    assert "question：应为字符串" in body["detail"] and "extra：不允许的字段" in body["detail"]
    assert "13800138000" not in r.text and "360203199001011234" not in r.text


def test_404_and_405_are_json(client):
    assert client.get("/nowhere").json()["detail"].startswith("未找到")
    r = client.get("/api/chat")
    assert r.status_code == 405 and "method not allowed" in r.json()["detail"] and "POST" in r.headers["allow"]
