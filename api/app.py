"""The FastAPI application factory."""
from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from pathlib import Path
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import anyio
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from api import errors, metrics
from api.headers import SecurityHeaders, install_docs
from api.logs import install_redaction
from api.options import ApiOptions
from api.ratelimit import make_limiter
from api.safety import BodyGuard, RateLimit
from core.settings import Settings, get_settings

STATIC = Path(__file__).resolve().parent / "static"
log = logging.getLogger("policy.api")

DESCRIPTION = """根据已收录的政策文件回答人社政策问题，并给出原文出处。

* **问答**：`POST /api/chat`（一次返回）、`POST /api/chat/stream`（SSE 流式）、`POST /api/search`（检索原文）
* **原文**：`GET /api/documents`、`GET /api/documents/{id}?chunk=…`（`format=html` 为网页）
* **指标**：`GET /api/targets?q=…&format=csv`
* **OpenAI 兼容**：`POST /v1/chat/completions`、`GET /v1/models`
* **管理**（需 `X-API-Key`）：上传文件、重建索引、未能回答的问题

错误统一返回 `{"detail": "中文说明 / English"}`；请求过于频繁时返回 429 并带 `Retry-After`。
"""
TAGS = [
    {"name": "问答", "description": "提问、流式回答、原文检索、示例问题"},
    {"name": "政策文件", "description": "已收录文件的全文、章节和被引用段落"},
    {"name": "指标", "description": "规划指标表的记录，供工作人员查询和导出"},
    {"name": "OpenAI 兼容接口", "description": "供现有聊天界面或 openai 客户端把助手当作模型使用"},
    {"name": "管理", "description": "需要 X-API-Key 或 Authorization: Bearer，值为 POLICY_ADMIN_KEY"},
    {"name": "运维", "description": "健康检查与监控指标"},
]


async def _purge_sessions(engine: Any, every: float = 3600.0) -> None:
    # Nothing else deletes expired sessions; without this the sessions file only ever grows.
    while True:
        try:
            removed = await anyio.to_thread.run_sync(engine.sessions.purge_expired)
            if removed:
                log.info("purged %d expired sessions", removed)
        except Exception:
            log.warning("session purge failed", exc_info=True)
        await asyncio.sleep(every)


def _install_guards(app: FastAPI, settings: Settings) -> None:
    """The /v1 session secret, the admin failure counter (in the rate limit's store: shared by every worker,
    and with REDIS_URL by every machine), and the child process uploads are parsed in (started on first use)."""
    from api.admin_guard import AuthFailures
    from assistant.session_keys import load_secret
    from index.sandbox import Sandbox

    app.state.sandbox = Sandbox(settings.parse_memory_mb, settings.parse_timeout)
    app.state.session_secret = load_secret(settings)
    app.state.admin_failures = AuthFailures.from_settings(settings)


def _build_dense_later(app: FastAPI) -> None:
    """A first start served the lexical channels only: build the full generation in the background.

    The job publishes it atomically like any re-ingest; with several workers one of them builds
    (the job lock) and the others pick the new generation up on their next request.
    """
    from api.jobs import JobRunning
    from index.pipeline import needs_dense

    if not needs_dense(app.state.settings):
        return
    try:
        job = app.state.jobs.start(background=True)
        log.info("building the dense channel in the background (job %s)", job["job"])
    except JobRunning:
        pass


def _lifespan(settings: Settings, engine: Any) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from api.jobs import ReingestJobs

        own = engine is None
        if own:
            from assistant.engine import Engine
            from index.pipeline import ensure_index

            ensure_index(settings)
            app.state.engine = Engine.open(settings=settings)
        else:
            app.state.engine = engine

        def published() -> None:
            app.state.engine.refresh(force=True)
            metrics.observe_generation(app.state.engine)

        app.state.jobs = ReingestJobs(settings, published)
        metrics.observe_generation(app.state.engine)
        if own:
            _build_dense_later(app)
        sweeper = asyncio.create_task(_purge_sessions(app.state.engine))
        try:
            yield
        finally:
            sweeper.cancel()
            app.state.sandbox.close()
            app.state.jobs.close()
            if own:
                app.state.engine.close()
            metrics.worker_exiting()

    return lifespan


def _add_middleware(app: FastAPI, settings: Settings, options: ApiOptions) -> None:
    # Added innermost first. Metrics outermost so 413/429 are counted; CORS outside the rate limit so a
    # 429 still carries the CORS headers a cross-origin page needs to read it (and its Retry-After).
    app.add_middleware(BodyGuard, options=options)
    limiter = make_limiter(settings)
    app.state.limiter = limiter
    app.add_middleware(RateLimit, limiter=limiter, trust_forwarded=options.trust_forwarded)
    app.add_middleware(CORSMiddleware, allow_origins=settings.cors_list, allow_methods=["GET", "POST", "OPTIONS"],
                       allow_headers=["Content-Type", "Accept", "Authorization", "X-API-Key"],
                       expose_headers=["Retry-After"], allow_credentials=False, max_age=600)
    app.add_middleware(metrics.MetricsMiddleware)
    app.add_middleware(SecurityHeaders)  # outermost: even a 413 or 429 carries nosniff


def _mount_static(app: FastAPI) -> None:
    if STATIC.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC), name="static")
        index = STATIC / "index.html"
        if index.exists():
            @app.get("/", include_in_schema=False)
            def home() -> FileResponse:
                return FileResponse(index)


def create_app(settings: Settings | None = None, options: ApiOptions | None = None, engine: Any = None) -> FastAPI:
    """``engine``: an already open Engine to serve (tests share one); the app then leaves closing it to the caller."""
    settings = settings or get_settings()
    options = options or ApiOptions.from_settings(settings)
    install_redaction()
    app = FastAPI(title="人社政策问答助手 API", version="0.2.0", lifespan=_lifespan(settings, engine),
                  description=DESCRIPTION, openapi_tags=TAGS, docs_url=None, redoc_url=None)
    install_docs(app, app.title)
    app.state.settings = settings
    app.state.options = options
    _install_guards(app, settings)
    errors.install(app)
    from api.routes import admin, chat, documents, health, openai_compat, targets
    from api.routes import metrics as metrics_route

    for module in (health, chat, documents, targets, openai_compat, admin, metrics_route):
        app.include_router(module.router)
    app.state.route_templates = [(r.path_regex, r.path) for m in (chat, documents, targets, openai_compat)
                                 for r in m.router.routes]
    _add_middleware(app, settings, options)
    _mount_static(app)
    return app
