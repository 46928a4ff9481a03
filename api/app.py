"""The FastAPI application factory."""
from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from assistant.config import Settings, get_settings

STATIC = Path(__file__).resolve().parent / "static"
log = logging.getLogger("policy.api")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from assistant.engine import Engine
        from ingest.pipeline import ensure_index

        ensure_index(settings)
        app.state.engine = Engine.open(settings=settings)
        yield
        app.state.engine.close()

    app = FastAPI(title="人社政策问答助手 API", version="0.1.0", lifespan=lifespan,
                  description="根据已收录的政策文件回答问题，并给出出处。")
    app.state.settings = settings
    from api.routes import chat, health

    app.include_router(health.router)
    app.include_router(chat.router)
    if STATIC.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC), name="static")
        index = STATIC / "index.html"
        if index.exists():
            from fastapi.responses import FileResponse

            @app.get("/", include_in_schema=False)
            def home() -> FileResponse:
                return FileResponse(index)
    return app
