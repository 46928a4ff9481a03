"""The 599 real flattened policy texts (one line each): titles, structure, chunk sizes.

The section lists below were read by eye from each file in ../shared/corpora/ncpqa/corpus.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from core.types import ParsedDocument
from ingest.document import parse_text
from ingest.meta import TITLE_LIMIT
from tests.ingest.shared_corpora import corpus_dir

CHUNK_SIZE = 400


@lru_cache(maxsize=None)
def _parse(name: str) -> ParsedDocument:
    path = corpus_dir("ncpqa") / "corpus" / name
    return parse_text(path.read_text(encoding="utf-8"), name, None, CHUNK_SIZE)


@pytest.fixture(scope="module")
def corpus() -> list[ParsedDocument]:
    files = sorted((corpus_dir("ncpqa") / "corpus").glob("*.txt"))
    assert len(files) == 599
    return [_parse(f.name) for f in files]


def test_no_title_over_80_characters(corpus: list[ParsedDocument]) -> None:
    too_long = [(p.document.source, p.document.meta.title) for p in corpus if len(p.document.meta.title) > TITLE_LIMIT]
    assert not too_long
    assert sum(len(p.document.meta.title) > 60 for p in corpus) <= 5  # the name of the document, not its opening


def test_body_is_not_swallowed_by_the_colophon(corpus: list[ParsedDocument]) -> None:
    for p in corpus:
        for s in p.sections:
            if s.kind == "colophon":
                assert s.end - s.start <= 0.3 * len(p.document.text), p.document.source


def test_chunks_are_never_larger_than_the_chunk_size(corpus: list[ParsedDocument]) -> None:
    for p in corpus:
        for c in p.chunks:
            if c.kind == "text":
                assert len(c.text) <= CHUNK_SIZE + 1, (p.document.source, len(c.text))


def _headings(p: ParsedDocument) -> list[str]:
    return [" › ".join(s.path) for s in p.sections if s.kind == "heading"]


def test_tax_notice_structure() -> None:
    p = _parse("0013aa11eb73353abf1e2bd8bca41750.txt")
    assert _headings(p) == [
        "一、支持疫情防控物资供应", "二、支持疾控医疗救治", "三、鼓励公益慈善捐赠", "四、保障生活物资供应",
        "五、服务企业科研攻关", "六、维护纳税人合法权益", "七、帮扶中小企业持续发展", "八、快捷响应税费诉求",
        "九、拓展“非接触式”办税缴费服务", "十、营造安全高效办税缴费环境",
    ]
    first = next(c for c in p.chunks if c.section_path == ["一、支持疫情防控物资供应"])
    assert first.text.startswith("对生产、销售新型冠状病毒感染疫情防控重点物资的企业")


def test_notice_with_number_addressees_and_attachments() -> None:
    p = _parse("4052555c179f3d87b2deca68e7e17a3d.txt")
    meta = p.document.meta
    assert meta.title == "关于做好外出务工人员健康申报证明服务的通知"
    assert meta.doc_number == "川疫指发〔2020〕17号"
    assert meta.addressees == "各市（州）、县（市、区）人民政府"
    assert meta.region == "四川省"
    assert _headings(p) == [
        "一、服务对象和内容", "二、信息共享和结果互认", "三、组织领导和实施分工", "四、实施证明时间",
        "四、实施证明时间 › 1. 四川外出务工人员健康申报证明",
        "四、实施证明时间 › 2. 四川外出务工人员健康申报和查询系统操作指南",
    ]
    # "（一）服务对象。…" items end in a full stop: they are paragraphs of their section, not headings.
    assert any(c.text.startswith("（一）服务对象。") and c.section_path == ["一、服务对象和内容"] for c in p.chunks)


def test_appeal_with_three_levels() -> None:
    p = _parse("2ec70c304c6a3ddca4dbd717c3ae71fb.txt")
    assert p.document.meta.title == "经开区团工委关于“抗击新型冠状病毒感染的肺炎疫情”募捐倡议书"
    assert _headings(p) == [
        "一、捐赠物资", "一、捐赠物资 › （一）捐赠要求", "一、捐赠物资 › （二）捐赠途径",
        "二、捐赠善款", "二、捐赠善款 › （一）捐赠途径", "二、捐赠善款 › （二）捐赠方式",
        "二、捐赠善款 › （二）捐赠方式 › 2. 银行汇款", "二、捐赠善款 › （三）相关说明",
    ]
