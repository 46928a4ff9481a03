"""Liveness and readiness."""
from __future__ import annotations

import os

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(tags=["运维"])


@router.get("/healthz", summary="存活检查")
def healthz() -> dict[str, str]:
    """进程在运行即返回 ok。"""
    return {"status": "ok"}


@router.get("/readyz", summary="就绪检查：索引已加载")
def readyz(request: Request) -> JSONResponse:
    """索引已加载时返回 ready 及当前索引版本（generation）；启动中返回 503。"""
    engine = getattr(request.app.state, "engine", None)
    if engine is None:
        return JSONResponse({"status": "loading"}, status_code=503)
    gen = engine.generation
    # pid: with several workers it shows which one answered (and that they all serve the same index).
    return JSONResponse({"status": "ready", "index": gen.path.name, "documents": len(gen.records.documents),
                         "chunks": len(gen.records.chunks), "pid": os.getpid()})
