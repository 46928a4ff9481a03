"""OpenAI-compatible chat completions, so existing chat UIs and the openai client can use the assistant.

The last user message is the question. Earlier user messages are the conversation: the turns of a
conversation are kept in the session store under an id derived from its user messages, so a
follow-up ("那2015年呢？") resolves against the previous answer without any session id in the protocol.
Sources are appended to the reply text because generic clients drop any field they don't know.
"""
from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from api import metrics
from api.deps import EngineDep, SettingsDep
from api.routes.chat import check_text
from core.types import Answer

router = APIRouter(prefix="/v1", tags=["OpenAI 兼容接口"])
log = logging.getLogger("policy.api")
MODEL = "policy-assistant"
_REPLAY = 4  # earlier questions re-answered when a conversation's turns are not in the store


class Message(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: str = Field(..., max_length=32, description="system / user / assistant …")
    content: str | list[dict[str, Any]] | None = Field(None, description="文字，或 [{\"type\":\"text\",\"text\":…}]")


class CompletionRequest(BaseModel):
    # Open: clients send temperature, max_tokens, tools… which an extractive assistant simply ignores.
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [
        {"model": MODEL, "messages": [{"role": "user", "content": "生育保险参保人数2020年目标是多少？"}]},
        {"model": MODEL, "stream": True, "messages": [
            {"role": "user", "content": "生育保险参保人数2020年目标是多少？"},
            {"role": "assistant", "content": "生育保险参保人数2020年目标为10万人……"},
            {"role": "user", "content": "2015年呢？"}]},
    ]})

    model: str = Field(MODEL, max_length=200)
    messages: list[Message] = Field(..., min_length=1, max_length=200)
    stream: bool = Field(False, strict=True)
    user: str | None = Field(None, max_length=200)


def _text(message: Message) -> str:
    if isinstance(message.content, str):
        return message.content
    parts = [p.get("text") for p in message.content or [] if isinstance(p, dict) and p.get("type") == "text"]
    return "\n".join(p for p in parts if isinstance(p, str))


def session_key(secret: bytes, user: str | None, questions: list[str]) -> str:
    from assistant.session_keys import derived_key

    return derived_key(secret, "v1", user or "", questions)


def conversation(engine: Any, secret: bytes, user: str | None, asked: list[str], question: str) -> str:
    """A session id holding this conversation's earlier turns, for engine.chat to answer in.

    Each prefix of user messages has its own stored session, written once: the first request to reach
    it answers there. A retry, or someone else's identical conversation, gets a fresh copy instead, so a
    stored session never piles up repeats of its own last question.
    """
    from assistant.session_keys import issue_id

    sessions = engine.sessions
    target = session_key(secret, user, asked + [question])
    sid = target if not sessions.history(target) else issue_id(sessions)
    if asked:
        turns = sessions.history(session_key(secret, user, asked)) or _replay(engine, asked[-_REPLAY:])
        for turn in turns:
            sessions.append(sid, turn)
    return sid


def _replay(engine: Any, asked: list[str]) -> list[Any]:
    """Re-answer earlier questions we have no record of, for the follow-up context they leave behind."""
    from assistant.sessions import Turn

    answerer = engine.generation.answerer
    turns: list[Any] = []
    for q in asked:
        answer = answerer.answer(q, turns)
        now = time.time()
        turns += [Turn("user", q, now, {}), Turn("assistant", answer.text, now, answer.meta.get("followup", {}))]
    return turns


def sources_text(answer: Answer) -> str:
    lines, seen = [], set()
    for c in sorted(answer.citations, key=lambda c: c.n):
        if c.n in seen:
            continue
        seen.add(c.n)
        lines.append(f"[{c.n}] 《{c.document}》 {c.section}".rstrip())
    return "\n\n来源：\n" + "\n".join(lines) if lines else ""


def _question(body: CompletionRequest, limit: int) -> tuple[str, list[str]]:
    users = [i for i, m in enumerate(body.messages) if m.role == "user"]
    if not users:
        raise HTTPException(422, "messages 中没有用户提问 / messages contain no user message")
    question = check_text(_text(body.messages[users[-1]]), limit, "question")
    # Earlier questions are answered again and stored, so they get the question's checks too.
    asked = [check_text(t, limit, f"messages[{i}].content") for i, t in
             ((i, _text(body.messages[i])) for i in users[:-1]) if t.strip()]
    for i, m in enumerate(body.messages):
        if any(0xD800 <= ord(c) <= 0xDFFF for c in _text(m)):
            raise HTTPException(422, f"messages[{i}].content 含有无效字符 / messages[{i}].content contains invalid unicode")
    if body.user is not None and any(0xD800 <= ord(c) <= 0xDFFF for c in body.user):
        raise HTTPException(422, "user 含有无效字符 / user contains invalid unicode")
    return question, asked


def _chunk(cid: str, created: int, delta: dict[str, Any], finish: str | None = None) -> dict[str, str]:
    return {"data": json.dumps({"id": cid, "object": "chat.completion.chunk", "created": created, "model": MODEL,
                                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]},
                               ensure_ascii=False)}


def _stream(engine: Any, question: str, sid: str) -> Iterator[dict[str, str]]:
    cid, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
    yield _chunk(cid, created, {"role": "assistant", "content": ""})
    try:
        for kind, value in engine.chat_stream(question, sid, adopt=True):
            if kind == "delta":
                yield _chunk(cid, created, {"content": value})
            elif kind == "reset":
                # Text already sent cannot be taken back over this protocol; say so before the checked answer.
                yield _chunk(cid, created, {"content": "\n\n（以上内容未通过原文核对，以下为依据原文的回答）\n\n"})
            elif kind == "final":
                metrics.count_answer(value.grounded, value.kind)
                tail = sources_text(value)
                if tail:
                    yield _chunk(cid, created, {"content": tail})
        yield _chunk(cid, created, {}, "stop")
    except Exception:
        log.exception("openai-compatible stream failed")
        yield {"data": json.dumps({"error": {"message": "回答生成失败，请稍后再试 / generation failed",
                                             "type": "server_error"}}, ensure_ascii=False)}
    yield {"data": "[DONE]"}


@router.post("/chat/completions", summary="OpenAI 兼容的对话接口",
             responses={200: {"description": "stream=false 时为 chat.completion JSON；stream=true 时为 SSE 数据块，"
                                             "以 `data: [DONE]` 结束",
                              "content": {"text/event-stream": {}}}})
def chat_completions(body: CompletionRequest, engine: EngineDep, settings: SettingsDep, request: Request) -> Any:
    """可作为模型接入现有聊天界面或 openai 客户端（base_url=…/v1）。取最后一条用户消息为问题，
    之前的用户消息为对话上下文；回复正文末尾附“来源：[n] 《文件》 章节”。model 固定为 policy-assistant。"""
    question, asked = _question(body, settings.max_question_chars)
    sid = conversation(engine, request.app.state.session_secret, body.user, asked, question)
    if body.stream:
        from api.streaming import SHUTDOWN_MESSAGE, sse

        farewell = {"error": {"message": SHUTDOWN_MESSAGE, "type": "server_error"}}
        return sse(_stream(engine, question, sid), [{"data": json.dumps(farewell, ensure_ascii=False)},
                                                    {"data": "[DONE]"}])
    answer, _ = engine.chat(question, sid, adopt=True)
    metrics.count_answer(answer.grounded, answer.kind)
    content = answer.text + sources_text(answer)
    prompt_chars = sum(len(_text(m)) for m in body.messages)
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex}", "object": "chat.completion", "created": int(time.time()), "model": MODEL,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        # Characters, not tokens: there is no tokenizer; clients only display these.
        "usage": {"prompt_tokens": prompt_chars, "completion_tokens": len(content),
                  "total_tokens": prompt_chars + len(content)},
    }


@router.get("/models", summary="可用模型列表（OpenAI 兼容）")
def models() -> dict[str, Any]:
    """只有一个模型：policy-assistant。"""
    return {"object": "list", "data": [{"id": MODEL, "object": "model", "created": 0, "owned_by": "12333"}]}
