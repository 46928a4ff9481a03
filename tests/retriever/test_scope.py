"""Region scope of a question and document validity: pure functions over the real profile and gazetteer."""
from __future__ import annotations

from datetime import date

import pytest

from core.profile import load_profile
from retriever.scope import document_meta, expired, local_scope, parse_date, query_scope, valid_until

JDZ = load_profile("jingdezhen")
GZ = load_profile("jingdezhen", region="广州市")  # POLICY_DEFAULT_REGION=广州市: parents from the gazetteer


def test_local_scope_is_the_region_its_parents_and_children() -> None:
    scope = local_scope(JDZ)
    assert {"景德镇市", "江西省", "全国", "浮梁县"} <= scope.regions and not scope.named
    for region in ("景德镇市", "江西省", "全国", "乐平市", ""):  # "" = a document with no region
        assert scope.prefers(region, JDZ), region
    assert not scope.prefers("九江市", JDZ) and not scope.prefers("广东省", JDZ)


def test_an_overridden_region_gets_its_parents_and_gazetteer_children() -> None:
    scope = local_scope(GZ)
    assert GZ.region == "广州市" and scope.regions >= {"广州市", "广东省", "全国"}
    assert scope.prefers("天河区", GZ)  # a district of 广州市 in the gazetteer, though the profile lists no children
    assert scope.prefers("广州", GZ)  # spelt without its suffix
    assert not scope.prefers("景德镇市", GZ) and not scope.prefers("深圳市", GZ)


@pytest.mark.parametrize("question", ["九江市创业补贴是多少", "九江的创业补贴是多少"])
def test_naming_another_place_scopes_to_it_and_its_parents(question: str) -> None:
    scope = query_scope(question, JDZ)
    assert scope.named == ("九江市",) and scope.regions == frozenset({"九江市", "江西省", "全国"})
    assert scope.prefers("九江市", JDZ) and scope.prefers("江西省", JDZ) and scope.prefers("", JDZ)
    assert not scope.prefers("景德镇市", JDZ) and not scope.prefers("浮梁县", JDZ)


@pytest.mark.parametrize("question", ["创业补贴是多少", "景德镇创业补贴是多少", "江西省创业补贴", "浮梁县的补贴", "全国的补贴"])
def test_naming_the_region_a_parent_or_a_child_keeps_the_local_scope(question: str) -> None:
    assert query_scope(question, JDZ) == local_scope(JDZ)


def test_two_places_named_are_both_in_scope() -> None:
    scope = query_scope("广州和深圳的失业金哪个高", JDZ)
    assert set(scope.named) == {"广州市", "深圳市"} and {"广东省", "全国"} <= scope.regions


@pytest.mark.parametrize(("text", "iso"), [("2018-01-19", "2018-01-19"), ("2018-01", "2018-01-01"), ("2018", "2018-01-01"),
                                          ("2021年7月1日", "2021-07-01"), ("", None), ("2021-02-30", None)])
def test_parse_date(text: str, iso: str | None) -> None:
    got = parse_date(text)
    assert (got.isoformat() if got else None) == iso


@pytest.mark.parametrize(("text", "issued", "until"), [
    ("本办法自2021年7月1日起施行，有效期至2026年6月30日。", "", "2026-06-30"),
    ("本细则有效期为2022年3月1日至2027年2月28日。", "", "2027-02-28"),
    ("本办法自2021年7月1日起施行，有效期5年。", "2021-06-01", "2026-07-01"),
    ("本办法有效期五年。", "2020-03-15", "2025-03-15"),
    ("有效期5年，从印发之日起计算。", "", ""),  # no start date anywhere: unknown
    ("本办法自印发之日起施行。", "2020-01-01", ""),
])
def test_valid_until(text: str, issued: str, until: str) -> None:
    assert valid_until(text, issued) == until


TODAY = date(2026, 1, 1)


@pytest.mark.parametrize(("meta", "gone"), [
    ({"status": "已废止"}, True), ({"status": "失效"}, True), ({"status": "现行有效"}, False),
    ({"valid_until": "2025-12-31"}, True), ({"valid_until": "2026-06-30"}, False),
    ({"period": "2016-2020"}, True), ({"period": "2021-2025"}, True), ({"period": "2026-2030"}, False),
    ({"valid_until": "2027-01-01", "period": "2016-2020"}, False),  # an explicit 有效期 wins over the plan period
    ({}, False),
])
def test_expired(meta: dict[str, str], gone: bool) -> None:
    assert expired(meta, TODAY) is gone


def test_document_meta_carries_date_and_validity() -> None:
    from core.types import Document, DocumentMeta

    text = "广州市就业补贴办法\n本办法自2021年7月1日起施行，有效期至2025年6月30日。"
    doc = Document(id="d", source="a.txt", raw_text=text, text=text, offsets=list(range(len(text))),
                   meta=DocumentMeta(title="广州市就业补贴办法", issue_date="2021-06-20", region="广州市"))
    meta = document_meta(doc, TODAY)
    assert meta == {"title": "广州市就业补贴办法", "source": "a.txt", "region": "广州市", "period": "",
                    "issue_date": "2021-06-20", "status": "", "valid_until": "2025-06-30", "expired": True}
