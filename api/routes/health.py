"""Liveness and readiness."""
from __future__ import annotations

import os
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(tags=["运维"])


@router.get("/healthz", summary="存活检查")
def healthz() -> dict[str, str]:
    """进程在运行即返回 ok。"""
    return {"status": "ok"}


@router.get("/readyz", summary="就绪检查：索引已加载，各依赖组件可用")
def readyz(request: Request) -> JSONResponse:
    """索引已加载且会话库、限流库、向量库、向量模型均可用时返回 ready；启动中或某组件不可用时返回 503，
    `components` 列出每个组件的状态。"""
    engine = getattr(request.app.state, "engine", None)
    if engine is None:
        return JSONResponse({"status": "loading"}, status_code=503)
    gen = engine.generation
    from api.metrics import search_channels

    components = {
        "index": {"ok": True, "generation": gen.path.name, "dir": engine.index_dir.name},
        "sessions": _store(engine.sessions),
        "rate_limit": _store(getattr(request.app.state, "limiter", None)),
        # wrong admin keys are counted in the rate limit's store even when the public limit is off
        "admin_guard": _store(getattr(request.app.state, "admin_failures", None)),
        "vectors": _vectors(getattr(gen.retriever, "vectors", None), bool(engine.settings.chroma_host)),
        "embedder": _embedder(getattr(gen.retriever, "embedder", None), engine.dense_pending),
    }
    ok = all(c["ok"] is not False for c in components.values())
    # pid: with several workers it shows which one answered (and that they all serve the same index).
    return JSONResponse({"status": "ready" if ok else "degraded", "index": gen.path.name,
                         "documents": len(gen.records.documents), "chunks": len(gen.records.chunks),
                         "pid": os.getpid(), "components": components,
                         # a first start serves the lexical channels while the dense vectors are built
                         "channels": search_channels(gen.retriever), "dense_pending": engine.dense_pending},
                        status_code=200 if ok else 503)


def _store(store: Any) -> dict[str, Any]:
    """Backend and health of the sessions or rate-limit store; ok None when it is turned off."""
    if store is None:
        return {"ok": None, "backend": "off"}
    check = getattr(store, "check", None)
    return {"ok": bool(check()) if check else None, "backend": getattr(store, "backend", type(store).__name__)}


def _vectors(vectors: Any, server: bool) -> dict[str, Any]:
    if vectors is None:
        return {"ok": None, "backend": "none"}
    client = vectors.client
    backend = "chroma-server" if server else "chroma-embedded"
    try:
        client.heartbeat()
        return {"ok": True, "backend": backend, "vectors": vectors.count()}
    except Exception as e:  # any failure of the vector store means: not ready
        return {"ok": False, "backend": backend, "error": type(e).__name__}


_PROBE = "就业补贴"  # embedded once: the query cache answers every later readiness check


def _embedder(embedder: Any, pending: bool) -> dict[str, Any]:
    """The query embedder of the dense channel, probed with one short query when it runs in this process."""
    if embedder is None:
        return {"ok": None, "backend": "pending" if pending else "none"}
    kind = getattr(embedder, "kind", "") or type(embedder).__name__
    out: dict[str, Any] = {"ok": True, "backend": kind, "name": str(embedder.name), "dim": int(embedder.dim)}
    if kind == "openai":
        out["ok"] = None  # a remote endpoint is not called on every readiness check
        return out
    try:
        vector = embedder.embed_query(_PROBE)
        out["ok"] = bool(getattr(vector, "shape", (0,))[-1] == out["dim"])
    except Exception as e:  # an embedder that cannot embed means: not ready
        out.update(ok=False, error=type(e).__name__)
    return out
