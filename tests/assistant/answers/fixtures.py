"""Two tiny plans as records: the 十三五 plan's column names and a 十四五 plan's, for the answer components."""
from __future__ import annotations

from dataclasses import dataclass, field

from core.profile import load_profile
from core.types import Chunk, Document, DocumentMeta, Figure, Indicator, Section, Value
from ingest.tables import render_row

PROFILE = load_profile("jingdezhen")


def _v(raw: str, number: float | None = None, unit: str | None = "万人", cmp_: str | None = None) -> Value:
    return Value(raw=raw, number=number, comparator=cmp_, unit=unit if number is not None else None)


def _row(doc: str, table: str, row: int, name: str, values: dict[str, Value], attribute: str | None = None) -> Indicator:
    return Indicator(id=f"{doc}-{table}-{row}", doc_id=doc, table_id=table, caption="主要指标", group="",
                     row=row, name=name, unit="万人", values=values, attribute=attribute, section_path=[table],
                     start=0, end=0)


@dataclass
class FakeRecords:
    """The attributes of index.store.Records the answers read."""

    documents: dict[str, Document] = field(default_factory=dict)
    indicators: list[Indicator] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    chunks: list[Chunk] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)


def fourteenth_plan() -> FakeRecords:
    """A 十四五 plan: 2020年基数 / 2025年目标 / 属性, and a 十三五 review table."""
    d = "p14"
    rows = [
        _row(d, "表1", 1, "城镇新增就业人数", {"2020年基数": _v("3.1", 3.1), "2025年目标": _v("3.5", 3.5),
                                                 "属性": _v("预期性")}, "预期性"),
        _row(d, "表1", 2, "失业保险参保人数", {"2020年基数": _v("20", 20.0), "2025年目标": _v("24.5", 24.5),
                                                 "属性": _v("约束性")}, "约束性"),
        _row(d, "表0", 1, "城镇新增就业人数", {"十三五规划目标": _v("12", 12.0), "2020年完成数": _v("13.4", 13.4)}),
        _row(d, "表0", 2, "失业保险参保人数", {"十三五规划目标": _v("22", 22.0), "2020年完成数": _v("20", 20.0)}),
    ]
    chunks = [Chunk(id=f"c-{r.id}", doc_id=d, doc_title="某市十四五就业规划", section_path=[r.table_id],
                    text=render_row(r), start=0, end=0, kind="table_row", ref=r.id) for r in rows]
    meta = DocumentMeta(title="某市十四五就业规划", period="2021-2025", region="某市")
    doc = Document(id=d, source="p14.txt", raw_text="", text="", offsets=[], meta=meta)
    return FakeRecords(documents={d: doc}, indicators=rows, chunks=chunks)


def query(text: str, history_state: dict | None = None):  # type: ignore[no-untyped-def]
    """A Query as the router builds it, for a question with no thesaurus."""
    from assistant.answers.base import Query
    from assistant.intent import read_intent
    from retriever.query import Thesaurus, analyze

    plan = analyze(text, Thesaurus.parse([]))
    return Query(question=text, resolved=text, plan=plan, current=plan.text,
                 intent=read_intent(plan.normalized, plan.periods, plan.years), prev=history_state or {})


def table_answer(lib, text: str) -> str:  # type: ignore[no-untyped-def]
    """What the table components answer for a question about the 十四五 fixture."""
    from assistant.answers.config import AnswerConfig
    from assistant.answers.lookup import look_up
    from assistant.answers.schema import wanted_columns
    from assistant.answers.values import TableValues
    from core.types import Hit

    q = query(text)
    hits = [Hit(chunk=c, score=1.0) for c in lib.records.chunks]
    found = look_up(q, hits, lib, "p14", AnswerConfig())
    cols = wanted_columns(q.question, q.intent, lib.schema("p14"))
    return TableValues(lib, AnswerConfig()).run(q, found, cols).text
