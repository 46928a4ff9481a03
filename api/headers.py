"""Security headers on every response, and the /docs page with its assets served from here.

``nosniff`` everywhere, so a browser never reads an answer or an upload as script or HTML. HTML
pages (the chat at /, the document pages, /docs) may only be framed by this origin: another site
framing them could dress our answers in its own page or trick clicks. The widget is a script
(/static/widget.js), not a frame, so embedding it on other sites is unaffected.
"""
from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HTML_CSP = "frame-ancestors 'self'; object-src 'none'; base-uri 'self'; form-action 'self'"


def _with_frame_rule(policy: str | None) -> str:
    """A route's own (stricter) policy keeps its rules and gains ours where it has none of them."""
    if not policy:
        return HTML_CSP
    have = {rule.split()[0] for rule in policy.split(";") if rule.strip()}
    extra = [rule.strip() for rule in HTML_CSP.split(";") if rule.split()[0] not in have]
    return "; ".join([policy.rstrip("; ")] + extra)


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
                if headers.get("content-type", "").startswith("text/html"):
                    headers["Content-Security-Policy"] = _with_frame_rule(headers.get("content-security-policy"))
                    headers["X-Frame-Options"] = "SAMEORIGIN"
            await send(message)

        await self.app(scope, receive, with_headers)


def install_docs(app: ASGIApp, title: str) -> None:
    """/docs with swagger-ui from the swagger-ui-bundle package instead of a CDN (works offline, no third party)."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.staticfiles import StaticFiles
    from starlette.responses import HTMLResponse
    from swagger_ui_bundle import swagger_ui_path

    app.mount("/docs-assets", StaticFiles(directory=swagger_ui_path), name="docs-assets")  # type: ignore[attr-defined]

    @app.get("/docs", include_in_schema=False)  # type: ignore[attr-defined]
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title=title,
                                   swagger_js_url="/docs-assets/swagger-ui-bundle.js",
                                   swagger_css_url="/docs-assets/swagger-ui.css",
                                   swagger_favicon_url="/docs-assets/favicon-32x32.png")
