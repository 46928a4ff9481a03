"""Optional LLM mode: rewrite the extractive draft with a chat model, behind the figure guard.

The LLM may only make an answer read better, never less safe: it is not called when
retrieval found nothing, its text is dropped for the extractive draft whenever a figure or a
citation marker fails the guard, and any model failure also falls back to the draft.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol

from assistant.contact_guard import check_contacts
from assistant.guard import GuardResult, check_figures, sentence_spans, settled_end
from assistant.prompts import Prompts, format_history, format_sources
from core.types import Answer

if TYPE_CHECKING:
    from core.settings import Settings

Messages = list[tuple[str, str]]
Event = tuple[str, Any]  # ("delta", str) | ("reset", None) | ("final", Answer)


class ChatModel(Protocol):
    """The slice of a LangChain chat model this module uses, so a fake can stand in."""

    def invoke(self, messages: Any, /) -> Any: ...

    def stream(self, messages: Any, /) -> Iterator[Any]: ...


def make_chat_model(settings: Settings) -> ChatModel:
    """A ChatOpenAI for any OpenAI-compatible server named by the settings."""
    if not settings.llm_enabled:
        from core.settings import ConfigError

        raise ConfigError("LLM mode needs both LLM_BASE_URL and LLM_MODEL to be set")
    # Imported here so the default (extractive) product path never loads the OpenAI stack.
    from langchain_openai import ChatOpenAI

    model: ChatModel = ChatOpenAI(
        model=settings.llm_model,
        base_url=settings.llm_base_url,
        # Local servers (vLLM, Ollama) ignore the key, but the client refuses to start without one.
        api_key=settings.llm_api_key or "not-needed",
        timeout=settings.llm_timeout,
        # One retry rides out a blip; more would keep a hotline caller waiting for a fallback.
        max_retries=1,
        temperature=0,
    )
    return model


class LlmAnswerer:
    def __init__(self, model: ChatModel, prompts: Prompts, logger: logging.Logger | None = None,
                 hotline: str | None = None) -> None:
        self.model = model
        self.prompts = prompts
        self.log = logger or logging.getLogger(__name__)
        # Numbers the answer may always give: the deployment's hotline (the prompt tells the model to).
        self.allowed = frozenset({hotline} if hotline else set())

    def check(self, text: str, draft: Answer) -> GuardResult:
        """Figures first (the worse error), then URLs, phone numbers and contact instructions."""
        result = check_figures(text, draft.citations, self.allowed)
        if not result.ok:
            return result
        contacts = check_contacts(text, draft.citations, self.allowed)
        if not contacts.ok:
            self.log.warning("llm_contact_guard_fallback items=%d", len(contacts.unsupported),
                             extra={"event": "llm_contact_guard_fallback"})
        return contacts

    def build_messages(self, question: str, draft: Answer, history: Sequence[str] | None = None) -> Messages:
        user = self.prompts.render_user(
            question=question.strip(),
            sources=format_sources(draft.citations),
            history=format_history(history),
            draft=draft.text.strip(),
        )
        return [("system", self.prompts.system), ("human", user)]

    def answer(self, question: str, draft: Answer, history: Sequence[str] | None = None) -> Answer:
        if not draft.grounded:
            return draft
        if _injected(draft):
            return self._skip_injected(draft)
        try:
            text = _text(self.model.invoke(self.build_messages(question, draft, history))).strip()
        except Exception as e:  # noqa: BLE001 - any model failure must degrade to the draft
            return self._error_fallback(draft, _describe(e))
        if not text:
            return self._error_fallback(draft, "empty response")
        result = self.check(text, draft)
        if not result.ok:
            return self._guard_fallback(draft, result.unsupported)
        return self._accept(draft, text)

    def stream(self, question: str, draft: Answer, history: Sequence[str] | None = None) -> Iterator[Event]:
        """Yield ("delta", text) pieces, then ("final", Answer).

        Text is released a whole sentence at a time, and only after that sentence passed the
        guard, so a caller never shows an unchecked figure. On a failure mid-answer it yields
        ("reset", None): discard what was shown; the draft's text follows as deltas.
        """
        if not draft.grounded or _injected(draft):
            yield from _replay(draft if not draft.grounded else self._skip_injected(draft))
            return
        buffer, released = "", 0
        failed: Answer | None = None
        chunks: Iterator[Any] | None = None
        try:
            chunks = iter(self.model.stream(self.build_messages(question, draft, history)))
            for chunk in chunks:
                buffer += _text(chunk)
                end = settled_end(buffer)
                if end <= released:
                    continue
                result = self.check(buffer[released:end], draft)
                if not result.ok:
                    failed = self._guard_fallback(draft, result.unsupported)
                    break
                yield ("delta", buffer[released:end])
                released = end
            else:
                result = self.check(buffer[released:], draft)
                if not buffer.strip():
                    failed = self._error_fallback(draft, "empty response")
                elif not result.ok:
                    failed = self._guard_fallback(draft, result.unsupported)
        except Exception as e:  # noqa: BLE001 - same contract as answer(): degrade, don't raise
            failed = self._error_fallback(draft, _describe(e))
        finally:
            # Stop consuming: closing the generator drops the HTTP stream instead of reading it out.
            close = getattr(chunks, "close", None)
            if close is not None:
                try:
                    close()
                except Exception:  # noqa: BLE001 - a failed close must not turn a fallback into an error
                    self.log.debug("llm stream close failed", exc_info=True)
        if failed is not None:
            yield ("reset", None)
            yield from _replay(failed)
            return
        if released < len(buffer):
            yield ("delta", buffer[released:])
        yield ("final", self._accept(draft, buffer))

    # -- outcomes ---------------------------------------------------------------------------

    def _accept(self, draft: Answer, text: str) -> Answer:
        # Citations stay the draft's: the [n] in the text were checked against exactly these.
        return replace(draft, text=text, grounded=True, meta={**draft.meta, "mode": "llm"})

    def _guard_fallback(self, draft: Answer, unsupported: list[str]) -> Answer:
        # Numbers only, never the question: logs must not collect what callers said.
        self.log.warning(
            "llm_figure_guard_fallback unsupported=%s",
            unsupported,
            extra={"event": "llm_figure_guard_fallback", "unsupported": unsupported},
        )
        meta = {**draft.meta, "mode": "extractive", "guard": "fallback", "guard_unsupported": unsupported}
        return replace(draft, meta=meta)

    def _skip_injected(self, draft: Answer) -> Answer:
        # A cited passage talks to the model: it is never sent one. The extractive answer quotes it as text.
        self.log.warning("llm_skipped_injected_source", extra={"event": "llm_skipped_injected_source"})
        return replace(draft, meta={**draft.meta, "mode": "extractive", "guard": "injected_source"})

    def _error_fallback(self, draft: Answer, message: str) -> Answer:
        self.log.warning("llm_error error=%s", message, extra={"event": "llm_error", "error": message})
        return replace(draft, meta={**draft.meta, "mode": "extractive", "llm_error": message})


def _injected(draft: Answer) -> bool:
    from assistant.contact_guard import is_injection

    return any(is_injection(c.text) for c in draft.citations)


def _replay(answer: Answer) -> Iterator[Event]:
    # Sentence-sized deltas so a fallback still reads as streaming text in the UI.
    for start, end in sentence_spans(answer.text):
        yield ("delta", answer.text[start:end])
    yield ("final", answer)


def _text(message: Any) -> str:
    if isinstance(message, str):
        return message
    # LangChain 1.x: .text is a str property (a callable str subclass; calling it is deprecated).
    text = getattr(message, "text", None)
    if isinstance(text, str):
        return str(text)
    if callable(text):
        text = text()
        if isinstance(text, str):
            return text
    content = getattr(message, "content", "")
    return content if isinstance(content, str) else ""


def _describe(error: Exception) -> str:
    """A short, log-safe reason: no response bodies, which may echo the prompt."""
    status = getattr(error, "status_code", None)
    if isinstance(status, int):
        return f"HTTP {status}"
    names = [cls.__name__ for cls in type(error).__mro__]
    if any("Timeout" in n for n in names):
        return "timeout"
    if any("Connection" in n for n in names):
        return "connection error"
    return type(error).__name__
