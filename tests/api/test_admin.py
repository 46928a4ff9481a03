"""Admin endpoints: key checks, uploads into the corpus, re-ingest jobs, unanswered questions."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.routes.admin import safe_filename
from tests.api.conftest import ADMIN_KEY

KEY = {"X-API-Key": ADMIN_KEY}
NOTICE = ("景德镇市零工市场建设实施方案\n\n一、总体目标\n\n到2025年，全市建成零工市场12个，"
          "每年服务灵活就业人员3万人次。\n\n二、保障措施\n\n对零工市场运营给予每个8万元的一次性补助。\n")


def _upload(client, name, data, key=KEY, **params):
    return client.post("/api/admin/documents", headers=key, params=params,
                       files={"file": (name, data, "application/octet-stream")})


def test_admin_disabled_without_key_setting(make_client):
    c = make_client(admin_key=None)
    for method, path in [("GET", "/api/admin/unanswered"), ("POST", "/api/admin/reingest")]:
        r = c.request(method, path, headers=KEY)
        assert r.status_code == 503 and "POLICY_ADMIN_KEY" in r.json()["detail"]


@pytest.mark.parametrize("headers", [{}, {"X-API-Key": "wrong"}, {"X-API-Key": ADMIN_KEY + "x"},
                                     {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {ADMIN_KEY}"},
                                     {"X-API-Key": "密钥".encode()}])
def test_wrong_or_missing_key_is_401(client, headers):
    r = client.get("/api/admin/unanswered", headers=headers)
    assert r.status_code == 401 and "admin key" in r.json()["detail"]


def test_bearer_token_works(client):
    assert client.get("/api/admin/unanswered", headers={"Authorization": f"Bearer {ADMIN_KEY}"}).status_code == 200


def test_unanswered_lists_redacted_questions_with_counts(client):
    q = "我的身份证号是360203199001011234，怎么领外星人补贴？"
    for _ in range(2):
        assert client.post("/api/chat", json={"question": q}).json()["grounded"] is False
    rows = client.get("/api/admin/unanswered", headers=KEY, params={"limit": 5}).json()["questions"]
    row = next(r for r in rows if "外星人" in r["question"])
    assert row["count"] >= 2 and "360203199001011234" not in row["question"] and "[身份证号]" in row["question"]
    assert client.get("/api/admin/unanswered", headers=KEY, params={"limit": 0}).status_code == 422


def test_upload_saves_into_the_corpus_and_never_overwrites_silently(client):
    corpus = Path(client.app.state.settings.corpus_dir)
    r = _upload(client, "零工市场.txt", NOTICE.encode("utf-8"))
    assert r.status_code == 201, r.text
    assert r.json()["file"] == "零工市场.txt" and r.json()["replaced"] is False
    assert (corpus / "零工市场.txt").read_text(encoding="utf-8") == NOTICE
    again = _upload(client, "零工市场.txt", b"other text " * 10)
    assert again.status_code == 409 and "replace=true" in again.json()["detail"]
    assert (corpus / "零工市场.txt").read_text(encoding="utf-8") == NOTICE
    replaced = _upload(client, "零工市场.txt", (NOTICE + "\n三、附则\n\n自印发之日起施行。\n").encode(), replace="true")
    assert replaced.status_code == 201 and replaced.json()["replaced"] is True
    assert "附则" in (corpus / "零工市场.txt").read_text(encoding="utf-8")
    assert not [p for p in corpus.iterdir() if p.name.startswith(".upload-")]


@pytest.mark.parametrize("name,saved", [
    ("../../etc/evil.txt", "evil.txt"),
    ("..\\..\\windows\\evil.md", "evil.md"),
    ("a/b/../c<script>.HTML", "c_script.html"),
    ("  政策\x00文件\u202e.txt ", "政策文件.txt"),
])
def test_file_names_are_sanitized(name, saved):
    assert safe_filename(name) == saved


def test_traversal_upload_lands_inside_the_corpus(client):
    corpus = Path(client.app.state.settings.corpus_dir)
    r = _upload(client, "../../outside.txt", NOTICE.encode())
    assert r.status_code == 201 and r.json()["file"] == "outside.txt"
    assert (corpus / "outside.txt").exists() and not (corpus.parent.parent / "outside.txt").exists()


@pytest.mark.parametrize("name,data,status,words", [
    ("virus.exe", b"MZ\x90\x00", 415, "不支持的文件类型"),
    ("noext", b"hello", 400, "文件名无效"),
    (".bashrc", b"hello", 400, "文件名无效"),
    ("empty.txt", b"", 400, "文件为空"),
    ("fake.pdf", b"this is not a pdf at all", 400, "文件无法读取"),
    ("big.txt", "大".encode() * 30000, 413, "文件"),
])
def test_bad_uploads(client, name, data, status, words):
    r = _upload(client, name, data)
    assert r.status_code == status, r.text
    assert words in r.json()["detail"]
    assert not (Path(client.app.state.settings.corpus_dir) / name).exists()


def test_upload_needs_the_key_and_multipart(client):
    assert _upload(client, "a.txt", NOTICE.encode(), key={}).status_code == 401
    r = client.post("/api/admin/documents", headers={**KEY, "Content-Type": "application/json"}, content=b"{}")
    assert r.status_code == 415
    r = client.post("/api/admin/documents", headers=KEY, data={"other": "x"})
    assert r.status_code == 415
    r = client.post("/api/admin/documents", headers=KEY, files={"other": ("a.txt", b"x")})
    assert r.status_code == 400 and "file" in r.json()["detail"]


def _wait(client, job: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get(f"/api/admin/reingest/{job}", headers=KEY).json()
        if status["status"] != "running":
            return status
        time.sleep(0.1)
    raise AssertionError("re-ingest did not finish")


@pytest.fixture
def own_index_client(tmp_path, api_settings):
    """An app with its own small corpus and index: re-ingesting it must not disturb the shared engine."""
    from api.app import create_app
    from api.options import ApiOptions

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "零工市场.txt").write_text(NOTICE, encoding="utf-8")
    settings = api_settings.model_copy(update={"corpus_dir": corpus, "index_dir": tmp_path / "index",
                                               "data_dir": tmp_path / "data"})
    with TestClient(create_app(settings, ApiOptions())) as c:
        yield c


def test_reingest_builds_a_new_generation_and_the_service_switches(own_index_client):
    c = own_index_client
    before = c.get("/readyz").json()
    assert before["documents"] == 1
    assert _upload(c, "补贴.txt", "景德镇市见习补贴办法\n\n一、补贴标准\n\n见习补贴每人每月1500元。\n".encode()).status_code == 201
    r = c.post("/api/admin/reingest", headers=KEY)
    assert r.status_code == 202 and r.json()["status"] == "running"
    status = _wait(c, r.json()["job"])
    assert status["status"] == "done", status
    assert status["report"]["documents"] == 2 and "indexed 2 documents" in status["summary"]
    after = c.get("/readyz").json()
    assert after["index"] == status["generation"] != before["index"] and after["documents"] == 2
    answer = c.post("/api/chat", json={"question": "见习补贴每人每月多少钱？"}).json()
    assert answer["grounded"] and "1500" in answer["answer"]

    unchanged = _wait(c, c.post("/api/admin/reingest", headers=KEY).json()["job"])
    assert unchanged["status"] == "done" and unchanged["report"]["unchanged"] is True


def test_only_one_reingest_at_a_time(own_index_client):
    c = own_index_client
    first = c.post("/api/admin/reingest", headers=KEY, params={"force": "true"})
    second = c.post("/api/admin/reingest", headers=KEY, params={"force": "true"})
    assert first.status_code == 202
    assert second.status_code == 409 and first.json()["job"] in second.json()["detail"]
    assert _wait(c, first.json()["job"])["status"] == "done"
    assert c.post("/api/admin/reingest", headers=KEY, params={"force": "true"}).status_code == 202


def test_unknown_job_is_404(client):
    for job in ("0" * 32, "../../etc/passwd", "x"):
        assert client.get(f"/api/admin/reingest/{job}", headers=KEY).status_code == 404
