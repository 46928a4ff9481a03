"""A tiny OpenAI-compatible chat server for tests, run by uvicorn on 127.0.0.1.

Tests drive the real client stack (LangChain ChatOpenAI -> openai -> httpx -> HTTP) against
it, so request shapes, SSE parsing, timeouts and HTTP errors are exercised for real.

    with StubServer(replies=["答案[1]。"]) as stub:
        model = ChatOpenAI(base_url=stub.base_url, api_key="x", model="stub")
        ...
        assert stub.requests[0]["messages"][0]["role"] == "system"

or take ``openai_stub`` as a fixture (tests/conftest.py registers this module as a plugin) and set
``openai_stub.replies`` etc. in the test.
"""
from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

# A reply is the whole text, or the list of pieces to stream (joined when not streaming).
Reply = str | list[str]
ReplyFn = Callable[[list[dict[str, Any]]], Reply]


class StubServer:
    """OpenAI ``POST /v1/chat/completions`` with scripted replies.

    ``replies``: a sequence used in order (the last one repeats), or a callable that gets the
    request's ``messages`` and returns the reply. ``fail_status``: answer every request with
    that HTTP status. ``hang``: never answer (until ``hang_seconds`` or shutdown).
    ``hang_after_chunks``: stream that many pieces, then stall. All are plain attributes a
    test may change between requests.
    """

    def __init__(
        self,
        replies: Sequence[Reply] | ReplyFn = ("好的[1]。",),
        *,
        fail_status: int | None = None,
        hang: bool = False,
        hang_after_chunks: int | None = None,
        hang_seconds: float = 30.0,
        chunk_chars: int = 3,
        model: str = "stub-model",
    ) -> None:
        self.replies: Sequence[Reply] | ReplyFn = replies
        self.fail_status = fail_status
        self.hang = hang
        self.hang_after_chunks = hang_after_chunks
        self.hang_seconds = hang_seconds
        self.chunk_chars = chunk_chars  # a str reply is streamed in pieces this long
        self.model = model
        self.requests: list[dict[str, Any]] = []  # JSON bodies, in arrival order
        self._served = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None
        self.port = 0

    # -- lifecycle ------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> StubServer:
        # Binding port 0 ourselves and handing uvicorn the socket avoids a find-then-bind race.
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        config = uvicorn.Config(
            self._app(),
            log_level="warning",
            access_log=False,
            lifespan="off",
            loop="asyncio",
            http="h11",
            timeout_graceful_shutdown=2,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("openai stub server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._stopping.set()  # releases hanging handlers so shutdown need not wait for them
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._sock is not None:
            self._sock.close()

    def __enter__(self) -> StubServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what tests look at ---------------------------------------------------------------

    @property
    def last_messages(self) -> list[dict[str, Any]]:
        return list(self.requests[-1]["messages"]) if self.requests else []

    # -- the app --------------------------------------------------------------------------

    def _next_reply(self, messages: list[dict[str, Any]]) -> list[str]:
        with self._lock:
            if callable(self.replies):
                reply = self.replies(messages)
            else:
                reply = self.replies[min(self._served, len(self.replies) - 1)]
            self._served += 1
        if isinstance(reply, str):
            n = max(self.chunk_chars, 1)
            return [reply[i : i + n] for i in range(0, len(reply), n)] or [""]
        return list(reply)

    async def _stall(self) -> None:
        deadline = time.monotonic() + self.hang_seconds
        while not self._stopping.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(0.02)

    def _app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/v1/chat/completions")
        async def chat(request: Request) -> Response:
            body = await request.json()
            with self._lock:
                self.requests.append(body)
            if self.fail_status is not None:
                return JSONResponse(
                    {"error": {"message": "stub failure", "type": "server_error", "code": None}},
                    status_code=self.fail_status,
                )
            if self.hang:
                await self._stall()
                return JSONResponse({"error": {"message": "stub hung"}}, status_code=504)
            pieces = self._next_reply(body.get("messages", []))
            model = body.get("model", self.model)
            if body.get("stream"):
                usage = bool((body.get("stream_options") or {}).get("include_usage"))
                return StreamingResponse(self._sse(pieces, model, usage), media_type="text/event-stream")
            return JSONResponse(_completion("".join(pieces), model))

        return app

    async def _sse(self, pieces: list[str], model: str, usage: bool) -> AsyncIterator[str]:
        yield _event(_chunk(model, {"role": "assistant", "content": ""}))
        for i, piece in enumerate(pieces):
            if self.hang_after_chunks is not None and i >= self.hang_after_chunks:
                await self._stall()
                return
            yield _event(_chunk(model, {"content": piece}))
            await asyncio.sleep(0)  # let each piece go out as its own network write
        yield _event(_chunk(model, {}, finish_reason="stop"))
        if usage:
            yield _event({**_chunk(model, {}), "choices": [], "usage": _USAGE})
        yield "data: [DONE]\n\n"


_USAGE = {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20}


def _completion(text: str, model: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": _USAGE,
    }


def _chunk(model: str, delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }


def _event(data: dict[str, Any]) -> str:
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"


@pytest.fixture
def openai_stub() -> Iterator[StubServer]:
    """A running StubServer; configure it in the test, it is stopped afterwards."""
    with StubServer() as stub:
        yield stub
