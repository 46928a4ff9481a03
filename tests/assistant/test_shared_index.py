"""Several machines on one index directory: a re-ingest published by one is served by all."""
from __future__ import annotations

import shutil
import time
from pathlib import Path

from assistant.engine import Engine
from core.settings import load_settings
from index.pipeline import build_index
from tests.conftest import PLAN_PATH

QUESTION = "生育保险参保人数2020年目标是多少？"


def test_two_engines_on_one_index_dir_follow_a_reingest(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(PLAN_PATH, corpus / "plan.txt")
    index = tmp_path / "shared-index"
    ingest = load_settings(index_dir=index, data_dir=tmp_path / "ingest")
    build_index([corpus], index, ingest)
    # Two API machines: their own data directories, the same index directory.
    one = Engine.open(settings=load_settings(index_dir=index, data_dir=tmp_path / "one"))
    two = Engine.open(settings=load_settings(index_dir=index, data_dir=tmp_path / "two"))
    first = one.generation.path
    assert two.generation.path == first
    assert "10万人" in two.chat(QUESTION)[0].text
    text = PLAN_PATH.read_text(encoding="utf-8").replace("9. 生育保险参保人数(万人)\t8.3\t10\t约束性",
                                                         "9. 生育保险参保人数(万人)\t8.3\t12\t约束性")
    (corpus / "plan.txt").write_text(text, encoding="utf-8")
    build_index([corpus], index, ingest)  # the ingest worker publishes a new generation (CURRENT swapped)
    time.sleep(1.1)  # engines look at CURRENT at most once a second
    for engine in (one, two):
        assert "12万人" in engine.chat(QUESTION)[0].text
    assert one.generation.path == two.generation.path != first
    one.close()
    two.close()
