"""What a serving worker holds: the index's large arrays memory-mapped, and no build-time libraries."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

from retriever.dense import LsaEmbedder
from retriever.tokenize import Tokenizer
from tests.retriever.conftest import memmapped

ROOT = Path(__file__).resolve().parents[2]
BUILD_ONLY = ("bm25s", "scipy", "sklearn")


def test_a_worker_loads_neither_bm25s_nor_scipy(tmp_path: Path) -> None:
    """Build in one interpreter, then open, search and answer in a fresh one, as a worker does."""
    from tests.retriever.conftest import write_tiny_corpus

    corpus = write_tiny_corpus(tmp_path / "corpus")
    common = f"""
import sys
from pathlib import Path
from core.settings import load_settings
settings = load_settings(index_dir=Path({str(tmp_path / 'index')!r}), data_dir=Path({str(tmp_path / 'data')!r}))
"""
    build = common + f"""
from index.pipeline import build_index
assert build_index([Path({str(corpus)!r})], settings.index_dir, settings).documents
"""
    serve = common + f"""
from assistant.engine import Engine
engine = Engine.open(settings=settings)
assert engine.search("创业担保贷款最高额度", k=3)
answer, _ = engine.chat("个人创业担保贷款最高额度是多少？")
assert answer.grounded, answer.text
print(sorted(m for m in {BUILD_ONLY!r} if m in sys.modules))
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EMBEDDING_", "RERANK_", "POLICY_"))}
    env["EMBEDDING_BACKEND"] = "lsa"  # the channel whose query side used scipy
    for script in (build, serve):
        out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=180)
        assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_a_loaded_lsa_model_uses_its_matrix_in_place(tmp_path: Path, plan_parsed: Any) -> None:
    tok = Tokenizer()
    texts = [c.indexed_text() for c in plan_parsed.chunks]
    fitted, vectors = LsaEmbedder.fit_tokens([tok.words(t) for t in texts], tok.words, dims=32)
    fitted.save(tmp_path / "dense")
    loaded = LsaEmbedder.load(tmp_path / "dense", tok.words)
    assert memmapped(loaded._by_term) and loaded._by_term.flags.c_contiguous
    for i in (0, 5, 17):
        assert np.allclose(loaded.embed_query(texts[i]), vectors[i], atol=1e-5)
    assert np.allclose(loaded.embed_documents(texts[:4]), vectors[:4], atol=1e-5)
    assert not loaded.embed_query("火星探测").any()


def test_a_worker_decodes_only_the_chunks_it_shows(tmp_path: Path) -> None:
    """A fresh interpreter opens a library, searches and answers: its chunks stay columns and mapped texts,
    and only the few it scored closely or cited become Chunk objects."""
    from tests.retriever.conftest import write_tiny_corpus

    corpus = write_tiny_corpus(tmp_path / "corpus")
    script = f"""
import gc
from pathlib import Path
from core.settings import load_settings
from core.types import Chunk
from index.pipeline import build_index
from assistant.engine import Engine
settings = load_settings(index_dir=Path({str(tmp_path / 'index')!r}), data_dir=Path({str(tmp_path / 'data')!r}))
assert build_index([Path({str(corpus)!r}), settings.corpus_dir], settings.index_dir, settings).documents == 5
gc.collect()
engine = Engine.open(settings=settings)
table = engine.generation.records.chunks
before = sum(isinstance(o, Chunk) for o in gc.get_objects())
retriever, shown = engine.generation.retriever, set()
search = retriever.search
def searched(*args, **kwargs):
    hits = search(*args, **kwargs)
    shown.update(h.chunk.id for h in hits)
    return hits
retriever.search = searched
for q in ("个人创业担保贷款最高额度是多少？", "生育保险参保人数2020年目标是多少？", "城镇新增就业人数", "职业技能培训补贴"):
    assert engine.search(q, k=10)
    engine.chat(q)
gc.collect()
print(len(table), before, sum(isinstance(o, Chunk) for o in gc.get_objects()), len(table._cache), len(shown))
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EMBEDDING_", "RERANK_", "POLICY_"))}
    env["EMBEDDING_BACKEND"] = "lsa"
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=180)
    assert out.returncode == 0, out.stderr[-2000:]
    total, opened, answered, cached, shown = map(int, out.stdout.split()[-5:])
    assert total > 100 and opened == 0, (total, opened)
    # The Chunk objects alive are the decoded cache, which holds the hits returned and nothing else.
    assert answered == cached == shown < total, (total, answered, cached, shown)
