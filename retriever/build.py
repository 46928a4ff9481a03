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


def load_embedder(gen_dir: Path, settings: Settings, tokenizer: Tokenizer) -> Embedder:
    info = json.loads((gen_dir / "dense" / "info.json").read_text(encoding="utf-8"))
    if info["embedder"] == "lsa":
        return LsaEmbedder.load(gen_dir / "dense", tokenizer.words)
    from retriever.dense import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(info["model"])


def build_search_index(chunks: list[Chunk], docs: dict[str, DocumentMeta], gen_dir: Path, settings: Settings,
                       user_terms: list[str]) -> dict[str, Any]:
    """Write lexical/, dense/ and the Chroma collection for ``chunks`` into ``gen_dir``."""
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
    if settings.embedding_model:
        from retriever.dense import SentenceTransformerEmbedder

        embedder = SentenceTransformerEmbedder(settings.embedding_model)
        # A local model is recorded by absolute path so the index opens from any directory.
        local = Path(settings.embedding_model).expanduser()
        model = str(local.resolve()) if local.exists() else settings.embedding_model
        info = {"embedder": "sentence-transformers", "model": model, "dim": embedder.dim}
        embeddings = embedder.embed_documents(texts) if chunks else None
    else:
        lsa, embeddings = LsaEmbedder.fit_tokens(words, tokenizer.words, dims=settings.lsa_dims)
        lsa.save(dense_dir)
        info = {"embedder": "lsa", "dim": lsa.dim}
    (dense_dir / "info.json").write_text(json.dumps(info), encoding="utf-8")
    clock.lap("dense")

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
