"""The embeddable widget in real headless Chromium, on a plain page served from another origin."""
from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
CHROMIUM = "/usr/bin/chromium"
REPORTS = Path(__file__).resolve().parents[2] / "evals" / "reports"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def _require_chromium() -> None:
    if os.path.exists(CHROMIUM):
        return
    message = f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium for the browser tests"
    if os.environ.get("CI") or os.geteuid() == 0:
        pytest.fail(message)  # CI and root can install it, so a missing browser is a broken set-up
    pytest.skip(message)


@pytest.fixture
def host_page(tmp_path, host_port, server):
    (tmp_path / "index.html").write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>host</title></head><body><h1>host</h1>"
        f'<script src="{server.base}/static/widget.js" data-title="12333智能问答" data-api="{server.base}" defer>'
        f'</script><iframe name="framed" src="{server.base}/" width="320" height="200"></iframe></body></html>',
        encoding="utf-8")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *a, **k: None  # type: ignore[method-assign]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", host_port), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{host_port}/index.html"
    httpd.shutdown()
    httpd.server_close()


def test_widget_answers_and_shows_the_source(host_page, tmp_path):
    _require_chromium()
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 860}, locale="zh-CN", reduced_motion="reduce")
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(host_page)
            expect(page.locator("h1")).to_have_text("host")
            page.evaluate("() => window.PolicyAssistant.ready")

            page.get_by_test_id("pa-launcher").click()
            expect(page.get_by_test_id("pa-suggestion").first).to_be_visible()  # cross-origin fetch allowed by CORS
            page.get_by_test_id("pa-input").fill("生育保险参保人数2020年目标是多少？")
            page.get_by_test_id("pa-send").click()

            answer = page.locator('[data-testid="pa-answer"][data-state="done"]')
            expect(answer).to_have_count(1, timeout=20000)
            expect(answer).to_contain_text("10万人")
            chips = page.get_by_test_id("pa-citation")
            expect(chips.first).to_be_visible()
            assert chips.count() >= 1
            page.screenshot(path=str(tmp_path / "widget-answer.png"), animations="disabled")

            chips.first.click()
            source = page.get_by_test_id("pa-source")
            expect(source).to_be_visible()
            passage = page.get_by_test_id("pa-passage")
            expect(passage).to_contain_text("生育保险参保人数", timeout=10000)
            expect(passage).to_contain_text("10")
            expect(source).to_contain_text("景人社发〔2018〕10号")  # document metadata from /api/documents

            shot = tmp_path / "widget.png"
            page.screenshot(path=str(shot), animations="disabled")
            REPORTS.mkdir(parents=True, exist_ok=True)
            shutil.copy(shot, REPORTS / "widget.png")
            shutil.copy(tmp_path / "widget-answer.png", REPORTS / "widget-answer.png")
            assert not [e for e in errors if "CORS" in e or "Access-Control" in e], errors
        finally:
            browser.close()


def test_another_site_embeds_the_widget_but_cannot_frame_the_pages(host_page, server):
    _require_chromium()
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(locale="zh-CN")
            console: list[str] = []
            page.on("console", lambda m: console.append(m.text))
            page.goto(host_page)
            page.evaluate("() => window.PolicyAssistant.ready")  # the script from the other origin runs
            page.get_by_test_id("pa-launcher").click()
            expect(page.get_by_test_id("pa-suggestion").first).to_be_visible()
            page.wait_for_function("() => document.querySelector('iframe[name=framed]') !== null")
            page.wait_for_timeout(1500)
            framed = page.frame(name="framed")
            assert framed is not None
            # frame-ancestors 'self': Chromium refuses the navigation and shows its own error page instead.
            assert not framed.url.startswith(server.base), framed.url
            assert any("frame-ancestors" in m for m in console), console
            # The same page opened directly (or framed by itself) is fine.
            own = browser.new_page()
            own.goto(server.base + "/")
            expect(own.locator("body")).not_to_be_empty()
        finally:
            browser.close()
