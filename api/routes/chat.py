"""Chat (whole answer or streamed), passage search and suggested questions."""
from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, HTTPException
from sse_starlette import EventSourceResponse

from api import metrics
from api.deps import EngineDep, SettingsDep
from api.schemas import (ChatRequest, ChatResponse, CitationOut, SearchRequest, SearchResponse, SearchResult,
                         SuggestionsResponse)
from core.types import Answer

router = APIRouter(prefix="/api", tags=["问答"])
log = logging.getLogger("policy.api")

# Offered on the welcome screen; only those the current index answers from its documents are shown.
SUGGESTIONS = (
    "生育保险参保人数2020年目标是多少？",
    "“十三五”期间城镇新增就业目标是多少？",
    "我想开个网店，有补贴吗？",
    "规划提出了哪些人才工程？",
    "城乡居民基本养老保险参保人数目标是多少？",
    "社会保障卡发卡目标是多少？",
)
_suggested: dict[str, list[str]] = {}
_suggest_lock = threading.Lock()


def check_text(text: str, limit: int, field: str) -> str:
    stripped = text.strip()
    if not stripped:
        raise HTTPException(422, f"{field} 不能为空 / {field} must not be empty")
    if len(stripped) > limit:
        raise HTTPException(422, f"{field} 超过 {limit} 字 / {field} is longer than {limit} characters")
    if any((ord(c) < 32 and c not in "\n\r\t") or 0x7F <= ord(c) <= 0x9F for c in stripped):
        raise HTTPException(422, f"{field} 含有控制字符 / {field} contains control characters")
    if any(0xD800 <= ord(c) <= 0xDFFF for c in stripped):
        # A lone surrogate (JSON "\ud800") cannot be encoded as UTF-8 for the session store or the logs.
        raise HTTPException(422, f"{field} 含有无效字符 / {field} contains invalid unicode")
    return stripped


def check_session(session_id: str | None) -> str | None:
    from assistant.session_keys import is_derived

    if is_derived(session_id):
        # Keys of /v1 conversations: never handed to a client, so one arriving here is a probe.
        raise HTTPException(422, "session_id 无效，请留空以开始新对话 / invalid session_id; omit it to start a new "
                                 "conversation")
    return session_id


def citation_url(doc_id: str, chunk_id: str) -> str:
    return f"/api/documents/{doc_id}?chunk={chunk_id}"


def chat_payload(answer: Answer, session_id: str) -> ChatResponse:
    return ChatResponse(
        answer=answer.text,
        citations=[CitationOut(id=c.chunk_id, n=c.n, document=c.document, section=c.section, text=c.text,
                               score=c.score, url=citation_url(c.doc_id, c.chunk_id))
                   for c in answer.citations],
        session_id=session_id,
        grounded=answer.grounded,
    )


@router.post("/chat", response_model=ChatResponse, summary="提问（一次返回完整答案）")
def chat(body: ChatRequest, engine: EngineDep, settings: SettingsDep) -> ChatResponse:
    """根据已收录的政策文件回答问题。答案中的 [n] 对应 citations 中编号为 n 的原文出处；
    未找到依据时 grounded 为 false，并建议咨询 12333。多轮对话时传回 session_id。"""
    question = check_text(body.question, settings.max_question_chars, "question")
    answer, session_id = engine.chat(question, check_session(body.session_id))
    metrics.count_answer(answer.grounded, answer.kind)
    return chat_payload(answer, session_id)


def _sse(event: str, data: Any) -> dict[str, str]:
    return {"event": event, "data": json.dumps(data, ensure_ascii=False)}


def stream_events(engine: Any, question: str, session_id: str | None) -> Iterator[dict[str, str]]:
    """delta… then done; reset when an LLM draft is withdrawn; error instead of a broken connection."""
    sid = session_id or ""
    try:
        for kind, value in engine.chat_stream(question, session_id):
            if kind == "session":
                sid = value
            elif kind == "delta":
                yield _sse("delta", {"text": value})
            elif kind == "reset":
                # The widget ignores unknown events and replaces its text with done.answer anyway,
                # so older pages stay correct; newer clients can clear the bubble at once.
                yield _sse("reset", {})
            elif kind == "final":
                metrics.count_answer(value.grounded, value.kind)
                yield _sse("done", chat_payload(value, sid).model_dump())
    except Exception:
        # Headers are already sent, so a status code is impossible; the client gets an error event.
        log.exception("chat stream failed")
        yield _sse("error", {"message": "回答生成失败，请稍后再试，或拨打12333咨询。"})


_STREAM_DOC = {200: {"description": "text/event-stream：若干 `delta` 事件 {\"text\"}，最后一个 `done` 事件"
                                    "（内容同 /api/chat 的返回）；出错时为 `error` 事件 {\"message\"}；"
                                    "大模型草稿被撤回时先发 `reset` 事件。",
                     "content": {"text/event-stream": {"example": (
                         "event: delta\ndata: {\"text\": \"生育保险参保\"}\n\n"
                         "event: done\ndata: {\"answer\": \"…\", \"citations\": [], \"session_id\": \"…\", "
                         "\"grounded\": true}\n\n")}}}}


@router.post("/chat/stream", summary="提问（流式返回，Server-Sent Events）", responses=_STREAM_DOC,
             response_class=EventSourceResponse)
def chat_stream(body: ChatRequest, engine: EngineDep, settings: SettingsDep) -> EventSourceResponse:
    """与 /api/chat 相同的答案，以 SSE 逐段推送，适合边生成边显示。"""
    question = check_text(body.question, settings.max_question_chars, "question")
    from api.streaming import SHUTDOWN_MESSAGE, sse

    return sse(stream_events(engine, question, check_session(body.session_id)),
               [_sse("error", {"message": SHUTDOWN_MESSAGE})])


@router.post("/search", response_model=SearchResponse, summary="检索原文段落")
def search(body: SearchRequest, engine: EngineDep, settings: SettingsDep) -> SearchResponse:
    """按相关度返回政策文件中的原文段落（不生成答案），可按文件、地区、规划期过滤。"""
    query = check_text(body.query, settings.max_question_chars, "query")
    filters = body.filters.model_dump(exclude_none=True) if body.filters else None
    hits = engine.search(query, k=body.k, filters=filters or None)
    return SearchResponse(results=[SearchResult(text=h.chunk.text, document=h.chunk.doc_title, section=h.chunk.section,
                                                score=h.score, chunk_id=h.chunk.id) for h in hits])


@router.get("/suggestions", response_model=SuggestionsResponse, summary="示例问题")
def suggestions(engine: EngineDep) -> SuggestionsResponse:
    """欢迎界面上可直接点击的示例问题；只列出当前已收录文件能回答的问题。"""
    gen = engine.generation
    key = str(gen.path)
    if key not in _suggested:
        with _suggest_lock:
            if key not in _suggested:
                # The answerer directly, not engine.chat: trying a suggestion must not create sessions
                # or count as an unanswered question.
                _suggested[key] = [q for q in SUGGESTIONS if gen.answerer.answer(q, []).grounded]
    return SuggestionsResponse(suggestions=_suggested[key])
