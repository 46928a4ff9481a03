"""Build the search indexes of one generation: two lexical channels and the vector channel."""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from core.settings import Settings
from core.types import Chunk, DocumentMeta
from retriever.dense import Embedder, LsaEmbedder
from retriever.lexical import LexicalChannel
from retriever.tokenize import Tokenizer
from retriever.vectors import ChromaVectors, make_client


def collection_name(gen_dir: Path) -> str:
    return "policy_" + gen_dir.name.removeprefix(".building-").replace("gen-", "")


def chroma_client(gen_dir: Path, settings: Settings) -> Any:
    return make_client(gen_dir / "chroma", settings.chroma_host, settings.chroma_port)


_CONTEXT_CHARS = 64  # of title and section in a passage's dense text


def dense_text(chunk: Chunk) -> str:
    """What a neural embedder sees: the passage with a short context.

    Bounded, unlike ``indexed_text``: a flattened file whose first line is its whole text gets that line
    as its title, and prefixing it to every chunk cost ~2,000 characters per chunk to embed (NCPQA median).
    """
    return f"{chunk.doc_title[:_CONTEXT_CHARS]}\n{chunk.section[:_CONTEXT_CHARS]}\n{chunk.text}"


def dense_info(gen_dir: Path) -> dict[str, Any]:
    return json.loads((gen_dir / "dense" / "info.json").read_text(encoding="utf-8"))


def load_embedder(gen_dir: Path, settings: Settings, tokenizer: Tokenizer) -> Embedder | None:
    """The generation's query embedder (None for a lexical-only generation)."""
    info = dense_info(gen_dir)
    kind = info["embedder"]
    if kind == "none":
        return None
    if kind == "lsa":
        return LsaEmbedder.load(gen_dir / "dense", tokenizer.words)
    from retriever.embedders import CachedQueries, make_embedder

    embedder = make_embedder(kind, settings, info.get("model"))
    if embedder.name != info.get("name", embedder.name) or embedder.dim != info["dim"]:
        raise RuntimeError(f"{gen_dir.name} was embedded with {info.get('name')} (dim {info['dim']}) but the "
                           f"settings give {embedder.name} (dim {embedder.dim}): rebuild with python -m ingest --force")
    return CachedQueries(embedder)


def wanted_dense(settings: Settings) -> str:
    """What the dense channel of a build with these settings is: the manifest compares it between builds."""
    from retriever.embedders import dense_backend

    backend = dense_backend(settings)
    if backend == "lsa":
        return f"lsa:{settings.lsa_dims}"
    if backend == "openai":
        return f"openai:{settings.embedding_base_url}:{settings.embedding_model or 'e5'}"
    if backend == "sentence-transformers":
        return f"st:{settings.embedding_model}"
    return backend


def _build_dense(chunks: list[Chunk], words: list[list[str]], tokenizer: Tokenizer, dense_dir: Path,
                 settings: Settings, with_dense: bool, progress: bool) -> tuple[dict[str, Any], Any]:
    from retriever.embedders import dense_backend

    backend = dense_backend(settings)
    if not with_dense:
        return {"embedder": "none", "dim": 0, "pending": backend}, None
    if backend == "lsa":
        lsa, embeddings = LsaEmbedder.fit_tokens(words, tokenizer.words, dims=settings.lsa_dims)
        lsa.save(dense_dir)
        return {"embedder": "lsa", "dim": lsa.dim}, embeddings
    from retriever.embedders import make_embedder
    from retriever.vector_cache import VectorCache, embed_with_cache

    embedder = make_embedder(backend, settings)
    model = settings.embedding_model
    if backend == "sentence-transformers" and model:
        # A local model is recorded by absolute path so the index opens from any directory.
        local = Path(model).expanduser()
        model = str(local.resolve()) if local.exists() else model
    cache = VectorCache(settings.vector_cache, embedder.name, embedder.dim)
    try:
        embeddings, stats = embed_with_cache(embedder, [dense_text(c) for c in chunks], cache,
                                             settings.embedding_batch, progress)
    finally:
        cache.close()
    info = {"embedder": backend, "name": embedder.name, "model": model, "dim": embedder.dim, "embed": stats.as_dict()}
    return info, embeddings


def build_search_index(chunks: list[Chunk], docs: dict[str, DocumentMeta], gen_dir: Path, settings: Settings,
                       user_terms: list[str], *, with_dense: bool = True, progress: bool = False) -> dict[str, Any]:
    """Write lexical/, dense/ and the Chroma collection for ``chunks`` into ``gen_dir``.

    ``with_dense=False`` builds the lexical channels only (a first start answers from them while the
    vectors are computed in the background).
    """
    clock = _Stopwatch()
    tokenizer = Tokenizer(user_terms)
    lex_dir = gen_dir / "lexical"
    lex_dir.mkdir(parents=True, exist_ok=True)
    (lex_dir / "user_terms.json").write_text(json.dumps(tokenizer.user_terms, ensure_ascii=False), encoding="utf-8")
    texts = [c.indexed_text() for c in chunks]
    # Each chunk is normalized and tokenized once; BM25 and LSA share the word tokens.
    analyzed = [tokenizer.analyze(t) for t in texts]
    words = [a[0] for a in analyzed]
    clock.lap("tokenize")
    LexicalChannel.from_tokens("words", words, tokenizer.words).save(lex_dir / "words")
    LexicalChannel.from_tokens("bigrams", [a[1] for a in analyzed], tokenizer.bigrams).save(lex_dir / "bigrams")
    del analyzed
    clock.lap("lexical")

    dense_dir = gen_dir / "dense"
    dense_dir.mkdir(parents=True, exist_ok=True)
    info, embeddings = _build_dense(chunks, words, tokenizer, dense_dir, settings, with_dense, progress)
    (dense_dir / "info.json").write_text(json.dumps(info), encoding="utf-8")
    clock.lap("dense")
    if embeddings is None:  # lexical only: no collection
        return {"embedder": info, "collection": "", "chroma_host": settings.chroma_host or "", "seconds": clock.laps}

    vectors = ChromaVectors(chroma_client(gen_dir, settings), collection_name(gen_dir))
    if chunks:
        metas = [{"doc_id": c.doc_id, "kind": c.kind, "region": docs[c.doc_id].region or "",
                  "period": docs[c.doc_id].period or ""} for c in chunks]
        vectors.add([c.id for c in chunks], embeddings, metas)
    clock.lap("vectors")
    return {"embedder": info, "collection": vectors.name, "chroma_host": settings.chroma_host or "",
            "seconds": clock.laps}


def drop_collection(gen_dir: Path, settings: Settings) -> None:
    """Remove a superseded generation's collection (matters for a Chroma server)."""
    if settings.chroma_host:
        ChromaVectors(chroma_client(gen_dir, settings), collection_name(gen_dir)).drop()


class _Stopwatch:
    """Seconds per build stage, kept in the manifest: where a slow rebuild spends its time."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._t = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self._t, 3)
        self._t = now
