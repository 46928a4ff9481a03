"""/readyz lists every component the service depends on, and turns 503 when one fails."""
from __future__ import annotations

import sqlite3

import pytest


def test_readyz_reports_each_component(make_client):
    c = make_client(rate_limit="100/minute")
    r = c.get("/readyz")
    assert r.status_code == 200
    comp = r.json()["components"]
    assert set(comp) == {"index", "sessions", "rate_limit", "admin_guard", "vectors", "embedder"}
    assert comp["index"]["ok"] and comp["index"]["generation"] == r.json()["index"]
    assert comp["sessions"] == {"ok": True, "backend": "sqlite"}
    assert comp["rate_limit"] == {"ok": True, "backend": "sqlite"}
    assert comp["vectors"]["ok"] and comp["vectors"]["backend"] == "chroma-embedded" and comp["vectors"]["vectors"] > 0
    assert comp["admin_guard"] == {"ok": True, "backend": "sqlite"}
    embedder = c.app.state.engine.generation.retriever.embedder
    assert comp["embedder"] == {"ok": True, "backend": embedder.kind, "name": embedder.name, "dim": embedder.dim}
    assert r.json()["channels"]["dense"] == embedder.kind


def test_readyz_rate_limit_off_is_not_a_failure(make_client):
    comp = make_client(rate_limit="0").get("/readyz").json()["components"]
    assert comp["rate_limit"] == {"ok": None, "backend": "off"}
    assert comp["admin_guard"] == {"ok": True, "backend": "sqlite"}  # counted even with the public limit off


def test_readyz_is_503_when_the_embedder_cannot_embed(make_client, monkeypatch):
    c = make_client()
    embedder = c.app.state.engine.generation.retriever.embedder
    inner = getattr(embedder, "inner", embedder)  # past the query cache, which may hold the probe already

    def broken(text):
        raise RuntimeError("model unloaded")

    monkeypatch.setattr(inner, "embed_query", broken)
    if hasattr(embedder, "_lru"):
        monkeypatch.setattr(embedder, "_lru", type(embedder._lru)())
    r = c.get("/readyz")
    assert r.status_code == 503
    assert r.json()["components"]["embedder"]["ok"] is False
    assert r.json()["components"]["embedder"]["error"] == "RuntimeError"


def test_readyz_reports_a_lexical_only_generation(make_client, monkeypatch):
    c = make_client()
    monkeypatch.setattr(c.app.state.engine.generation.retriever, "embedder", None)
    comp = c.get("/readyz").json()["components"]
    assert comp["embedder"] == {"ok": None, "backend": "none"}


@pytest.mark.network_ok
def test_readyz_shows_redis_for_limits_and_admin_guard(make_client, redis_server, redis_prefix):
    c = make_client(rate_limit="100/minute", redis_url=redis_server.url, redis_prefix=redis_prefix)
    comp = c.get("/readyz").json()["components"]
    assert comp["rate_limit"] == {"ok": True, "backend": "redis"}
    assert comp["admin_guard"] == {"ok": True, "backend": "redis"}


def test_readyz_is_503_when_the_rate_limit_store_is_broken(make_client):
    c = make_client(rate_limit="100/minute")
    path = c.app.state.limiter.path
    db = sqlite3.connect(path)
    db.execute("DROP TABLE events")  # a damaged counter file
    db.commit()
    db.close()
    r = c.get("/readyz")
    assert r.status_code == 503 and r.json()["status"] == "degraded"
    assert r.json()["components"]["rate_limit"]["ok"] is False
