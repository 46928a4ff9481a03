"""Request and response models of the public API.

Request models are strict and closed: "5" is not a number, unknown fields are refused, so a
client bug shows up as a clear 422 rather than a silently different question.
"""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

SESSION_ID_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"
FilterValue = str | list[str]


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={"examples": [
        {"question": "生育保险参保人数2020年目标是多少？", "session_id": None},
        {"question": "我想开个网店，有补贴吗？", "session_id": "k3Jx9QeR2mVb7TcL0pWz5A"},
    ]})

    question: str = Field(..., description="用户的问题（1–500字，不含控制字符）")
    session_id: str | None = Field(None, pattern=SESSION_ID_PATTERN,
                                   description="多轮对话的会话ID（8–64位字母、数字、-、_）；首次提问留空，之后传回上次返回的值")


class CitationOut(BaseModel):
    id: str = Field(description="被引用段落的ID（chunk id）")
    n: int = Field(description="答案中的引用编号 [n]")
    document: str = Field(description="文件标题")
    section: str = Field(description="章节路径，以 › 分隔")
    text: str = Field(description="被引用的原文")
    score: float = Field(description="检索得分")
    url: str = Field(description="查看原文的地址：/api/documents/{文件ID}?chunk={段落ID}")


class ChatResponse(BaseModel):
    answer: str = Field(description="答案正文，[n] 标注出处")
    citations: list[CitationOut]
    session_id: str = Field(description="会话ID，下次提问时传回以继续对话")
    grounded: bool = Field(description="答案是否有政策文件依据；false 表示未找到依据（已建议咨询12333）")


class SearchFilters(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    document: FilterValue | None = Field(None, description="文件ID、标题或文件名")
    region: FilterValue | None = Field(None, description="地区，如 景德镇市")
    period: FilterValue | None = Field(None, description="规划期，如 2016-2020")


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={"examples": [
        {"query": "生育保险参保人数", "k": 5},
        {"query": "创业担保贷款", "k": 3, "filters": {"region": "景德镇市"}},
    ]})

    query: str = Field(..., description="检索词（1–500字）")
    k: int = Field(10, ge=1, le=50, description="返回段落数（1–50）")
    filters: SearchFilters | None = Field(None, description="按文件、地区、规划期过滤")


class SearchResult(BaseModel):
    text: str
    document: str
    section: str
    score: float
    chunk_id: str


class SearchResponse(BaseModel):
    results: list[SearchResult]


class SuggestionsResponse(BaseModel):
    suggestions: list[str] = Field(description="可直接点击提问的示例问题")


class DocumentSummary(BaseModel):
    id: str
    title: str
    source: str = Field(description="来源：文件网址（若清单中登记）或文件名")
    file: str = Field(description="语料目录中的文件名")
    meta: dict[str, str] = Field(description="发布机关 issuer、文号 doc_number、发布日期 publish_date、规划期 period 等")


class DocumentList(BaseModel):
    documents: list[DocumentSummary]


class SectionOut(BaseModel):
    id: str
    path: list[str]
    level: int
    start: int
    end: int


class Passage(BaseModel):
    start: int
    end: int
    text: str


class Context(BaseModel):
    before: str
    after: str


class DocumentOut(DocumentSummary):
    text: str = Field(description="清洗后的全文；sections 与 passage 的 start/end 均为该文本中的字符位置")
    sections: list[SectionOut]
    section: str | None = Field(None, description="所给段落所在章节（仅当提供 chunk 时）")
    passage: Passage | None = Field(None, description="所给段落（仅当提供 chunk 时）")
    context: Context | None = Field(None, description="段落前后的原文（仅当提供 chunk 时）")


class TargetOut(BaseModel):
    id: str
    table: str = Field(description="表格编号，如 专栏2")
    caption: str = Field(description="表格标题")
    group: str = Field(description="分组，如 二、社会保障")
    row: int = Field(description="表内序号")
    name: str = Field(description="指标名称")
    unit: str | None
    values: dict[str, str] = Field(description="各列数值，保持原文写法，如 {\"2015年基数\": \"8.3\", \"2020年目标\": \"10\"}")
    attribute: str | None = Field(description="约束性 / 预期性")
    document: str
    document_id: str
    section: str


class TargetsResponse(BaseModel):
    count: int
    columns: list[str] = Field(description="出现过的所有数值列名（按首次出现顺序）")
    targets: list[TargetOut]


class UnansweredItem(BaseModel):
    question: str
    count: int
    last_seen: str


class UnansweredResponse(BaseModel):
    questions: list[UnansweredItem]


class JobOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    job: str
    status: str = Field(description="running / done / failed")
    started: str
    finished: str | None = None
    summary: str | None = None
    generation: str | None = None
    report: dict[str, Any] | None = None
    error: str | None = None


class UploadOut(BaseModel):
    file: str = Field(description="保存到语料目录中的文件名（已清理）")
    bytes: int
    replaced: bool
    characters: int = Field(description="提取出的文字数")
    next: str = Field(description="下一步：调用 POST /api/admin/reingest 重建索引")
