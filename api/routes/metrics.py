"""Prometheus scrape endpoint."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api import metrics

router = APIRouter(tags=["运维"])


@router.get("/metrics", summary="Prometheus 指标", response_class=Response,
            responses={200: {"content": {"text/plain": {}}}})
def scrape(request: Request) -> Response:
    """请求数（按路由、状态码）、耗时分布、答案数（按是否有依据、类型）、限流次数、当前索引版本。"""
    engine = getattr(request.app.state, "engine", None)
    if engine is not None:
        metrics.observe_generation(engine)  # picks up a generation another worker's re-ingest published
    body, content_type = metrics.render()
    return Response(body, media_type=content_type)
