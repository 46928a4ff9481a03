"""Build the search indexes of one generation: two lexical channels and the vector channel."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.types import Chunk, DocumentMeta
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
    tokenizer = Tokenizer(user_terms)
    lex_dir = gen_dir / "lexical"
    lex_dir.mkdir(parents=True, exist_ok=True)
    (lex_dir / "user_terms.json").write_text(json.dumps(tokenizer.user_terms, ensure_ascii=False), encoding="utf-8")
    texts = [c.indexed_text() for c in chunks]
    LexicalChannel.build("words", texts, tokenizer.words).save(lex_dir / "words")
    LexicalChannel.build("bigrams", texts, tokenizer.bigrams).save(lex_dir / "bigrams")

    dense_dir = gen_dir / "dense"
    dense_dir.mkdir(parents=True, exist_ok=True)
    embedder: Embedder
    if settings.embedding_model:
        from retriever.dense import SentenceTransformerEmbedder

        embedder = SentenceTransformerEmbedder(settings.embedding_model)
        info = {"embedder": "sentence-transformers", "model": settings.embedding_model, "dim": embedder.dim}
    else:
        embedder = LsaEmbedder.fit(texts, tokenizer.words, dims=settings.lsa_dims)
        embedder.save(dense_dir)
        info = {"embedder": "lsa", "dim": embedder.dim}
    (dense_dir / "info.json").write_text(json.dumps(info), encoding="utf-8")

    vectors = ChromaVectors(chroma_client(gen_dir, settings), collection_name(gen_dir))
    if chunks:
        metas = [{"doc_id": c.doc_id, "kind": c.kind, "region": docs[c.doc_id].region or "",
                  "period": docs[c.doc_id].period or ""} for c in chunks]
        vectors.add([c.id for c in chunks], embedder.embed_documents(texts), metas)
    return {"embedder": info, "collection": vectors.name, "chroma_host": settings.chroma_host or ""}


def drop_collection(gen_dir: Path, settings: Settings) -> None:
    """Remove a superseded generation's collection (matters for a Chroma server)."""
    if settings.chroma_host:
        ChromaVectors(chroma_client(gen_dir, settings), collection_name(gen_dir)).drop()
