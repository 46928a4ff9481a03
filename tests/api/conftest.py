"""Fixtures for the API tests.

In-process tests share one index and one open Engine (opening takes ~2 s) and build a fresh app
per configuration around it. End-to-end tests run `python -m api` as a real uvicorn subprocess
(see tests/api/server.py); the main server is started once per session, on first use.
"""
from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from core.settings import Settings, load_settings
from tests.api.server import ApiServer, free_port
from tests.conftest import PLAN_PATH

ADMIN_KEY = "test-admin-key-0123456789"
QUESTION = "生育保险参保人数2020年目标是多少？"


@pytest.fixture(scope="session")
def api_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("api")


@pytest.fixture(scope="session")
def api_settings(api_root: Path) -> Settings:
    corpus = api_root / "corpus"
    corpus.mkdir()
    shutil.copy(PLAN_PATH, corpus / PLAN_PATH.name)
    return load_settings(corpus_dir=corpus, index_dir=api_root / "index", data_dir=api_root / "data",
                         admin_key=ADMIN_KEY, rate_limit="0", cors_origins="", llm_base_url=None, llm_model=None)


@pytest.fixture(scope="session")
def engine(api_settings: Settings) -> Iterator[Any]:
    from assistant.engine import Engine
    from index.pipeline import build_index

    build_index(None, api_settings.index_dir, api_settings)
    eng = Engine.open(settings=api_settings)
    yield eng
    eng.close()


@pytest.fixture
def make_client(engine: Any, api_settings: Settings, tmp_path: Path) -> Iterator[Callable[..., TestClient]]:
    """make_client(**settings_overrides, options=ApiOptions(...)) -> a started TestClient on the shared engine.

    Each client gets its own data_dir (rate-limit counters) and corpus_dir (uploads) under tmp_path.
    """
    from api.app import create_app
    from api.options import ApiOptions

    clients: list[TestClient] = []

    def make(options: ApiOptions | None = None, raise_server_exceptions: bool = True, **overrides: Any) -> TestClient:
        n = len(clients)
        base = {"data_dir": tmp_path / f"data{n}", "corpus_dir": tmp_path / f"corpus{n}"}
        settings = api_settings.model_copy(update={**base, **overrides})
        app = create_app(settings, options or ApiOptions(max_upload_bytes=64 * 1024), engine=engine)
        client = TestClient(app, raise_server_exceptions=raise_server_exceptions)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for c in clients:
        c.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


@pytest.fixture(scope="session")
def host_port() -> int:
    """Port of the plain page that embeds the widget in the browser test (its origin is CORS-allowed)."""
    return free_port()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, host_port: int) -> Iterator[ApiServer]:
    """The real service: python -m api on 127.0.0.1, its own corpus copy, index and data, rate limit off."""
    root = tmp_path_factory.mktemp("server")
    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(PLAN_PATH, corpus / PLAN_PATH.name)
    srv = ApiServer(root, corpus, env={"POLICY_ADMIN_KEY": ADMIN_KEY, "POLICY_RATE_LIMIT": "0",
                                       "POLICY_ADMIN_MAX_FAILURES": "1000",
                                       "POLICY_MAX_UPLOAD_BYTES": str(64 * 1024),
                                       "POLICY_CORS_ORIGINS": f"http://127.0.0.1:{host_port}"})
    srv.start(timeout=120)
    yield srv
    srv.stop()
