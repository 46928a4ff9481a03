"""The assistant as one object: index records, retriever, answerer and sessions.

The service, the evals and the CLI all go through ``Engine``. It serves one index
generation and switches to a newer one when ingest publishes it, without dropping
requests: a request holds on to the generation it started with.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from core.settings import Settings, get_settings
from core.types import Answer, Hit
from assistant.answers.config import answer_config
from assistant.router import Answerer
from index import store
from retriever.build import dense_info
from retriever.scope import document_meta
from retriever.search import open_retriever
from retriever.tokenize import noun_lexicon

log = logging.getLogger("policy.engine")


@dataclass
class Generation:
    """Everything loaded from one index generation; immutable once built."""

    path: Path
    records: store.Records
    retriever: Any
    answerer: Any
    # Built lexical-only on a first start; the full generation is being built in the background.
    dense_pending: bool = False

    @classmethod
    def load(cls, path: Path, settings: Settings) -> "Generation":
        records = store.Records(path)
        doc_meta = {d.id: document_meta(d) for d in records.documents.values()}
        retriever = open_retriever(path, records.chunks, doc_meta, settings)
        config = answer_config(settings.answer_config)
        pending = bool(dense_info(path).get("pending"))
        gen = cls(path, records, retriever, Answerer(records, retriever, settings.deployment, config), pending)
        warm_up(gen)
        return gen


WARM_UP_QUESTIONS = 3


def warm_up(gen: Generation, n: int = WARM_UP_QUESTIONS) -> None:
    """Answer a few questions made of the library's own titles before the generation serves anyone.

    A fresh one loads the vector index, faults in the model's pages and fills lazy caches on its first
    answers: a new server's first chat took 141 ms and its first 15 57 ms on average, against 42 after.
    """
    titles = [d.meta.title for _, d in sorted(gen.records.documents.items()) if d.meta.title][:n]
    if len(gen.records.documents) >= gen.answerer.cfg.unheld_min_documents:
        noun_lexicon()  # read once per process (~0.7 s), here rather than in the first doubtful citizen's answer
    try:
        for title in titles:
            gen.answerer.answer(f"{title[:24]}有哪些规定？", [])
    except Exception:  # a warm-up must never keep an index from being served
        log.warning("warming up %s failed", gen.path.name, exc_info=True)
    if hasattr(gen.retriever, "dense_late"):
        gen.retriever.dense_late = 0  # /metrics counts citizens' searches, not these
    forget = getattr(gen.records.chunks, "forget", None)
    if forget is not None:
        forget()  # a worker holds decoded only the chunks it has shown


class Engine:
    def __init__(self, settings: Settings, generation: Generation, sessions: Any, llm: Any = None):
        self.settings = settings
        self.index_dir = Path(settings.index_dir)
        self._gen = generation
        self.sessions = sessions
        self.llm = llm
        self._lock = threading.Lock()
        self._checked = time.monotonic()

    @classmethod
    def open(cls, index_dir: Path | None = None, settings: Settings | None = None) -> "Engine":
        settings = settings or get_settings()
        if index_dir is not None:
            settings = settings.model_copy(update={"index_dir": Path(index_dir)})
        gen = Generation.load(store.require_generation(Path(settings.index_dir)), settings)
        from assistant.session_store import open_sessions

        sessions = open_sessions(settings)
        llm = None
        if settings.llm_enabled:
            from assistant.llm import LlmAnswerer, make_chat_model
            from assistant.prompts import load_prompts

            llm = LlmAnswerer(make_chat_model(settings), load_prompts(variables=settings.deployment.prompt_vars()),
                              hotline=settings.deployment.hotline)
        return cls(settings, gen, sessions, llm)

    # -- index generations ----------------------------------------------------------------

    @property
    def generation(self) -> Generation:
        self.refresh()
        return self._gen

    def refresh(self, force: bool = False) -> bool:
        """Switch to a newer published generation, at most once a second unless forced."""
        now = time.monotonic()
        if not force and now - self._checked < 1.0:
            return False
        self._checked = now
        current = store.current_generation(self.index_dir)
        if current is None or current == self._gen.path:
            return False
        with self._lock:
            if current == self._gen.path:
                return False
            log.info("switching index generation %s -> %s", self._gen.path.name, current.name)
            self._gen = Generation.load(current, self.settings)
        return True

    @property
    def dense_pending(self) -> bool:
        return self.generation.dense_pending

    # -- the two operations -----------------------------------------------------------------

    def search(self, query: str, k: int = 10, filters: dict[str, Any] | None = None) -> list[Hit]:
        return self.generation.retriever.search(query, k=k, filters=filters)

    def chat(self, question: str, session_id: str | None = None, *, adopt: bool = False) -> tuple[Answer, str]:
        """``adopt``: use ``session_id`` even if unknown (a key the server derived itself, see session_keys)."""
        gen = self.generation
        session_id, history = self._session(session_id, adopt)
        answer = gen.answerer.answer(question, history)
        if self.llm is not None and answer.grounded:
            answer = self.llm.answer(question, answer, [t.text for t in history if t.role == "user"])
        self._remember(session_id, question, answer)
        return answer, session_id

    def chat_stream(self, question: str, session_id: str | None = None, *,
                    adopt: bool = False) -> Iterator[tuple[str, Any]]:
        """("session", id), then ("delta", text) pieces, then ("final", Answer)."""
        gen = self.generation
        session_id, history = self._session(session_id, adopt)
        yield "session", session_id
        answer = gen.answerer.answer(question, history)
        if self.llm is not None and answer.grounded:
            final = answer
            for event, value in self.llm.stream(question, answer, [t.text for t in history if t.role == "user"]):
                if event == "final":
                    final = value
                else:
                    yield event, value
            answer = final
        else:
            for piece in _pieces(answer.text):
                yield "delta", piece
        self._remember(session_id, question, answer)
        yield "final", answer

    def _session(self, session_id: str | None, adopt: bool = False) -> tuple[str, list[Any]]:
        # Only ids the server issued: an unknown (invented or expired) id gets a fresh one, so a
        # caller can never choose the id a conversation is stored under.
        from assistant.session_keys import issue_id

        if session_id and self.sessions.valid_id(session_id):
            history = self.sessions.history(session_id)
            if history or adopt:
                return session_id, history
        return issue_id(self.sessions), []

    def _remember(self, session_id: str, question: str, answer: Answer) -> None:
        from assistant.sessions import Turn

        now = time.time()
        self.sessions.append(session_id, Turn("user", question, now, {}))
        self.sessions.append(session_id, Turn("assistant", answer.text, now, answer.meta.get("followup", {})))
        if not answer.grounded and answer.kind not in ("chitchat", "clarify"):
            self.sessions.log_unanswered(question)

    def close(self) -> None:
        self.sessions.close()


def _pieces(text: str, size: int = 12) -> Iterator[str]:
    """Split an extractive answer into small deltas so the page can show it progressively."""
    for i in range(0, len(text), size):
        yield text[i:i + size]
