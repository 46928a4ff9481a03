"""Off-the-shelf lexical retrievers scored on the same documents and questions as ours.

The chunked ones split each document with LangChain's ``RecursiveCharacterTextSplitter(chunk_size=500,
chunk_overlap=50)`` (default separators) and return ``/api/search``-shaped payloads, so the harness
ranks them with exactly the rule it uses for the assistant. ``CrudeExtractive`` also answers: the
sentence of its best 3-sentence window that overlaps the question most, and what follows.
"""
from __future__ import annotations

import logging
import re
import sys
import time
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from evals.clients import Payload
from evals import metrics
from evals.harness import Question, run_retrieval, timed

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


class SplitterBm25s(Baseline):
    """The plain pipeline a new user would write: the LangChain splitter, bm25s over jieba words."""

    name = "LangChain splitter + bm25s + jieba"
    notes = "jieba.lcut_for_search tokens, bm25s (lucene, k1=1.5, b=0.75)"

    def _build(self) -> None:
        import bm25s

        self.bm25 = bm25s.BM25(k1=1.5, b=0.75)
        self.bm25.index([jieba_tokens(t) or [""] for _, t in self.chunks], show_progress=False)
        self.vocab = set(self.bm25.vocab_dict)

    def _scores(self, query: str) -> Any:
        tokens = [t for t in jieba_tokens(query) if t in self.vocab]
        return self.bm25.get_scores(tokens) if tokens else None

    def search(self, query: str, k: int) -> Payload:
        scores = self._scores(query)
        if scores is None:
            return {"results": []}
        order = sorted((i for i in range(len(scores)) if scores[i] > 0), key=lambda i: (-scores[i], i))[:k]
        return self._payload((i, float(scores[i])) for i in order)


_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])|\n+")
WINDOW, ANSWER_CAP = 3, 500


def sentences(text: str) -> list[str]:
    """Sentences ending in 。！？； (or a line break), whitespace-trimmed, empty ones dropped."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


class CrudeExtractive(SplitterBm25s):
    """bm25s over 3-sentence windows; the answer is the window's sentence that overlaps the question most
    (in jieba words), with what follows it in the document, capped at 500 characters."""

    name = "crude extractive (bm25s over 3-sentence windows)"
    notes = "windows of 3 consecutive sentences, stride 1; answer capped at 500 characters; never refuses"

    def __init__(self, docs: Sequence[Doc]) -> None:
        self.docs = [(name, sentences(text)) for name, text in docs]
        super().__init__(docs)

    def _windows(self) -> list[tuple[str, str, int, int]]:
        out = []
        for d, (name, sents) in enumerate(self.docs):
            for i in range(max(len(sents) - WINDOW + 1, 1) if sents else 0):
                out.append((name, "".join(sents[i : i + WINDOW]), d, i))
        return out

    def _build(self) -> None:
        self.windows = self._windows()
        self.chunks = [(name, text) for name, text, _, _ in self.windows]
        if not self.chunks:
            raise ValueError(f"{self.name}: no sentences to index")
        super()._build()

    def answer(self, question: str) -> str:
        scores = self._scores(question)
        if scores is None or not len(scores) or float(scores.max()) <= 0:
            return ""
        _, _, d, start = self.windows[int(scores.argmax())]
        sents = self.docs[d][1]
        asked = set(jieba_tokens(question))
        window = range(start, min(start + WINDOW, len(sents)))
        best = max(window, key=lambda j: (len(asked & set(jieba_tokens(sents[j]))), -j))
        return "".join(sents[best:])[:ANSWER_CAP]


def answer_summary(system: CrudeExtractive, questions: Sequence[Question]) -> dict[str, Any]:
    """Answer accuracy, refusal recall, length caps and latency of an always-answering baseline."""
    outcomes = []
    for q in questions:
        o = metrics.Outcome(id=q.id, kind=q.kind, question=q.question, refuse=q.refuse)
        o.answer, o.latency_ms = timed(lambda: system.answer(q.question))  # type: ignore[arg-type]
        o.grounded = bool(o.answer)
        o.correct = metrics.answer_correct(q.refuse, o.grounded, o.answer, q.must)
        outcomes.append(o)
    return metrics.summarize(outcomes)


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


DEFAULT_SYSTEMS: tuple[type[Baseline], ...] = (SplitterBm25s, CrudeExtractive, LangChainBM25, CharBigramBM25)
REAL_SYSTEMS: tuple[type[Baseline], ...] = (SplitterBm25s, CrudeExtractive)


def evaluate(docs: Sequence[Doc], questions: Sequence[Question],
             systems: Sequence[type[Baseline]] = DEFAULT_SYSTEMS) -> list[dict[str, Any]]:
    """Build each baseline over ``docs`` and score its retrieval (and answers, if it answers) on ``questions``."""
    out: list[dict[str, Any]] = []
    for cls in systems:
        b = cls(docs)
        scores: dict[str, Any] = run_retrieval(b.search, questions)
        if isinstance(b, CrudeExtractive):
            answers = answer_summary(b, questions)
            scores.update({k: v for k, v in answers.items() if not k.startswith(("search_", "hit_", "mrr_", "n_retrieval"))})
        chunking = "" if isinstance(b, CrudeExtractive) else f"; chunks: RecursiveCharacterTextSplitter({CHUNK_SIZE}, {CHUNK_OVERLAP})"
        out.append({"name": b.name, "notes": b.notes + chunking, "chunks": len(b.chunks), "build_ms": b.build_ms,
                    "metrics": scores})
    return out
