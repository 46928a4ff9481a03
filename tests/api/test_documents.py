"""GET /api/documents and /api/documents/{id}: the contract the widget's source viewer relies on."""
from __future__ import annotations

import pytest

from tests.api.conftest import QUESTION


@pytest.fixture
def cited(client):
    return client.post("/api/chat", json={"question": QUESTION}).json()["citations"][0]


def test_list(client):
    docs = client.get("/api/documents").json()["documents"]
    assert len(docs) == 1
    d = docs[0]
    assert set(d) == {"id", "title", "source", "file", "meta"}
    assert "十三五" in d["title"] and d["file"].endswith(".txt")
    assert d["meta"]["doc_number"] == "景人社发〔2018〕10号"
    assert all(isinstance(v, str) for v in d["meta"].values())


def test_document_with_chunk_matches_the_widget_contract(client, cited):
    d = client.get(cited["url"]).json()
    for key in ("id", "title", "source", "meta", "section", "passage", "context", "text", "sections"):
        assert key in d
    p = d["passage"]
    assert d["text"][p["start"]:p["end"]] == p["text"]
    assert "生育保险参保人数" in p["text"] and "10" in p["text"]
    assert d["text"][:p["start"]].endswith(d["context"]["before"])
    assert d["text"][p["end"]:].startswith(d["context"]["after"])
    assert d["section"] == cited["section"]
    sec = d["sections"][0]
    assert set(sec) == {"id", "path", "level", "start", "end"} and 0 <= sec["start"] <= sec["end"] <= len(d["text"])


def test_document_without_chunk_has_no_passage(client, cited):
    d = client.get(cited["url"].split("?")[0]).json()
    assert d["passage"] is None and d["context"] is None and len(d["text"]) > 10000


def test_html_view_marks_the_cited_passage(client, cited):
    r = client.get(cited["url"] + "&format=html")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in r.headers["content-security-policy"]
    page = r.text
    marked = page.split('<mark id="cited">', 1)[1].split("</mark>", 1)[0]
    assert "生育保险参保人数" in marked
    assert page.count("<mark") == 1 and 'href="#' in page  # table of contents links to section anchors


@pytest.mark.parametrize("path", [
    "/api/documents/ffffffffffffffff",
    "/api/documents/..%2F..%2Fetc%2Fpasswd",
    "/api/documents/%2e%2e",
    "/api/documents/a%00b",
])
def test_unknown_documents_are_404(client, path):
    r = client.get(path)
    assert r.status_code == 404
    assert isinstance(r.json()["detail"], str)


def test_unknown_or_foreign_chunk_is_404(client, cited):
    doc_url = cited["url"].split("?")[0]
    for chunk in ("0000000000000000", "../../x", "x" * 64):
        r = client.get(doc_url, params={"chunk": chunk})
        assert r.status_code == 404 and "段落不存在" in r.json()["detail"]
    assert client.get(doc_url, params={"chunk": "x" * 65}).status_code == 422
    assert client.get(doc_url, params={"format": "pdf"}).status_code == 422
