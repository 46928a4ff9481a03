"""PolicyRetriever inside real LangChain runnables (fake chat model, no network)."""
from __future__ import annotations

import asyncio
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.documents import Document
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import RunnableLambda, RunnablePassthrough

from retriever.langchain import PolicyRetriever

PROMPT = ChatPromptTemplate.from_messages([
    ("system", "只根据以下政策原文回答问题。\n\n{context}"),
    ("human", "{question}"),
])


class PromptRecorder(BaseCallbackHandler):
    """Keeps the messages each chat model call received."""

    def __init__(self) -> None:
        self.prompts: list[str] = []

    def on_chat_model_start(self, serialized: dict[str, Any], messages: list[list[Any]], **kwargs: Any) -> None:
        self.prompts.extend("\n".join(str(m.content) for m in batch) for batch in messages)


def format_docs(docs: list[Document]) -> str:
    return "\n\n".join(f"[{i}] {d.metadata['document']} › {d.metadata['section']}\n{d.page_content}"
                       for i, d in enumerate(docs, start=1))


def test_is_a_langchain_retriever(tiny_engine: Any) -> None:
    assert isinstance(PolicyRetriever(searcher=tiny_engine), BaseRetriever)


def test_invoke_returns_documents_with_our_metadata(tiny_engine: Any) -> None:
    docs = PolicyRetriever(searcher=tiny_engine, k=3).invoke("创业担保贷款最高额度")
    assert len(docs) == 3 and all(isinstance(d, Document) for d in docs)
    top = docs[0]
    assert "20万元" in top.page_content
    assert top.metadata["document"] == "景德镇市就业创业补贴实施办法"
    assert top.metadata["section"] == "三、创业担保贷款"
    assert set(top.metadata) == {"chunk_id", "document", "section", "score", "doc_id", "kind"}
    assert top.metadata["kind"] == "text" and top.id == top.metadata["chunk_id"]
    assert [d.metadata["score"] for d in docs] == sorted((d.metadata["score"] for d in docs), reverse=True)


def test_k_and_filters_reach_the_search(tiny_retriever: Any) -> None:
    retriever = PolicyRetriever(searcher=tiny_retriever, k=2, filters={"region": "九江市"})
    docs = retriever.invoke("一次性创业补贴")
    assert len(docs) == 2
    assert {d.metadata["document"] for d in docs} == {"九江市就业创业补贴实施办法"}
    assert "6000元" in docs[0].page_content


def test_batch_and_async(tiny_engine: Any) -> None:
    retriever = PolicyRetriever(searcher=tiny_engine, k=1)
    first, second = retriever.batch(["创业担保贷款最高额度", "养老保险缴费档次"])
    assert "20万元" in first[0].page_content
    assert "十个档次" in second[0].page_content
    docs = asyncio.run(retriever.ainvoke("职业培训补贴"))
    assert "1000元" in docs[0].page_content


def test_in_a_runnable_chain_the_model_sees_the_right_passage(tiny_engine: Any) -> None:
    retriever = PolicyRetriever(searcher=tiny_engine, k=2)
    model = FakeListChatModel(responses=["一次性创业补贴为5000元。[1]"])
    chain = ({"context": retriever | RunnableLambda(format_docs), "question": RunnablePassthrough()}
             | PROMPT | model | StrOutputParser())
    recorder = PromptRecorder()

    answer = chain.invoke("首次创业能拿多少一次性创业补贴？", config={"callbacks": [recorder]})

    assert answer == "一次性创业补贴为5000元。[1]"
    assert len(recorder.prompts) == 1
    prompt = recorder.prompts[0]
    assert "[1] 景德镇市就业创业补贴实施办法 › 一、创业补贴\n对首次创办小微企业的，给予一次性创业补贴5000元。" in prompt
    assert prompt.rstrip().endswith("首次创业能拿多少一次性创业补贴？")
    # The 九江 look-alike competes on relevance alone: it may follow, but never first, and always under its own title.
    if "6000元" in prompt:
        assert prompt.index("6000元") > prompt.index("5000元")
        assert "[2] 九江市就业创业补贴实施办法 › 一、创业补贴\n对首次创办小微企业的，给予一次性创业补贴6000元。" in prompt


def test_chain_batch_gives_each_question_its_own_context(tiny_engine: Any) -> None:
    chain = ({"context": PolicyRetriever(searcher=tiny_engine, k=1) | RunnableLambda(format_docs),
              "question": RunnablePassthrough()}
             | PROMPT | FakeListChatModel(responses=["好的"]) | StrOutputParser())
    recorder = PromptRecorder()
    chain.batch(["创业担保贷款最高额度", "养老保险缴费档次"], config={"callbacks": [recorder]})
    assert len(recorder.prompts) == 2
    by_question = {p.rsplit("\n", 1)[-1]: p for p in recorder.prompts}
    assert "20万元" in by_question["创业担保贷款最高额度"]
    assert "十个档次" in by_question["养老保险缴费档次"]
