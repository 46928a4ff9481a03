"""Request and response models of the public API."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"question": "我想开个网店，有补贴吗？", "session_id": None}]})

    question: str = Field(..., description="用户的问题（1–500字）")
    session_id: str | None = Field(None, description="多轮对话的会话ID；首次提问留空")


class CitationOut(BaseModel):
    id: str
    n: int
    document: str
    section: str
    text: str
    score: float
    url: str


class ChatResponse(BaseModel):
    answer: str
    citations: list[CitationOut]
    session_id: str
    grounded: bool


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"query": "生育保险参保人数", "k": 5}]})

    query: str
    k: int = Field(10, ge=1, le=50)
    filters: dict[str, Any] | None = Field(None, description="document / region / period")


class SearchResult(BaseModel):
    text: str
    document: str
    section: str
    score: float
    chunk_id: str


class SearchResponse(BaseModel):
    results: list[SearchResult]
