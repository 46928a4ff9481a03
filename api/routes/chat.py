"""Chat and search."""
from __future__ import annotations

from fastapi import APIRouter, HTTPException

from api.deps import EngineDep, SettingsDep
from api.schemas import ChatRequest, ChatResponse, CitationOut, SearchRequest, SearchResponse, SearchResult
from assistant.types import Answer

router = APIRouter(prefix="/api", tags=["问答"])


def check_text(text: str, limit: int, field: str) -> str:
    stripped = text.strip()
    if not stripped:
        raise HTTPException(422, f"{field} 不能为空 / {field} must not be empty")
    if len(stripped) > limit:
        raise HTTPException(422, f"{field} 超过 {limit} 字 / {field} is longer than {limit} characters")
    if any(ord(c) < 32 and c not in "\n\t" for c in stripped):
        raise HTTPException(422, f"{field} 含有控制字符 / {field} contains control characters")
    return stripped


def chat_payload(answer: Answer, session_id: str) -> ChatResponse:
    return ChatResponse(
        answer=answer.text,
        citations=[CitationOut(id=c.chunk_id, n=c.n, document=c.document, section=c.section, text=c.text,
                               score=c.score, url=f"/api/documents/{c.doc_id}?chunk={c.chunk_id}")
                   for c in answer.citations],
        session_id=session_id,
        grounded=answer.grounded,
    )


@router.post("/chat", response_model=ChatResponse, summary="提问（一次返回完整答案）")
def chat(body: ChatRequest, engine: EngineDep, settings: SettingsDep) -> ChatResponse:
    question = check_text(body.question, settings.max_question_chars, "question")
    answer, session_id = engine.chat(question, body.session_id)
    return chat_payload(answer, session_id)


@router.post("/search", response_model=SearchResponse, summary="检索原文段落")
def search(body: SearchRequest, engine: EngineDep, settings: SettingsDep) -> SearchResponse:
    query = check_text(body.query, settings.max_question_chars, "query")
    hits = engine.search(query, k=body.k, filters=body.filters)
    return SearchResponse(results=[SearchResult(text=h.chunk.text, document=h.chunk.doc_title, section=h.chunk.section,
                                                score=h.score, chunk_id=h.chunk.id) for h in hits])
