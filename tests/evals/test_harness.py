"""The harness end to end against a fake client, plus the question-file and floor checks."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from evals import harness
from evals.__main__ import main
from evals.clients import Client, HttpClient, Payload, answer_payload, hit_payload

Q1 = "2020年城镇登记失业率目标是多少？"
Q2 = "那养老保险呢？"
Q3 = "景德镇的房价是多少？"
HISTORY = "十三五期间就业目标有哪些？"
PASSAGE = "城镇登记失业率控制在4.5%以内"

QUESTIONS = [
    {"id": "q1", "kind": "数字", "question": Q1, "must": [["4.5%"]], "evidence": [["失业率", "4.5%"]],
     "section": "主要目标", "extra": "ignored"},
    {"id": "q2", "kind": "追问", "question": Q2, "history": [HISTORY], "must": [["50万"]],
     "evidence": [["养老保险"]]},
    {"id": "q3", "kind": "拒答", "question": Q3, "refuse": True},
]


class FakeClient(Client):
    """Canned replies: right for q1 and q3, wrong for q2 (misses "50万")."""

    ANSWERS: dict[str, tuple[str, bool, list[dict[str, Any]]]] = {
        Q1: ("目标是4.5%以内[1]", True, [{"id": "c1", "document": "规划", "section": "二、主要目标",
                                         "text": PASSAGE, "score": 1.0, "url": "/x"}]),
        HISTORY: ("新增就业2万人[1]", True, []),
        Q2: ("养老保险覆盖面扩大[1]", True, [{"id": "c2", "document": "规划", "section": "三",
                                           "text": "养老保险", "score": 1.0, "url": "/y"}]),
        Q3: ("文件中没有相关内容。", False, []),
    }

    def __init__(self) -> None:
        self.chats: list[tuple[str, str | None]] = []
        self.searches: list[tuple[str, int]] = []
        self.sessions = 0

    def chat(self, question: str, session_id: str | None) -> Payload:
        self.chats.append((question, session_id))
        if session_id is None:
            self.sessions += 1
            session_id = f"s{self.sessions}"
        text, grounded, cites = self.ANSWERS[question]
        return {"answer": text, "citations": cites, "session_id": session_id, "grounded": grounded}

    def search(self, query: str, k: int) -> Payload:
        self.searches.append((query, k))
        texts = ["无关", PASSAGE] if query == Q1 else ["无关"]
        return {"results": [{"text": t, "document": "d", "section": "", "score": 0.5, "chunk_id": str(i)}
                            for i, t in enumerate(texts)]}


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows) + "\n",
                    encoding="utf-8")
    return path


@pytest.fixture
def qfile(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "q.jsonl", QUESTIONS)


def test_run_scores_history_and_retrieval(qfile: Path) -> None:
    client = FakeClient()
    qs = harness.load_questions(qfile)
    assert qs[2].history == [] and qs[2].must == [] and qs[2].evidence == [] and qs[0].refuse is False
    out = harness.run(client, qs)
    assert [o.correct for o in out] == [True, False, True]
    # Each question gets a fresh session; the history turn's session carries into the question.
    assert client.chats == [(Q1, None), (HISTORY, None), (Q2, "s2"), (Q3, None)]
    # Only q1 stands alone with evidence, so only it is searched.
    assert client.searches == [(Q1, 10)]
    assert out[0].rank == 2 and out[0].citation_ok is True
    assert out[1].citation_ok is True and out[1].missing == [["50万"]] and not out[1].retrieval


def test_main_end_to_end_writes_report(qfile: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reports = tmp_path / "reports"
    code = main(["--questions", str(qfile), "--report-dir", str(reports)], client=FakeClient())
    assert code == 0
    printed = capsys.readouterr().out
    assert "overall" in printed and "66.7%" in printed and "拒答" in printed
    md = next(reports.glob("eval-*.md"))
    data = json.loads(md.with_suffix(".json").read_text(encoding="utf-8"))
    assert data["overall"]["answer_accuracy"] == pytest.approx(2 / 3)
    assert data["overall"]["answerable_accuracy"] == pytest.approx(1 / 2)
    assert data["overall"]["refusal_recall"] == 1.0
    assert data["overall"]["hit_at_5"] == 1.0 and data["overall"]["mrr_at_10"] == 0.5
    assert data["kinds"]["追问"]["answer_accuracy"] == 0.0
    assert md.with_suffix(".png").stat().st_size > 0
    text = md.read_text(encoding="utf-8")
    assert "## Failed questions (1 of 3)" in text and "q2" in text and "missing one of: 50万" in text


def test_kinds_filter(qfile: Path, capsys: pytest.CaptureFixture[str]) -> None:
    client = FakeClient()
    assert main(["--questions", str(qfile), "--smoke", "--kinds", "数字,拒答"], client=client) == 0
    assert [q for q, _ in client.chats] == [Q1, Q3]
    assert main(["--questions", str(qfile), "--smoke", "--kinds", "nope"], client=client) == 2


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": "x", "kind": "k", "question": "q"', "not valid JSON"),
        ('{"id": "x", "kind": "k"}', "missing required field 'question'"),
        ('{"id": "x", "kind": "k", "question": "q", "must": "4.5%"}', "'must' must be a list"),
        ('{"id": "x", "kind": "k", "question": "q", "evidence": [[]]}', "'evidence'[0]"),
        ('{"id": "x", "kind": "k", "question": "q", "refuse": "yes"}', "'refuse' must be true or false"),
        ('{"id": "q1", "kind": "k", "question": "q"}', "duplicate id 'q1' (first on line 1)"),
        ('["not", "an", "object"]', "expected a JSON object"),
    ],
)
def test_malformed_file_names_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, message: str) -> None:
    path = write_jsonl(tmp_path / "bad.jsonl", [QUESTIONS[0], "", line])
    assert main(["--questions", str(path), "--smoke"], client=FakeClient()) == 2
    err = capsys.readouterr().err
    assert f"question file error: {path}:3: " in err and message in err


def test_floor_failure_exit_code(qfile: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    floor = tmp_path / "floor.json"
    floor.write_text('{"answer_accuracy": 0.9, "hit_at_5": 0.5}', encoding="utf-8")
    assert main(["--questions", str(qfile), "--smoke", "--floor", str(floor)], client=FakeClient()) == 1
    err = capsys.readouterr().err
    assert "answer_accuracy = 0.6667 is below the floor 0.9" in err and "hit_at_5" not in err
    floor.write_text('{"answer_accuracy": 0.6}', encoding="utf-8")
    assert main(["--questions", str(qfile), "--smoke", "--floor", str(floor)], client=FakeClient()) == 0
    floor.write_text('{"accuracy": 0.6}', encoding="utf-8")
    assert main(["--questions", str(qfile), "--smoke", "--floor", str(floor)], client=FakeClient()) == 2
    assert "unknown metric 'accuracy'" in capsys.readouterr().err


def test_shipped_floor_file_is_valid() -> None:
    from evals.__main__ import DEFAULT_FLOOR, load_floor

    floor = load_floor(DEFAULT_FLOOR)
    assert set(floor) <= {"answer_accuracy", "hit_at_5", "answerable_accuracy", "citation_accuracy",
                          "refusal_recall", "mrr_at_10"}


def test_client_error_is_recorded_not_fatal(qfile: Path) -> None:
    class Flaky(FakeClient):
        def chat(self, question: str, session_id: str | None) -> Payload:
            if question == Q1:
                raise RuntimeError("HTTP 500")
            return super().chat(question, session_id)

    out = harness.run(Flaky(), harness.load_questions(qfile))
    assert out[0].error == "RuntimeError: HTTP 500" and not out[0].correct and out[0].citation_ok is False
    assert out[2].correct


def test_http_client_payloads_and_429_retry() -> None:
    seen: list[tuple[str, dict[str, Any]]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        seen.append((request.url.path, body))
        if request.url.path == "/api/chat" and len(seen) == 1:
            return httpx.Response(429, headers={"Retry-After": "0"})
        if request.url.path == "/api/chat":
            return httpx.Response(200, json={"answer": "a", "citations": [], "session_id": "s", "grounded": True})
        return httpx.Response(200, json={"results": []})

    c = HttpClient("http://testserver/", transport=httpx.MockTransport(handler))
    assert c.chat("问", None)["session_id"] == "s"
    assert c.search("问", 10) == {"results": []}
    assert seen == [("/api/chat", {"question": "问", "session_id": None})] * 2 + [("/api/search", {"query": "问", "k": 10})]


def test_engine_types_map_to_payloads() -> None:
    from core.types import Answer, Chunk, Citation, Hit

    chunk = Chunk(id="c1", doc_id="d1", doc_title="规划", section_path=["一、基础", "（一）就业"], text="文本", start=0, end=2)
    assert hit_payload(Hit(chunk=chunk, score=0.7)) == {
        "text": "文本", "document": "规划", "section": "一、基础 › （一）就业", "score": 0.7, "chunk_id": "c1"}
    cite = Citation(n=1, chunk_id="c1", doc_id="d1", document="规划", section="一、基础", text="文本", start=0, end=2, score=0.7)
    p = answer_payload(Answer(text="答[1]", citations=[cite], grounded=True), "s9")
    assert p == {"answer": "答[1]", "session_id": "s9", "grounded": True, "citations": [
        {"id": "c1", "document": "规划", "section": "一、基础", "text": "文本", "score": 0.7, "url": "/api/documents/d1?chunk=c1"}]}


class FakeEngine:
    """Stands in for ``assistant.engine.Engine`` to pin the calls the in-process client makes."""

    opened: list[Path | None] = []

    def __init__(self) -> None:
        from core.types import Answer, Chunk, Citation, Hit

        self.chunk = Chunk(id="c1", doc_id="d1", doc_title="规划", section_path=["二、主要目标"], text=PASSAGE,
                           start=0, end=len(PASSAGE))
        self.hit = Hit(chunk=self.chunk, score=1.0)
        self.cite = Citation(n=1, chunk_id="c1", doc_id="d1", document="规划", section="二、主要目标", text=PASSAGE,
                             start=0, end=len(PASSAGE))
        self.make_answer = lambda q: Answer(text="4.5%[1]" if q == Q1 else "没有", citations=[self.cite],
                                            grounded=q != Q3)

    @classmethod
    def open(cls, index_dir: Path | None = None, settings: Any = None) -> "FakeEngine":
        cls.opened.append(index_dir)
        return cls()

    def search(self, query: str, k: int = 10) -> list[Any]:
        return [self.hit]

    def chat(self, question: str, session_id: str | None = None) -> tuple[Any, str]:
        return self.make_answer(question), session_id or "new"


def test_distractor_run_builds_a_cached_index_in_process(qfile: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import types

    built: list[tuple[list[Path], Path]] = []

    def generate(n: int, out_dir: Path, seed: int = 0) -> list[Path]:
        out_dir.mkdir(parents=True, exist_ok=True)
        for i in range(n):
            (out_dir / f"d{i}.txt").write_text("x", encoding="utf-8")
        return [out_dir / f"d{i}.txt" for i in range(n)]

    def build_index(paths: list[Path], index_dir: Path, settings: object = None) -> Any:
        built.append((paths, index_dir))
        return types.SimpleNamespace(unchanged=len(built) > 1, documents=len(paths), chunks=1)

    for name, attrs in {"assistant.engine": {"Engine": FakeEngine}, "evals.distractors": {"generate": generate},
                        "index.pipeline": {"build_index": build_index}}.items():
        monkeypatch.setitem(sys.modules, name, types.SimpleNamespace(**attrs))
    monkeypatch.setenv("POLICY_EVAL_CACHE", str(tmp_path / "cache"))
    FakeEngine.opened = []
    for _ in range(2):  # the second run finds the index built (build_index reports it unchanged)
        assert main(["--questions", str(qfile), "--smoke", "--distractors", "2", "--kinds", "数字,拒答"]) == 0
    (paths, index_dir), again = built
    from core.settings import get_settings

    assert paths[0] == get_settings().corpus_dir and [p.name for p in paths[1:]] == ["d0.txt", "d1.txt"]
    assert index_dir == tmp_path / "cache" / "plan+2distractors" and again[1] == index_dir
    assert FakeEngine.opened == [index_dir, index_dir]


@pytest.mark.parametrize("argv, env, expected", [
    ([], None, "0"),  # scores never depend on how busy the machine is
    ([], "25", "25"),  # an explicit env var is kept
    (["--dense-budget-ms", "12.5"], "25", "12.5"),
])
def test_the_dense_budget_is_pinned_for_the_scored_service(qfile: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           argv: list[str], env: str | None, expected: str) -> None:
    from core.settings import load_settings

    if env is None:
        monkeypatch.delenv("POLICY_DENSE_BUDGET_MS", raising=False)
    else:
        monkeypatch.setenv("POLICY_DENSE_BUDGET_MS", env)
    reports = tmp_path / "reports"
    assert main(["--questions", str(qfile), "--report-dir", str(reports), *argv], client=FakeClient()) == 0
    assert load_settings().dense_budget_ms == float(expected)
    data = json.loads(next(reports.glob("eval-*.json")).read_text(encoding="utf-8"))
    assert data["meta"]["dense budget ms"] == expected


def test_the_dense_budget_cannot_change_a_running_server(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--base-url", "http://127.0.0.1:9", "--dense-budget-ms", "0"])
    assert "POLICY_DENSE_BUDGET_MS" in capsys.readouterr().err


def test_the_blind_fifth_is_fixed_by_the_id_and_dev_is_the_rest() -> None:
    qs = [harness.Question(id=f"q{i}", kind="数字", question=f"问题{i}") for i in range(50)]
    blind, dev = harness.filter_split(qs, "blind"), harness.filter_split(qs, "dev")
    assert {q.id for q in blind} == {"q9", "q10", "q12", "q14", "q24", "q27", "q28", "q31", "q43"}
    assert {q.id for q in blind} | {q.id for q in dev} == {q.id for q in qs} and len(blind) + len(dev) == 50
    assert harness.filter_split(qs, "all") == qs
    with pytest.raises(ValueError, match="split must be one of"):
        harness.filter_split(qs, "test")


def test_main_scores_one_split_and_labels_the_set(qfile: Path, tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    assert main(["--questions", str(qfile), "--split", "dev", "--report-dir", str(reports)], client=FakeClient()) == 0
    data = json.loads(next(reports.glob("eval-*.json")).read_text(encoding="utf-8"))
    dev_ids = {q["id"] for q in QUESTIONS if not harness.in_blind_fifth(q["id"])}
    assert {q["id"] for q in data["questions"]} == dev_ids
    assert data["meta"]["set"].endswith(" dev")
    # none of the three ids falls in the blind fifth: an empty selection is a usage error, not an empty report
    assert main(["--questions", str(qfile), "--split", "blind", "--report-dir", str(reports)], client=FakeClient()) == 2
