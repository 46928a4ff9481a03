"""/readyz lists every component the service depends on, and turns 503 when one fails."""
from __future__ import annotations

import sqlite3


def test_readyz_reports_each_component(make_client):
    c = make_client(rate_limit="100/minute")
    r = c.get("/readyz")
    assert r.status_code == 200
    comp = r.json()["components"]
    assert set(comp) == {"index", "sessions", "rate_limit", "vectors"}
    assert comp["index"]["ok"] and comp["index"]["generation"] == r.json()["index"]
    assert comp["sessions"] == {"ok": True, "backend": "sqlite"}
    assert comp["rate_limit"] == {"ok": True, "backend": "sqlite"}
    assert comp["vectors"]["ok"] and comp["vectors"]["backend"] == "chroma-embedded" and comp["vectors"]["vectors"] > 0


def test_readyz_rate_limit_off_is_not_a_failure(make_client):
    comp = make_client(rate_limit="0").get("/readyz").json()["components"]
    assert comp["rate_limit"] == {"ok": None, "backend": "off"}


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
