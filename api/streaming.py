"""SSE responses that end with a last word when the server shuts down mid-answer.

On SIGTERM uvicorn stops, and sse-starlette would cancel a running stream: the client saw the
connection drop with neither ``done`` nor ``error`` and could not tell a finished answer from a
broken one. Here the stream watches the shutdown event sse-starlette sets and, instead of the
next piece, sends the farewell events (an ``error``) and ends, well within uvicorn's graceful
shutdown timeout.
"""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anyio
from sse_starlette import EventSourceResponse
from starlette.concurrency import iterate_in_threadpool

SHUTDOWN_MESSAGE = "服务正在重启，请稍后重新提问 / the service is restarting; please ask again shortly"
_GRACE_SECONDS = 2.0  # below uvicorn's timeout_graceful_shutdown (5 s in api/__main__.py)


async def _until_shutdown(events: Iterator[Any], shutdown: anyio.Event,
                          farewell: list[Any]) -> AsyncIterator[Any]:
    pieces = iterate_in_threadpool(events).__aiter__()
    stop = asyncio.ensure_future(shutdown.wait())
    try:
        while True:
            nxt = asyncio.ensure_future(pieces.__anext__())
            await asyncio.wait({nxt, stop}, return_when=asyncio.FIRST_COMPLETED)
            if not nxt.done():
                nxt.cancel()  # the worker thread finishes its step on its own; its result is dropped
                for event in farewell:
                    yield event
                return
            try:
                yield nxt.result()
            except StopAsyncIteration:
                return
    finally:
        stop.cancel()


def sse(events: Iterator[Any], farewell: list[Any]) -> EventSourceResponse:
    """An SSE response for ``events`` that sends ``farewell`` instead when the server stops."""
    shutdown = anyio.Event()
    return EventSourceResponse(_until_shutdown(events, shutdown, farewell), sep="\n", ping=15,
                               headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
                               shutdown_event=shutdown, shutdown_grace_period=_GRACE_SECONDS)
