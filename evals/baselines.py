"""Off-the-shelf lexical retrievers scored on the same documents and questions as ours.

Both chunk each document with LangChain's ``RecursiveCharacterTextSplitter(chunk_size=500,
chunk_overlap=50)`` (default separators) and return ``/api/search``-shaped payloads, so the
harness ranks them with exactly the rule it uses for the assistant.
"""
from __future__ import annotations

import logging
import sys
import time
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from evals.clients import Payload
from evals.harness import Question, run_retrieval

Doc = tuple[str, str]  # (document name, text)
CHUNK_SIZE, CHUNK_OVERLAP = 500, 50


def split_chunks(docs: Iterable[Doc]) -> list[Doc]:
    """(document name, chunk text) for every chunk of every document."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
    return [(name, c) for name, text in docs for c in splitter.split_text(text)]


def jieba_tokens(text: str) -> list[str]:
    """jieba search mode (``lcut_for_search``): words plus their sub-words, whitespace dropped.

    Search mode rather than the default cut because a question's "养老保险" should still
    match a passage segmented as "城乡居民养老保险"; it is the stronger of the two baselines.
    """
    import jieba

    jieba.setLogLevel(logging.WARNING)  # its start-up chatter would interleave with the table
    return [t for t in jieba.lcut_for_search(text) if t.strip()]


def bigrams(text: str) -> list[str]:
    """Overlapping character bigrams after NFKC and whitespace removal (a one-char text is its own token)."""
    t = "".join(unicodedata.normalize("NFKC", text).split())
    return [t[i : i + 2] for i in range(len(t) - 1)] or ([t] if t else [])


class Baseline:
    """A search-only system: ``search(query, k)`` like the assistant's client."""

    name = "baseline"
    notes = ""

    def __init__(self, docs: Sequence[Doc]) -> None:
        t0 = time.perf_counter()
        self.chunks = split_chunks(docs)
        if not self.chunks:
            raise ValueError(f"{self.name}: no text to index")
        self._build()
        self.build_ms = (time.perf_counter() - t0) * 1000.0

    def _build(self) -> None:
        raise NotImplementedError

    def search(self, query: str, k: int) -> Payload:
        raise NotImplementedError

    def _payload(self, order: Iterable[tuple[int, float]]) -> Payload:
        return {
            "results": [
                {"text": self.chunks[i][1], "document": self.chunks[i][0], "section": "", "score": s, "chunk_id": str(i)}
                for i, s in order
            ]
        }


class LangChainBM25(Baseline):
    """``langchain_community.retrievers.BM25Retriever`` with jieba search-mode tokens."""

    name = "LangChain BM25Retriever + jieba"
    notes = "jieba.lcut_for_search (search mode), whitespace tokens dropped; BM25Okapi defaults (k1=1.5, b=0.75)"

    def _build(self) -> None:
        import warnings

        with warnings.catch_warnings():  # langchain-community warns that it is being sunset
            warnings.simplefilter("ignore")
            from langchain_community.retrievers import BM25Retriever

        self.retriever = BM25Retriever.from_texts(
            [t for _, t in self.chunks],
            metadatas=[{"i": i} for i in range(len(self.chunks))],
            preprocess_func=jieba_tokens,
            k=10,
        )

    def search(self, query: str, k: int) -> Payload:
        # Timed through the public invoke(), as a LangChain user would call it.
        self.retriever.k = k
        docs = self.retriever.invoke(query)
        return self._payload((int(d.metadata["i"]), 0.0) for d in docs)


class CharBigramBM25(Baseline):
    """``rank_bm25.BM25Okapi`` over character bigrams."""

    name = "rank_bm25 BM25Okapi + char bigrams"
    notes = "overlapping character bigrams after NFKC and whitespace removal; BM25Okapi defaults"

    def _build(self) -> None:
        from rank_bm25 import BM25Okapi

        self.bm25 = BM25Okapi([bigrams(t) for _, t in self.chunks])

    def search(self, query: str, k: int) -> Payload:
        scores = self.bm25.get_scores(bigrams(query))
        # Ties broken by chunk order so results are deterministic; zero scores share no
        # bigram with the query, and listing them would only let chance count as a hit.
        order = sorted((i for i in range(len(scores)) if scores[i] > 0), key=lambda i: (-scores[i], i))[:k]
        return self._payload((i, float(scores[i])) for i in order)


def load_documents(paths: Sequence[Path]) -> list[Doc]:
    """The texts of the files the index is built from, via the ingest loader."""
    from ingest.errors import IngestError
    from ingest.load import discover, load_file

    files, _unsupported = discover(list(paths))  # the index skips these too
    docs: list[Doc] = []
    for f in files:
        try:
            loaded = load_file(f)
        except IngestError as e:
            print(f"baselines: skipping {e}", file=sys.stderr)
            continue
        docs.append((loaded.source, loaded.text))
    return docs


def evaluate(docs: Sequence[Doc], questions: Sequence[Question]) -> list[dict[str, Any]]:
    """Build each baseline over ``docs`` and score its retrieval on ``questions``."""
    out: list[dict[str, Any]] = []
    for cls in (LangChainBM25, CharBigramBM25):
        b = cls(docs)
        out.append(
            {
                "name": b.name,
                "notes": b.notes + f"; chunks: RecursiveCharacterTextSplitter({CHUNK_SIZE}, {CHUNK_OVERLAP})",
                "chunks": len(b.chunks),
                "build_ms": b.build_ms,
                "metrics": run_retrieval(b.search, questions),
            }
        )
    return out
