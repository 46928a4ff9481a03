"""Small data types passed between pipeline stages.

Everything here is a plain dataclass that round-trips through JSON (``to_dict`` /
``from_dict``), so the index on disk is readable and stages stay decoupled from
LangChain and Chroma objects, which are converted at the edges.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Any, TypeVar

T = TypeVar("T")
CONTEXT_CHARS = 60  # at most this much of a title or section is indexed with each chunk


def content_id(*parts: object, length: int = 16) -> str:
    """Stable id from content, so re-ingesting the same text yields the same ids."""
    h = hashlib.sha256()
    for p in parts:
        h.update(str(p).encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()[:length]


def _build(cls: type[T], data: dict[str, Any]) -> T:
    # Unknown keys are dropped so an index written by a newer version still loads.
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    return cls(**{k: v for k, v in data.items() if k in names})


class _Record:
    def to_dict(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload]

    @classmethod
    def from_dict(cls: type[T], data: dict[str, Any]) -> T:
        return _build(cls, data)


@dataclass
class DocumentMeta(_Record):
    """What the manifest (or the text itself) says about a document."""

    title: str = ""
    issuers: list[str] = field(default_factory=list)
    doc_number: str = ""  # 文号, e.g. 景人社发〔2018〕10号
    issue_date: str = ""  # ISO date, e.g. 2018-01-19
    period: str = ""  # e.g. 2016-2020
    region: str = ""  # e.g. 景德镇市
    status: str = ""  # e.g. 现行有效
    valid_until: str = ""  # ISO date, the last day of its 有效期 when the text states one
    url: str = ""
    basis: list[str] = field(default_factory=list)  # 编制依据, documents it is based on
    print_date: str = ""  # 印发日期
    printer: str = ""  # 印发单位 (the office that printed it)
    addressees: str = ""  # 主送 (e.g. 各县（市、区）人力资源和社会保障局)
    publisher: str = ""  # 信息来源 / 来源 of a web page (may differ from the issuer)
    publish_date: str = ""  # 发布时间 of a web page, ISO date
    index_no: str = ""  # 索引号 on government disclosure pages
    site: str = ""  # the website a page was saved from (its owner hints at the region)


@dataclass
class Document(_Record):
    id: str  # hash of the raw text
    source: str  # file name relative to the corpus root
    raw_text: str
    text: str  # cleaned text
    offsets: list[int]  # offsets[i] = index in raw_text of text[i]
    meta: DocumentMeta = field(default_factory=DocumentMeta)

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of the cleaned text to the raw text."""
        if not self.offsets:
            return (0, 0)
        s = self.offsets[min(start, len(self.offsets) - 1)]
        e = self.offsets[min(max(end - 1, 0), len(self.offsets) - 1)] + 1
        return (s, max(e, s))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Document":
        data = dict(data)
        data["meta"] = DocumentMeta.from_dict(data.get("meta") or {})
        return _build(cls, data)


@dataclass
class Section(_Record):
    id: str
    doc_id: str
    level: int  # 1 = top level
    number: str  # the numbering as written: "三、", "3.", "（一）", "第二章"
    title: str  # heading text without the numbering
    path: list[str]  # headings from the top, each "number title"
    start: int  # offsets into the cleaned text; end is exclusive
    end: int
    kind: str = "heading"  # heading | box | preamble

    @property
    def label(self) -> str:
        return self.path[-1] if self.path else self.title


@dataclass
class Value(_Record):
    """One cell of an indicator table, kept as written and as a number."""

    raw: str
    number: float | None = None
    comparator: str | None = None  # "<", ">", "≤", "≥", "约" or None
    unit: str | None = None


@dataclass
class Indicator(_Record):
    id: str
    doc_id: str
    table_id: str  # "专栏1"
    caption: str  # "“十二五”时期主要发展指标完成情况"
    group: str  # "二、社会保障" or "" when the table has no groups
    row: int  # the row's own number
    name: str  # "生育保险参保人数"
    unit: str | None  # "万人"
    values: dict[str, Value]  # column name -> value, e.g. "2020年目标"
    attribute: str | None  # 属性: 约束性 / 预期性
    section_path: list[str]
    start: int  # offsets into the cleaned text of the row line
    end: int
    row_text: str = ""
    # column name -> role inferred from its header (base, target, plan_target, actual, attribute, unit, item)
    roles: dict[str, str] = field(default_factory=dict)
    years: dict[str, int] = field(default_factory=dict)  # column name -> the year its header names

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Indicator":
        data = dict(data)
        data["values"] = {k: Value.from_dict(v) for k, v in (data.get("values") or {}).items()}
        return _build(cls, data)


@dataclass
class Figure(_Record):
    """A number stated in running text: "发放创业担保贷款 21 亿元"."""

    id: str
    doc_id: str
    subject: str  # text before the number in its clause, e.g. "发放创业担保贷款"
    clause: str  # the whole clause the number sits in
    value: float
    raw: str  # the number as written, with comparator and unit
    unit: str
    year: int | None
    sentence: str
    section_path: list[str]
    start: int
    end: int
    comparator: str | None = None


def section_label(path: Sequence[str]) -> str:
    """A section path as one line: 第三章 › 一、…"""
    return " › ".join(path)


@dataclass
class Chunk(_Record):
    id: str
    doc_id: str
    doc_title: str
    section_path: list[str]
    text: str
    start: int  # offsets into the cleaned text
    end: int
    kind: str = "text"  # text | table_row | table_overview | box_item | meta
    ref: str = ""  # id of the Indicator / box item a chunk renders, if any
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def section(self) -> str:
        return section_label(self.section_path)

    def indexed_text(self) -> str:
        """What the lexical and dense channels see: the passage with its context.

        Title and section are capped so that a long title or deep path can never outweigh the passage.
        """
        section = self.section[-2 * CONTEXT_CHARS:]  # the nearest headings matter most
        return f"{self.doc_title[:CONTEXT_CHARS]}\n{section}\n{self.text}"


@dataclass
class QA(_Record):
    """One question and its answer, from an FAQ page or a Q&A spreadsheet."""

    id: str
    doc_id: str
    question: str
    answer: str
    category: str = ""
    source: str = ""  # 来源 / 依据 given with the answer
    section_path: list[str] = field(default_factory=list)
    start: int = 0  # offsets into the cleaned text of the question..answer span
    end: int = 0


@dataclass
class Hit(_Record):
    chunk: Chunk
    score: float
    channels: dict[str, float] = field(default_factory=dict)  # channel -> raw score or rank
    # The passage's document: its date (ISO, "" when unknown) and whether it is past its 有效期 / plan
    # period or marked 失效, so an answer can lead with the newer document and flag an expired one.
    issue_date: str = ""
    expired: bool = False
    # Whether the document is in the question's region scope (the deployment's, or the places it names):
    # an out-of-scope look-alike may be newer, but must not lead an answer about this scope.
    in_scope: bool = True

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Hit":
        return cls(chunk=Chunk.from_dict(data["chunk"]), score=data["score"], channels=data.get("channels", {}),
                   issue_date=data.get("issue_date", ""), expired=bool(data.get("expired", False)),
                   in_scope=bool(data.get("in_scope", True)))


@dataclass
class Citation(_Record):
    n: int  # the [n] used in the answer text
    chunk_id: str
    doc_id: str
    document: str  # document title
    section: str  # section path joined with " › "
    text: str  # the cited passage (or sentence)
    start: int  # offsets into the cleaned document text
    end: int
    score: float = 0.0


@dataclass
class Answer(_Record):
    text: str
    citations: list[Citation]
    grounded: bool
    kind: str = "policy"  # figure | list | document | policy | refusal | chitchat
    question: str = ""
    resolved_question: str = ""  # after follow-up resolution
    hits: list[Hit] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class ParsedDocument(_Record):
    """Everything ingest extracts from one file."""

    document: Document
    sections: list[Section]
    indicators: list[Indicator]
    figures: list[Figure]
    chunks: list[Chunk]
    qas: list[QA] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ParsedDocument":
        return cls(
            qas=[QA.from_dict(q) for q in data.get("qas") or []],
            document=Document.from_dict(data["document"]),
            sections=[Section.from_dict(s) for s in data["sections"]],
            indicators=[Indicator.from_dict(i) for i in data["indicators"]],
            figures=[Figure.from_dict(f) for f in data["figures"]],
            chunks=[Chunk.from_dict(c) for c in data["chunks"]],
        )
