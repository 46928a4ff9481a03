"""A passage is listed once, however many documents carry its text (a notice reposted by another site)."""
from __future__ import annotations

from typing import Any

import pytest

from tests.retriever.conftest import engine_on

SHARED = "一、标准\n\n居民医保个人缴费标准为每人549元。\n"
DOCS = {
    "医保局关于居民医保缴费的通告": SHARED,
    "转载：医保局关于居民医保缴费的通告": SHARED,  # the same notice saved from a second site
    "第三号通告": "一、缴费\n\n居民医保个人缴费由税务机关征收。\n",
    "第四号通告": "一、见习\n\n见习期满由见习单位出具证明。\n",
}


@pytest.fixture(scope="module")
def retriever(tmp_path_factory: pytest.TempPathFactory) -> Any:
    engine = engine_on(tmp_path_factory.mktemp("distinct"), DOCS, embedding_backend="lsa")
    yield engine.generation.retriever
    engine.close()


def test_a_text_two_documents_carry_takes_one_place(retriever: Any) -> None:
    hits = retriever.search("居民医保个人缴费标准是多少", k=5)
    texts = ["".join(h.chunk.text.split()) for h in hits]
    assert sum("549元" in t for t in texts) == 1
    assert len(texts) == len(set(texts))
    # The place the copy would have taken goes to the next passage.
    assert any("税务机关征收" in t for t in texts[:2])
