"""LangChain adapter: our search as a ``BaseRetriever``, so it composes into LangChain chains.

Hits become LangChain ``Document``s here and nowhere else; the pipeline keeps its own types.
"""
from __future__ import annotations

from typing import Any, Protocol

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from core.types import Hit


class Searcher(Protocol):
    """What the adapter needs: ``Engine`` and ``HybridRetriever`` both qualify."""

    def search(self, query: str, k: int = 10, filters: dict[str, Any] | None = None) -> list[Hit]: ...


def to_document(hit: Hit) -> Document:
    chunk = hit.chunk
    return Document(
        page_content=chunk.text,
        metadata={"chunk_id": chunk.id, "document": chunk.doc_title, "section": chunk.section,
                  "score": hit.score, "doc_id": chunk.doc_id, "kind": chunk.kind},
        id=chunk.id,
    )


class PolicyRetriever(BaseRetriever):
    """``PolicyRetriever(searcher=engine, k=5, filters={"region": "某市"})``."""

    searcher: Any  # a Searcher; Any because pydantic cannot validate a Protocol
    k: int = 5
    filters: dict[str, Any] | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [to_document(h) for h in self.searcher.search(query, k=self.k, filters=self.filters)]
