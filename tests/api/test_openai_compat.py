"""POST /v1/chat/completions and GET /v1/models: in process, and with the official openai client."""
from __future__ import annotations

import json

import pytest

from tests.api.conftest import QUESTION
from tests.api.sse import parse_sse


def _ask(client, messages, **extra):
    return client.post("/v1/chat/completions", json={"model": "gpt-4o", "messages": messages, **extra})


def test_completion_carries_answer_and_sources(client):
    r = _ask(client, [{"role": "system", "content": "你是助手"}, {"role": "user", "content": QUESTION}],
             temperature=0.2, max_tokens=500)
    assert r.status_code == 200
    body = r.json()
    assert body["object"] == "chat.completion" and body["model"] == "policy-assistant"
    msg = body["choices"][0]["message"]
    assert msg["role"] == "assistant" and body["choices"][0]["finish_reason"] == "stop"
    assert "10万人" in msg["content"]
    assert "\n\n来源：\n[1] 《景德镇市人力资源和社会保障事业发展“十三五”规划》" in msg["content"]


def test_earlier_user_messages_are_the_conversation(client):
    first = _ask(client, [{"role": "user", "content": QUESTION}]).json()["choices"][0]["message"]["content"]
    follow = [{"role": "user", "content": QUESTION}, {"role": "assistant", "content": first},
              {"role": "user", "content": "2015年呢？"}]
    content = _ask(client, follow).json()["choices"][0]["message"]["content"]
    assert "生育保险" in content and "8.3" in content


def test_follow_up_works_without_a_stored_conversation(client):
    # A history this server never saw (another replica, an expired session): earlier questions are replayed.
    follow = [{"role": "user", "content": [{"type": "text", "text": "生育保险参保人数目标是多少"}]},
              {"role": "assistant", "content": "（另一台服务器的回答）"},
              {"role": "user", "content": [{"type": "text", "text": "2015年呢？"}]}]
    content = _ask(client, follow, user="someone-else").json()["choices"][0]["message"]["content"]
    assert "生育保险" in content and "8.3" in content


def test_stream_chunks_end_with_done(client):
    with client.stream("POST", "/v1/chat/completions",
                       json={"model": "x", "stream": True, "messages": [{"role": "user", "content": QUESTION}]}) as r:
        assert r.status_code == 200
        events = parse_sse(r.iter_lines())
    assert events[-1][1] == "[DONE]"
    chunks = [json.loads(d) for _, d in events[:-1]]
    assert all(c["object"] == "chat.completion.chunk" and c["model"] == "policy-assistant" for c in chunks)
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert "10万人" in text and "来源：" in text


def test_models(client):
    body = client.get("/v1/models").json()
    assert body["object"] == "list" and [m["id"] for m in body["data"]] == ["policy-assistant"]


@pytest.mark.parametrize("payload", [
    {"messages": []},
    {"messages": [{"role": "system", "content": "只有系统消息"}]},
    {"messages": [{"role": "user", "content": ""}]},
    {"messages": "生育保险"},
    {"messages": [{"role": "user", "content": 5}]},
    {"model": "x"},
])
def test_bad_requests_use_openai_error_shape(client, payload):
    r = client.post("/v1/chat/completions", json=payload)
    assert r.status_code == 422
    body = r.json()
    assert isinstance(body["detail"], str) and body["error"]["message"] == body["detail"]


@pytest.mark.slow
def test_official_openai_client(server):
    from openai import OpenAI

    client = OpenAI(base_url=f"{server.base}/v1", api_key="x", max_retries=0, timeout=30)
    assert [m.id for m in client.models.list()] == ["policy-assistant"]
    done = client.chat.completions.create(model="policy-assistant", messages=[{"role": "user", "content": QUESTION}])
    text = done.choices[0].message.content
    assert done.model == "policy-assistant" and "10万人" in text and "来源：\n[1] 《" in text

    stream = client.chat.completions.create(model="policy-assistant", stream=True,
                                            messages=[{"role": "user", "content": QUESTION}])
    pieces = [c.choices[0].delta.content or "" for c in stream if c.choices]
    assert len(pieces) > 3 and "".join(pieces) == text

    follow = client.chat.completions.create(model="policy-assistant", messages=[
        {"role": "user", "content": QUESTION}, {"role": "assistant", "content": text},
        {"role": "user", "content": "2015年呢？"}])
    assert "8.3" in follow.choices[0].message.content


def test_a_repeated_request_does_not_pile_onto_the_stored_conversation(client, engine):
    from api.routes.openai_compat import session_key

    messages = [{"role": "user", "content": "城镇新增就业目标是多少？"}]
    for _ in range(3):
        assert _ask(client, messages).status_code == 200
    stored = engine.sessions.history(session_key(client.app.state.session_secret, None, ["城镇新增就业目标是多少？"]))
    assert [t.role for t in stored] == ["user", "assistant"]
