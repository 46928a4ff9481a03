"""The two ways the harness talks to the assistant: over HTTP, or in-process.

Both return the JSON payload shapes of ``/api/search`` and ``/api/chat`` so the harness
scores a deployed server and a local index with the same code.
"""
from __future__ import annotations

import time
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

Payload = dict[str, Any]


class Client(ABC):
    """What the harness needs from the assistant."""

    @abstractmethod
    def search(self, query: str, k: int) -> Payload:
        """``{"results": [{"text", "document", "section", "score", "chunk_id"}]}``"""

    @abstractmethod
    def chat(self, question: str, session_id: str | None) -> Payload:
        """``{"answer", "citations": [{"id", "document", "section", "text", "score", "url"}], "session_id", "grounded"}``"""

    def close(self) -> None:
        """Release connections or stores; default: nothing to release."""

    def describe(self) -> str:
        return type(self).__name__


class HttpClient(Client):
    """Talks to a running server (``uvicorn api.app:app``)."""

    def __init__(self, base_url: str, timeout: float = 120.0, max_retries: int = 5, transport: Any = None) -> None:
        import httpx

        self.base_url = base_url.rstrip("/")
        self.max_retries = max_retries
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout, transport=transport)

    def _post(self, path: str, body: Payload) -> Payload:
        # The server rate-limits per client; a long eval run must wait it out, not fail.
        for attempt in range(self.max_retries + 1):
            r = self._http.post(path, json=body)
            if r.status_code != 429 or attempt == self.max_retries:
                break
            time.sleep(_retry_after(r.headers.get("Retry-After"), attempt))
        if r.status_code >= 400:
            raise RuntimeError(f"POST {path} -> HTTP {r.status_code}: {r.text[:200]}")
        data: Payload = r.json()
        return data

    def search(self, query: str, k: int) -> Payload:
        return self._post("/api/search", {"query": query, "k": k})

    def chat(self, question: str, session_id: str | None) -> Payload:
        return self._post("/api/chat", {"question": question, "session_id": session_id})

    def close(self) -> None:
        self._http.close()

    def describe(self) -> str:
        return f"HTTP {self.base_url}"


def _retry_after(header: str | None, attempt: int) -> float:
    try:
        return min(max(float(header or ""), 0.0), 60.0)
    except ValueError:
        return min(2.0**attempt, 30.0)


class InProcessClient(Client):
    """Opens the index in this process; what ``--smoke`` and ``--distractors`` use."""

    def __init__(self, index_dir: Path | None = None, settings: Any = None) -> None:
        # Imported here so the harness (and its tests) load without the engine's heavy deps.
        from assistant.engine import Engine

        self.index_dir = index_dir
        self.engine = Engine.open(index_dir=index_dir, settings=settings)

    def search(self, query: str, k: int) -> Payload:
        hits = self.engine.search(query, k=k)
        return {"results": [hit_payload(h) for h in hits]}

    def chat(self, question: str, session_id: str | None) -> Payload:
        answer, sid = self.engine.chat(question, session_id=session_id)
        return answer_payload(answer, sid)

    def close(self) -> None:
        close = getattr(self.engine, "close", None)
        if callable(close):
            close()

    def describe(self) -> str:
        return f"in-process index {self.index_dir or '(default)'}"


def hit_payload(hit: Any) -> Payload:
    """``core.types.Hit`` -> one ``/api/search`` result."""
    c = hit.chunk
    return {"text": c.text, "document": c.doc_title, "section": c.section, "score": hit.score, "chunk_id": c.id}


def answer_payload(answer: Any, session_id: str) -> Payload:
    """``core.types.Answer`` -> the ``/api/chat`` body."""
    return {
        "answer": answer.text,
        "citations": [
            {
                "id": c.chunk_id,
                "document": c.document,
                "section": c.section,
                "text": c.text,
                "score": c.score,
                "url": f"/api/documents/{c.doc_id}?chunk={c.chunk_id}",
            }
            for c in answer.citations
        ],
        "session_id": session_id,
        "grounded": answer.grounded,
    }
