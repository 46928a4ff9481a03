"""Test-wide guards: no network beyond loopback, no model hub, no telemetry."""
from __future__ import annotations

import ipaddress
import os
import socket

import pytest

# Fixtures shared across test packages (the OpenAI-compatible stub server).
pytest_plugins = ["tests.fakes.openai_stub", "tests.redis_server"]

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# The suite's exact ranks were set with LSA, and e5 costs ~0.3 s per passage on 2 cores: tests that
# are about e5 (tests/retriever/test_e5.py, the first-start test) ask for it explicitly.
os.environ.setdefault("EMBEDDING_BACKEND", "lsa")
# Exact ranks must not depend on how busy the machine is: always wait for the query embedding.
os.environ.setdefault("POLICY_DENSE_BUDGET_MS", "0")

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _is_local(address: object) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX
        return True
    host = address[0] if isinstance(address, tuple) else address
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _guarded(real):
    def connect(self, address):  # type: ignore[no-untyped-def]
        if not _is_local(address):
            raise RuntimeError(f"tests may not reach the network: blocked connect to {address!r}")
        return real(self, address)

    return connect


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _guarded(_real_connect))
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded(_real_connect_ex))


# Shared fixtures ---------------------------------------------------------------------------

from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PLAN_PATH = ROOT / "corpus" / "景德镇市人力资源和社会保障事业发展十三五规划.txt"


@pytest.fixture(scope="session")
def plan_raw() -> str:
    return PLAN_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def plan_parsed(plan_raw: str):  # type: ignore[no-untyped-def]
    from ingest.document import parse_text

    return parse_text(plan_raw, PLAN_PATH.name)


@pytest.fixture(scope="session")
def plan_engine(tmp_path_factory):  # type: ignore[no-untyped-def]
    """An Engine over a real index of the bundled plan, built once per test session."""
    from core.settings import load_settings
    from assistant.engine import Engine
    from index.pipeline import build_index

    root = tmp_path_factory.mktemp("plan_engine")
    settings = load_settings(index_dir=root / "index", data_dir=root / "data")
    build_index([PLAN_PATH], settings.index_dir, settings)
    engine = Engine.open(settings=settings)
    yield engine
    engine.close()
