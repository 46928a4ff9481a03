"""Request guards that run before routing: body size and JSON well-formedness, rate limit.

Pure ASGI middlewares rather than BaseHTTPMiddleware: they must not buffer streamed (SSE)
responses, and they answer with the same JSON error shape as the routes.
"""
from __future__ import annotations

import json
from typing import Any

import anyio
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import metrics
from api.options import ApiOptions
from api.ratelimit import Limiter, LimiterUnavailable

UPLOAD_PATH = "/api/admin/documents"
# POST routes whose body is a JSON object; everything else is checked for size only.
JSON_PATHS = frozenset({"/api/chat", "/api/chat/stream", "/api/search", "/v1/chat/completions"})
_NO_BODY_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE"})


def _error(status: int, detail: str, headers: dict[str, str] | None = None, path: str = "") -> JSONResponse:
    body: dict[str, Any] = {"detail": detail}
    if path.startswith("/v1/"):
        body["error"] = {"message": detail, "type": "invalid_request_error", "code": status}
    return JSONResponse(body, status_code=status, headers=headers)


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"请求内容过大（上限 {human_size(limit)}） / request body too large (limit {human_size(limit)})")


def human_size(n: int) -> str:
    return f"{n // (1024 * 1024)} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"


def _is_json_type(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def _check_json(body: bytes, content_type: str | None) -> str | None:
    """Why a JSON route cannot take this body, or None when FastAPI may parse it."""
    if content_type is not None and not _is_json_type(content_type):
        return ("请求内容须为 JSON（Content-Type: application/json） / "
                f"expected Content-Type: application/json, got {content_type.split(';')[0][:60]!r}")
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        return "请求内容须为 UTF-8 编码 / request body is not valid UTF-8"
    try:
        json.loads(text)
    except RecursionError:
        return "JSON 嵌套层数过多 / JSON nested too deeply"
    except ValueError as e:
        return f"请求内容不是有效的 JSON / invalid JSON: {str(e)[:80]}"
    return None


class BodyGuard:
    """413 for bodies over the limit, 415/400 for JSON routes given non-JSON, before any parsing."""

    def __init__(self, app: ASGIApp, options: ApiOptions) -> None:
        self.app = app
        self.options = options

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path, method = scope["path"], scope["method"]
        limit = self.options.max_upload_bytes + 64 * 1024 if path == UPLOAD_PATH else self.options.max_json_bytes
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                return await _error(400, "Content-Length 无效 / invalid Content-Length", path=path)(scope, receive, send)
            if int(declared) > limit:
                return await _error(413, BodyTooLarge(limit).detail, path=path)(scope, receive, send)
        if method == "POST" and path in JSON_PATHS:
            body = await _read(receive, limit)
            if body is None:
                return await _error(413, BodyTooLarge(limit).detail, path=path)(scope, receive, send)
            if body:
                problem = _check_json(body, headers.get("content-type"))
                if problem:
                    status = 415 if problem.startswith("请求内容须为 JSON") else 400
                    return await _error(status, problem, path=path)(scope, receive, send)
            return await self.app(scope, _replay(body, receive), send)
        if method in _NO_BODY_METHODS and declared is None:
            return await self.app(scope, receive, send)
        await self.app(scope, _counting(receive, limit), send)


async def _read(receive: Receive, limit: int) -> bytes | None:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break  # client went away; the route will see an empty body and the response goes nowhere
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # afterwards only http.disconnect, which SSE responses wait for

    return replay


def _counting(receive: Receive, limit: int) -> Receive:
    size = 0

    async def counted() -> Message:
        nonlocal size
        message = await receive()
        if message["type"] == "http.request":
            size += len(message.get("body", b""))
            if size > limit:
                raise BodyTooLarge(limit)  # a chunked body with no Content-Length, caught while it streams
        return message

    return counted


def client_key(scope: Scope, trust_forwarded: bool) -> str:
    if trust_forwarded:
        forwarded = Headers(scope=scope).get("x-forwarded-for", "")
        # The right-most entry was written by our own proxy; entries to its left came from the client.
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if hops:
            return hops[-1]
    client = scope.get("client")
    return client[0] if client else "unknown"


def is_limited(path: str, method: str) -> bool:
    # Admin calls are authenticated; health, metrics, docs and static files must stay reachable.
    return method != "OPTIONS" and path.startswith(("/api/", "/v1/")) and not path.startswith("/api/admin/")


class RateLimit:
    def __init__(self, app: ASGIApp, limiter: Limiter | None, trust_forwarded: bool = False) -> None:
        self.app = app
        self.limiter = limiter
        self.trust_forwarded = trust_forwarded

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.limiter is None or scope["type"] != "http" or not is_limited(scope["path"], scope["method"]):
            return await self.app(scope, receive, send)
        key = client_key(scope, self.trust_forwarded)
        try:
            allowed, retry_after = await anyio.to_thread.run_sync(self.limiter.hit, key)
        except LimiterUnavailable as e:
            # Fail closed (logged by the limiter): anonymous traffic is not served unlimited.
            detail = (f"服务暂时繁忙，请 {e.retry_after} 秒后再试 / service temporarily unavailable "
                      f"(rate-limit store unreachable); retry in {e.retry_after} s")
            return await _error(503, detail, {"Retry-After": str(e.retry_after)}, path=scope["path"])(
                scope, receive, send)
        if allowed:
            return await self.app(scope, receive, send)
        metrics.RATE_LIMITED.inc()
        detail = f"请求过于频繁，请 {retry_after} 秒后再试 / too many requests; retry in {retry_after} s"
        await _error(429, detail, {"Retry-After": str(retry_after)}, path=scope["path"])(scope, receive, send)
