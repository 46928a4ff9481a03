"""Load a question file and run it against a client, one fresh chat session per question."""
from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evals import metrics
from evals.clients import Client, Payload

SEARCH_K = 10


class QuestionFileError(ValueError):
    """The question file cannot be used; the message names the file and line."""

    def __init__(self, path: Path | str, line: int, reason: str) -> None:
        self.path, self.line, self.reason = str(path), line, reason
        super().__init__(f"{self.path}:{line}: {reason}" if line else f"{self.path}: {reason}")


@dataclass
class Question:
    id: str
    kind: str
    question: str
    history: list[str] = field(default_factory=list)
    must: list[list[str]] = field(default_factory=list)
    evidence: list[list[str]] = field(default_factory=list)
    refuse: bool = False
    section: str | None = None

    @property
    def retrieval(self) -> bool:
        """Scored for retrieval only when the question stands alone and says what is relevant."""
        return not self.history and bool(self.evidence)


def _groups(value: Any, name: str) -> list[list[str]]:
    if not isinstance(value, list):
        raise ValueError(f"'{name}' must be a list of groups (lists of strings), got {type(value).__name__}")
    out: list[list[str]] = []
    for i, g in enumerate(value):
        # A bare string is read as a group of one, so ["a", "b"] means both are required.
        g = [g] if isinstance(g, str) else g
        if not isinstance(g, list) or not g or not all(isinstance(s, str) and s.strip() for s in g):
            raise ValueError(f"'{name}'[{i}] must be a non-empty list of non-empty strings, got {g!r}")
        out.append(g)
    return out


def parse_question(obj: Any) -> Question:
    """One JSON object -> Question; unknown fields are ignored, bad ones raise ValueError."""
    if not isinstance(obj, dict):
        raise ValueError(f"expected a JSON object, got {type(obj).__name__}")
    for key in ("id", "kind", "question"):
        if key not in obj:
            raise ValueError(f"missing required field '{key}'")
    if not isinstance(obj["id"], (str, int)) or not str(obj["id"]).strip():
        raise ValueError("'id' must be a non-empty string")
    if not isinstance(obj["kind"], str) or not isinstance(obj["question"], str) or not obj["question"].strip():
        raise ValueError("'kind' must be a string and 'question' a non-empty string")
    history = obj.get("history") or []
    if not isinstance(history, list) or not all(isinstance(h, str) and h.strip() for h in history):
        raise ValueError("'history' must be a list of non-empty strings (earlier user turns)")
    refuse = obj.get("refuse", False)
    if not isinstance(refuse, bool):
        raise ValueError(f"'refuse' must be true or false, got {refuse!r}")
    section = obj.get("section")
    if section is not None and not isinstance(section, str):
        raise ValueError(f"'section' must be a string, got {section!r}")
    return Question(
        id=str(obj["id"]),
        kind=obj["kind"] or "(none)",
        question=obj["question"],
        history=list(history),
        must=_groups(obj.get("must") or [], "must"),
        evidence=_groups(obj.get("evidence") or [], "evidence"),
        refuse=refuse,
        section=section or None,
    )


def load_questions(path: Path | str) -> list[Question]:
    """Read a JSONL question file; blank lines are skipped, ids must be unique."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise QuestionFileError(path, 0, f"cannot read the file: {e}") from None
    questions: list[Question] = []
    seen: dict[str, int] = {}
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            q = parse_question(json.loads(line))
        except json.JSONDecodeError as e:
            raise QuestionFileError(path, n, f"not valid JSON ({e.msg} at column {e.colno})") from None
        except ValueError as e:
            raise QuestionFileError(path, n, str(e)) from None
        if q.id in seen:
            raise QuestionFileError(path, n, f"duplicate id {q.id!r} (first on line {seen[q.id]})")
        seen[q.id] = n
        questions.append(q)
    if not questions:
        raise QuestionFileError(path, 0, "no questions in the file")
    return questions


SPLITS = ("all", "dev", "blind")


def in_blind_fifth(question_id: str) -> bool:
    """The held-out fifth of a question file: ids whose sha1 is divisible by 5 (stable across edits)."""
    return int(hashlib.sha1(question_id.encode("utf-8")).hexdigest(), 16) % 5 == 0


def filter_split(questions: Sequence[Question], split: str) -> list[Question]:
    """``dev`` (tune on these), ``blind`` (report only) or ``all`` of a file's questions."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}, got {split!r}")
    if split == "all":
        return list(questions)
    return [q for q in questions if in_blind_fifth(q.id) == (split == "blind")]


def filter_kinds(questions: Sequence[Question], kinds: Sequence[str] | None) -> list[Question]:
    if not kinds:
        return list(questions)
    wanted = set(kinds)
    return [q for q in questions if q.kind in wanted]


def timed(fn: Callable[[], Payload]) -> tuple[Payload, float]:
    t0 = time.perf_counter()
    out = fn()
    return out, (time.perf_counter() - t0) * 1000.0


def run_question(client: Client, q: Question) -> metrics.Outcome:
    """History turns then the question in one new session; search separately when scored."""
    o = metrics.Outcome(id=q.id, kind=q.kind, question=q.question, refuse=q.refuse, retrieval=q.retrieval)
    try:
        sid: str | None = None
        for turn in q.history:
            sid = client.chat(turn, sid).get("session_id") or sid
        reply, o.latency_ms = timed(lambda: client.chat(q.question, sid))
        o.answer = str(reply.get("answer") or "")
        o.grounded = bool(reply.get("grounded"))
        o.missing = metrics.missing_groups(o.answer, q.must) if not q.refuse else []
        o.correct = metrics.answer_correct(q.refuse, o.grounded, o.answer, q.must)
        if not q.refuse and q.evidence:
            o.citation_ok = metrics.citation_correct(reply.get("citations") or [], q.evidence, q.section)
    except Exception as e:  # noqa: BLE001 - one broken question must not end the run
        o.error = f"{type(e).__name__}: {e}"
        o.citation_ok = False if (not q.refuse and q.evidence) else None
    if q.retrieval:
        try:
            o.rank, o.search_ms = search_rank(client.search, q)
        except Exception as e:  # noqa: BLE001
            o.error = (o.error + "; " if o.error else "") + f"search: {type(e).__name__}: {e}"
    return o


def search_rank(search: Callable[[str, int], Payload], q: Question) -> tuple[int | None, float]:
    """(rank of the first relevant result in the top 10, search latency in ms)."""
    res, ms = timed(lambda: search(q.question, SEARCH_K))
    texts = [str(r.get("text") or "") for r in res.get("results") or []]
    return metrics.first_relevant_rank(texts, q.evidence, SEARCH_K), ms


def run(client: Client, questions: Sequence[Question], progress: Callable[[int, int], None] | None = None) -> list[metrics.Outcome]:
    out: list[metrics.Outcome] = []
    for i, q in enumerate(questions, start=1):
        out.append(run_question(client, q))
        if progress:
            progress(i, len(questions))
    return out


def run_retrieval(search: Callable[[str, int], Payload], questions: Sequence[Question]) -> dict[str, Any]:
    """Retrieval metrics for any search function (used for the baselines)."""
    ranks: list[int | None] = []
    times: list[float] = []
    for q in questions:
        if q.retrieval:
            r, ms = search_rank(search, q)
            ranks.append(r)
            times.append(ms)
    return metrics.retrieval_summary(ranks, times)
