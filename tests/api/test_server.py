"""The real service: python -m api under uvicorn on 127.0.0.1, driven over sockets."""
from __future__ import annotations

import json
import statistics
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import ADMIN_KEY, QUESTION
from tests.api.server import ApiServer
from tests.api.sse import json_events

pytestmark = pytest.mark.slow
KEY = {"X-API-Key": ADMIN_KEY}
REPORTS = Path(__file__).resolve().parents[2] / "evals" / "reports"
TRAFFIC = ["生育保险参保人数2020年目标是多少？", "我想开个网店，有补贴吗？", "城镇登记失业率要控制在多少？",
           "规划提出了哪些人才工程？", "社会保障卡发卡目标是多少？"]
NEW_DOC = ("景德镇市零工市场建设实施方案\n\n一、总体目标\n\n到2025年，全市建成标准化零工市场12个，"
           "每年为灵活就业人员提供岗位信息服务3万人次。\n\n二、扶持政策\n\n对认定的零工市场给予每个8万元的一次性建设补助。\n")


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else 0.0


def test_sse_stream_parsed_by_a_real_client(server):
    with httpx.Client(base_url=server.base, timeout=30) as http:
        with http.stream("POST", "/api/chat/stream", json={"question": QUESTION},
                         headers={"Accept": "text/event-stream"}) as r:
            assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
            events = json_events(r.iter_lines())
    deltas = [d["text"] for e, d in events if e == "delta"]
    done = [d for e, d in events if e == "done"]
    assert len(deltas) > 1 and len(done) == 1 and events[-1][0] == "done"
    assert "".join(deltas) == done[0]["answer"] and "10万人" in done[0]["answer"]
    assert done[0]["citations"][0]["url"].startswith("/api/documents/")


def test_logs_hold_no_personal_numbers(server):
    phone, ident = "13912345678", "360203199001011234"
    with httpx.Client(base_url=server.base, timeout=30) as http:
        http.get("/api/targets", params={"q": f"手机{phone}"})
        http.get(f"/api/documents/{ident}")
        http.post("/api/chat", json={"question": f"身份证{ident}手机{phone}能领补贴吗"})
    time.sleep(0.3)
    log = server.log()
    assert "/api/targets?q=" in log  # the access log is on...
    assert phone not in log and ident not in log  # ...and redacted


def test_reingest_during_traffic_loses_no_request(server):
    http = httpx.Client(base_url=server.base, timeout=60)
    before = http.get("/readyz").json()
    upload = http.post("/api/admin/documents", headers=KEY, params={"replace": "true"},
                       files={"file": ("零工市场建设实施方案.txt", NEW_DOC.encode("utf-8"))})
    assert upload.status_code == 201, upload.text

    stop = threading.Event()
    results: list[tuple[int, float, str, float]] = []  # status, seconds, question, finished at
    lock = threading.Lock()

    def worker(n: int) -> None:
        with httpx.Client(base_url=server.base, timeout=60) as c:
            i = n
            while not stop.is_set():
                q = TRAFFIC[i % len(TRAFFIC)]
                t0 = time.perf_counter()
                try:
                    if i % 3 == 0:
                        with c.stream("POST", "/api/chat/stream", json={"question": q}) as r:
                            events = json_events(r.iter_lines())
                        ok = r.status_code if events and events[-1][0] == "done" else 599
                    else:
                        r = c.post("/api/chat", json={"question": q})
                        ok = r.status_code if r.json().get("answer") else 598
                except httpx.HTTPError as e:
                    ok, q = 0, f"{q}: {e!r}"
                with lock:
                    results.append((ok, time.perf_counter() - t0, q, time.perf_counter()))
                i += 1

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    t_job = time.perf_counter()
    r = http.post("/api/admin/reingest", headers=KEY)
    assert r.status_code == 202
    job = r.json()["job"]
    conflict = http.post("/api/admin/reingest", headers=KEY)
    status = {}
    deadline = time.monotonic() + 150
    while time.monotonic() < deadline:
        status = http.get(f"/api/admin/reingest/{job}", headers=KEY).json()
        if status["status"] != "running":
            break
        time.sleep(0.25)
    t_done = time.perf_counter()
    job_seconds = t_done - t_job
    time.sleep(1.0)
    stop.set()
    for t in threads:
        t.join(timeout=60)

    assert conflict.status_code == 409
    assert status["status"] == "done", status
    bad = [r for r in results if r[0] != 200]
    assert not bad, bad[:5]
    during = sum(1 for r in results if t_job <= r[3] <= t_done)
    assert during >= 5 and len(results) >= 40
    after = http.get("/readyz").json()
    assert after["index"] == status["generation"] != before["index"]
    assert after["documents"] > before["documents"]  # (the fuzz test may have uploaded a file too)
    assert any(d["file"] == "零工市场建设实施方案.txt" for d in http.get("/api/documents").json()["documents"])
    answer = http.post("/api/chat", json={"question": "零工市场建设补助每个多少钱？"}).json()
    assert answer["grounded"] and "8万元" in answer["answer"]
    assert any("零工市场" in c["document"] for c in answer["citations"])
    metrics = http.get("/metrics").text
    assert f'policy_index_generation_info{{generation="{after["index"]}"}} 1.0' in metrics
    http.close()

    latencies = [r[1] for r in results]
    numbers = {"requests": len(results), "during_job": during, "clients": 4, "job_seconds": round(job_seconds, 2),
               "build_seconds": status["report"]["seconds"],
               "latency_median_ms": round(statistics.median(latencies) * 1000, 1),
               "latency_p95_ms": round(_pct(latencies, 0.95) * 1000, 1),
               "latency_max_ms": round(max(latencies) * 1000, 1),
               "server_startup_seconds": round(server.startup_seconds, 2)}
    print("\nreingest under traffic:", json.dumps(numbers))
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / "api_reingest_load.json").write_text(json.dumps(numbers, indent=1), encoding="utf-8")


def test_two_workers_share_the_rate_limit(server, tmp_path):
    """A second server, 2 workers over the same index; counters live in one SQLite file."""
    srv = ApiServer(tmp_path, server.corpus, index_dir=server.index_dir, workers=2,
                    env={"POLICY_RATE_LIMIT": "5/minute", "POLICY_ADMIN_KEY": ADMIN_KEY})
    srv.start(timeout=90)
    try:
        pids = set()
        for _ in range(60):
            with httpx.Client(base_url=srv.base, timeout=10) as fresh:  # a new connection each time
                pids.add(fresh.get("/readyz").json()["pid"])
            if len(pids) == 2:
                break
        assert len(pids) == 2, "both workers should be serving"
        for pid in pids:  # each worker started with glibc's malloc arenas capped (api/__main__.py)
            assert b"MALLOC_ARENA_MAX=2\0" in open(f"/proc/{pid}/environ", "rb").read()
        if time.time() % 60 > 50:  # don't let the 6 requests straddle a window boundary
            time.sleep(61 - time.time() % 60)
        codes, retry = [], None
        for i in range(6):
            with httpx.Client(base_url=srv.base, timeout=30) as fresh:
                r = fresh.post("/api/chat", json={"question": QUESTION},
                               headers={"X-Forwarded-For": f"10.9.8.{i}"})  # not trusted: changes nothing
            codes.append(r.status_code)
            if r.status_code == 429:
                retry = r
        assert codes == [200] * 5 + [429]
        assert 1 <= int(retry.headers["Retry-After"]) <= 60 and "请求过于频繁" in retry.json()["detail"]
        assert httpx.get(srv.base + "/healthz").status_code == 200  # not limited
        # Metrics from both workers are aggregated, whichever one answers the scrape.
        text = httpx.get(srv.base + "/metrics").text
        ok = [line for line in text.splitlines()
              if line.startswith('policy_http_requests_total{method="POST",route="/api/chat",status="200"}')]
        assert ok and float(ok[0].rsplit(" ", 1)[1]) == 5.0
        assert "policy_rate_limited_total 1.0" in text
        print(f"\ntwo workers: startup {srv.startup_seconds:.1f}s, pids {sorted(pids)}")
    finally:
        srv.stop()
