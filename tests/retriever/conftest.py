"""Fixtures for the retriever tests: a tiny four-city corpus indexed through the real pipeline."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from core.settings import Settings, load_settings

# Two look-alike documents (景德镇市 and 九江市, same period, different figures), a different topic in
# 南昌市 and a second 景德镇市 document of another period. Every section is one chunk: the passage size of
# tiny_settings (60) is below two sections, so short sections are not packed together (ingest/chunk.py).
TINY_DOCS: dict[str, tuple[str, str, str]] = {
    "景德镇市就业创业补贴实施办法": ("2016-2020", "景德镇市", """一、创业补贴

对首次创办小微企业的，给予一次性创业补贴5000元。

二、吸纳就业补贴

对带动就业3人以上的创业实体，给予一次性吸纳就业补贴8000元。

三、创业担保贷款

个人创业担保贷款最高额度为20万元，财政给予全额贴息。
"""),
    "九江市就业创业补贴实施办法": ("2016-2020", "九江市", """一、创业补贴

对首次创办小微企业的，给予一次性创业补贴6000元。

二、吸纳就业补贴

对带动就业5人以上的创业实体，给予一次性吸纳就业补贴9000元。

三、创业担保贷款

个人创业担保贷款最高额度为15万元，财政给予全额贴息。
"""),
    "南昌市城乡居民养老保险实施方案": ("2021-2025", "南昌市", """一、参保范围

年满16周岁、不是国家机关和事业单位工作人员的城乡居民，可以参加城乡居民基本养老保险。

二、缴费档次

个人缴费标准设为每年300元至3000元共十个档次，参保人自主选择。
"""),
    "景德镇市职业技能提升行动方案": ("2021-2025", "景德镇市", """一、培训目标

到2025年，全市开展补贴性职业技能培训3万人次，新增高技能人才5000人。

二、培训补贴

取得初级职业资格证书的，给予职业培训补贴1000元。
"""),
}


def write_tiny_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rows = ["file,title,period,region"]
    for title, (period, region, body) in TINY_DOCS.items():
        (folder / f"{title}.txt").write_text(f"{title}\n\n{body}", encoding="utf-8")
        rows.append(f"{title}.txt,{title},{period},{region}")
    (folder / "manifest.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


def tiny_settings(root: Path, **overrides: Any) -> Settings:
    base: dict[str, Any] = {"index_dir": root / "index", "data_dir": root / "data", "default_region": "景德镇市",
                            "embedding_model": None, "rerank_model": None, "chroma_host": None, "chunk_size": 60}
    return load_settings(**{**base, **overrides})


def engine_on(root: Path, docs: dict[str, str], **overrides: Any) -> Any:
    """An Engine over ``docs`` (title -> body), each written as ``title.txt`` and indexed under ``root``."""
    from assistant.engine import Engine
    from index.pipeline import build_index

    corpus = root / "corpus"
    corpus.mkdir()
    for title, body in docs.items():
        (corpus / f"{title}.txt").write_text(f"{title}\n\n{body}", encoding="utf-8")
    settings = tiny_settings(root, **overrides)
    build_index([corpus], settings.index_dir, settings)
    return Engine.open(settings=settings)


def memmapped(array: Any) -> bool:
    """Whether ``array`` is, or is a view of, a memory-mapped file."""
    import numpy as np

    while array is not None:
        if isinstance(array, np.memmap):
            return True
        array = array.base
    return False


@pytest.fixture(scope="session")
def tiny_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_corpus(tmp_path_factory.mktemp("tiny-corpus"))


@pytest.fixture(scope="session")
def tiny_engine(tiny_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    from assistant.engine import Engine
    from index.pipeline import build_index

    settings = tiny_settings(tmp_path_factory.mktemp("tiny-index"))
    report = build_index([tiny_corpus], settings.index_dir, settings)
    assert report.documents == len(TINY_DOCS) and not report.skipped
    engine = Engine.open(settings=settings)
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def tiny_retriever(tiny_engine: Any) -> Any:
    return tiny_engine.generation.retriever
