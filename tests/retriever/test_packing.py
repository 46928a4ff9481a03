"""Short sections packed into one passage (ingest/chunk.py) through the real pipeline and search."""
from __future__ import annotations

from typing import Any

import pytest

from tests.retriever.conftest import engine_on

# A regulation of short articles: the question's words are in 第二条, its answer in 第三条. The other
# document also pays a 补贴; the bare 第三条 shares only "每月" with the question.
DOCS = {
    "见习管理办法": "第一条\n\n为规范见习管理，制定本办法。\n\n第二条\n\n见习人员在见习期间由见习基地发放见习生活补贴。\n\n"
                    "第三条\n\n标准为每人每月1500元，按月发放。\n",
    # Numbered steps read as headings with no text of their own, then the last step's note.
    "仲裁网上申请流程": "1.先扫二维码，关注公众号\n\n2.进入小程序，搜索“调解仲裁”服务\n\n3.填写当事人信息并上传证据资料\n\n"
                        "4.提交申请\n\n提交后请于5个工作日内递交材料。\n",
    "创业扶持办法": "一、创业补贴\n\n对首次创业的，给予一次性创业补贴3000元。\n\n二、创业贷款\n\n个人创业担保贷款最高额度为20万元。\n",
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Any:
    eng = engine_on(tmp_path_factory.mktemp("packing"), DOCS, chunk_size=400)
    yield eng
    eng.close()


def rank(hits: list[Any], text: str) -> int | None:
    return next((i for i, h in enumerate(hits, start=1) if text in h.chunk.text), None)


def test_the_answer_in_the_next_article_ranks_first(engine: Any) -> None:
    hits = engine.search("见习生活补贴每月多少钱", k=5)
    assert rank(hits, "1500元") == 1
    assert hits[0].chunk.section_path == ["第一条"] and "第三条\n标准为每人每月1500元" in hits[0].chunk.text


def test_a_chapter_with_its_own_topic_stays_a_passage_of_its_own(engine: Any) -> None:
    hits = engine.search("创业担保贷款最高额度", k=5)
    assert rank(hits, "20万元") == 1
    assert hits[0].chunk.doc_title == "创业扶持办法"


def test_steps_read_as_headings_are_searchable(engine: Any) -> None:
    hits = engine.search("要填写什么信息，上传哪些资料", k=5)
    assert rank(hits, "上传证据资料") == 1
    assert hits[0].chunk.text.startswith("1.先扫二维码，关注公众号\n2.进入小程序")
