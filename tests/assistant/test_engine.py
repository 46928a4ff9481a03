"""The Engine end to end: LLM mode against a real OpenAI-compatible stub, streaming, index switching."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from core.settings import load_settings
from assistant.engine import Engine
from index.pipeline import build_index
from tests.conftest import PLAN_PATH


@pytest.fixture(scope="module")
def plan_index(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("engine_index")
    settings = load_settings(index_dir=root / "index", data_dir=root / "data")
    build_index([PLAN_PATH], settings.index_dir, settings)
    return root / "index"


def _engine(index: Path, tmp_path: Path, **overrides: object) -> Engine:
    settings = load_settings(index_dir=index, data_dir=tmp_path / "data", **overrides)
    return Engine.open(settings=settings)


def test_llm_mode_rewrites_a_grounded_answer(plan_index: Path, tmp_path: Path, openai_stub) -> None:
    openai_stub.replies = ["生育保险参保人数2020年目标为10万人，属约束性指标[1]。"]
    engine = _engine(plan_index, tmp_path, llm_base_url=openai_stub.base_url, llm_model="stub-model", llm_timeout=5)
    answer, _ = engine.chat("生育保险参保人数2020年目标是多少？")
    assert answer.meta.get("mode") == "llm"
    assert answer.text.startswith("生育保险参保人数2020年目标为10万人")
    sent = openai_stub.requests[-1]["messages"]
    assert sent[0]["role"] == "system" and "12333" in sent[0]["content"]
    assert "[1]" in sent[-1]["content"] and "生育保险参保人数" in sent[-1]["content"]
    engine.close()


def test_llm_invented_number_falls_back_to_the_extractive_answer(plan_index: Path, tmp_path: Path,
                                                                 openai_stub) -> None:
    openai_stub.replies = ["生育保险参保人数2020年目标为12万人[1]。"]
    engine = _engine(plan_index, tmp_path, llm_base_url=openai_stub.base_url, llm_model="stub-model", llm_timeout=5)
    answer, _ = engine.chat("生育保险参保人数2020年目标是多少？")
    assert answer.meta.get("guard") == "fallback"
    assert "12万人" not in answer.text and "10万人" in answer.text
    engine.close()


def test_llm_is_not_asked_when_nothing_was_found(plan_index: Path, tmp_path: Path, openai_stub) -> None:
    engine = _engine(plan_index, tmp_path, llm_base_url=openai_stub.base_url, llm_model="stub-model", llm_timeout=5)
    answer, _ = engine.chat("个人所得税起征点是多少？")
    assert not answer.grounded
    assert openai_stub.requests == []
    engine.close()


def test_stream_yields_session_deltas_and_final(plan_index: Path, tmp_path: Path) -> None:
    engine = _engine(plan_index, tmp_path)
    events = list(engine.chat_stream("哪些指标是约束性的？"))
    assert events[0][0] == "session"
    final = events[-1]
    assert final[0] == "final"
    deltas = "".join(v for e, v in events if e == "delta")
    assert deltas == final[1].text
    # The session remembers the turn, so a follow-up resolves against it.
    follow, _ = engine.chat("这个指标是约束性的吗？", events[0][1])
    assert follow.text
    engine.close()


def test_engine_switches_to_a_newly_published_generation(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(PLAN_PATH, corpus / "plan.txt")
    settings = load_settings(index_dir=tmp_path / "index", data_dir=tmp_path / "data")
    build_index([corpus], settings.index_dir, settings)
    engine = Engine.open(settings=settings)
    first = engine.generation.path
    before, _ = engine.chat("生育保险参保人数2020年目标是多少？")
    assert "10万人" in before.text
    text = PLAN_PATH.read_text(encoding="utf-8").replace("9. 生育保险参保人数(万人)\t8.3\t10\t约束性",
                                                         "9. 生育保险参保人数(万人)\t8.3\t11\t约束性")
    (corpus / "plan.txt").write_text(text, encoding="utf-8")
    build_index([corpus], settings.index_dir, settings)
    assert engine.refresh(force=True)
    assert engine.generation.path != first
    after, _ = engine.chat("生育保险参保人数2020年目标是多少？")
    assert "11万人" in after.text
    engine.close()


def test_a_generation_answers_questions_on_its_own_titles_before_it_serves(plan_index: Path, tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.router import Answerer

    asked: list[str] = []
    real = Answerer.answer
    monkeypatch.setattr(Answerer, "answer", lambda self, q, history=None: asked.append(q) or real(self, q, history))
    engine = _engine(plan_index, tmp_path)
    titles = [d.meta.title for _, d in sorted(engine.generation.records.documents.items())]
    assert asked == [f"{t[:24]}有哪些规定？" for t in titles][:3] and asked
    assert engine.sessions.unanswered() == []  # a warm-up is no citizen's question


def test_a_failing_warm_up_still_serves(plan_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.router import Answerer

    calls = {"n": 0}
    real = Answerer.answer

    def flaky(self, q, history=None):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("cold start")
        return real(self, q, history)

    monkeypatch.setattr(Answerer, "answer", flaky)
    engine = _engine(plan_index, tmp_path)
    answer, _ = engine.chat("社会保障卡要发行多少张？")
    assert calls["n"] == 2 and answer.grounded and "150万张" in answer.text
