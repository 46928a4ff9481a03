"""index.pipeline end to end: real Chroma, real files, temporary index directories.

Corpora are small (the plan and a few generated notices), so each build takes a second or two.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from core.settings import Settings, load_settings
from index import pipeline, store
from index.pipeline import IngestReport, build_index
from tests.conftest import PLAN_PATH

FERTILITY_ROW = "9. 生育保险参保人数(万人)\t8.3\t10\t约束性"

NOTICE = """南昌市人力资源和社会保障局文件

洪人社发〔2021〕7号

南昌市人力资源和社会保障局关于印发《南昌市职业技能提升行动实施方案》的通知

各县（区）人力资源和社会保障局：

现将《南昌市职业技能提升行动实施方案》印发给你们，请认真贯彻执行。

南昌市人力资源和社会保障局

2021年3月5日

一、总体目标

到2022年，全市开展补贴性职业技能培训5万人次，新增技能人才1.2万人。

二、主要措施

对参加培训并取得职业资格证书的劳动者，按规定给予职业培训补贴。
"""

MEASURES = """九江市就业创业补贴管理办法

一、总则

为规范就业创业补贴管理，根据有关规定，制定本办法。

二、补贴对象

在本市登记失业半年以上的人员，可申请一次性创业补贴5000元。
"""


def small_doc(city: str, topic: str, figure: int) -> str:
    return (f"{city}{topic}实施办法\n\n一、总体要求\n\n"
            f"{city}将{topic}作为民生工作重点，到2025年完成{figure}人次。\n\n"
            f"二、保障措施\n\n各县区要加强组织领导，落实{topic}资金{figure // 10}万元。\n")


# ------------------------------------------------------------------------------- helpers


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(index_dir=tmp_path / "index", data_dir=tmp_path / "data")


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    d = tmp_path / "docs"
    d.mkdir()
    return d


@pytest.fixture
def parse_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Sources passed to parse_text, in order (the real parser still runs)."""
    calls: list[str] = []
    real = pipeline.parse_text

    def counting(raw: str, source: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(source)
        return real(raw, source, *args, **kwargs)

    monkeypatch.setattr(pipeline, "parse_text", counting)
    return calls


def build(docs: Path, settings: Settings, **kw: Any) -> IngestReport:
    return build_index([docs], settings.index_dir, settings, **kw)


def current(settings: Settings) -> Path:
    gen = store.current_generation(Path(settings.index_dir))
    assert gen is not None
    return gen


def gens(index_dir: Path) -> list[str]:
    return sorted(p.name for p in index_dir.glob("gen-*"))


def leftovers(index_dir: Path) -> list[str]:
    """Half-built generations and temporary CURRENT files."""
    return sorted(p.name for p in index_dir.iterdir() if p.name.startswith((".building-", f".{store.CURRENT}.")))


def chroma_ids(gen: Path, settings: Settings) -> list[str]:
    from retriever.build import chroma_client, collection_name

    collection = chroma_client(gen, settings).get_collection(collection_name(gen))
    return sorted(collection.get(include=[])["ids"])


def target_2020(records: store.Records, name: str = "生育保险参保人数") -> float:
    (ind,) = [i for i in records.indicators if i.name == name and i.table_id == "专栏2"]
    return ind.values["2020年目标"].number


def copy_plan(docs: Path) -> Path:
    path = docs / "plan.txt"
    shutil.copyfile(PLAN_PATH, path)
    return path


# ------------------------------------------------------------------------------- full build


def test_build_records_chroma_and_content_ids(docs: Path, settings: Settings, tmp_path: Path) -> None:
    copy_plan(docs)
    report = build(docs, settings)

    assert (report.documents, report.indicators) == (1, 34)
    assert report.chunks > 100 and report.sections > 0 and report.figures > 0
    assert report.skipped == [] and not report.unchanged
    assert report.characters == len(PLAN_PATH.read_text(encoding="utf-8"))

    index_dir = Path(settings.index_dir)
    name = (index_dir / store.CURRENT).read_text(encoding="utf-8").strip()
    assert name == report.generation and name.startswith("gen-")
    gen = current(settings)
    assert gen == index_dir / name

    records = store.Records(gen)
    assert len(records.documents) == report.documents
    assert len(records.sections) == report.sections
    assert len(records.chunks) == report.chunks
    assert len(records.indicators) == report.indicators
    assert len(records.figures) == report.figures
    assert records.manifest["counts"]["chunks"] == report.chunks
    (doc,) = records.documents.values()
    assert doc.source == "plan.txt"
    assert doc.meta.title == "景德镇市人力资源和社会保障事业发展“十三五”规划"
    assert target_2020(records) == 10

    # One vector per chunk, under the chunk's id.
    assert chroma_ids(gen, settings) == sorted(c.id for c in records.chunks)
    assert len(set(c.id for c in records.chunks)) == report.chunks
    assert leftovers(index_dir) == []

    # Ids are content hashes: the same files into a fresh index give the same ids.
    other = settings.model_copy(update={"index_dir": tmp_path / "index2"})
    report2 = build(docs, other)
    assert report2.generation != "" and report2.chunks == report.chunks
    records2 = store.Records(current(other))
    assert [c.id for c in records2.chunks] == [c.id for c in records.chunks]
    assert [i.id for i in records2.indicators] == [i.id for i in records.indicators]
    assert list(records2.documents) == list(records.documents)
    assert records2.manifest["id"] == records.manifest["id"]


def test_unchanged_input_is_a_no_op(docs: Path, settings: Settings, parse_calls: list[str]) -> None:
    copy_plan(docs)
    (docs / "notice.txt").write_text(NOTICE, encoding="utf-8")
    first = build(docs, settings)
    assert sorted(parse_calls) == ["notice.txt", "plan.txt"]
    index_dir = Path(settings.index_dir)
    before_gens = gens(index_dir)
    cache = {p.name: p.stat().st_mtime_ns for p in (index_dir / "cache").iterdir()}
    assert len(cache) == 2
    current_mtime = (index_dir / store.CURRENT).stat().st_mtime_ns

    parse_calls.clear()
    again = build(docs, settings)
    assert again.unchanged
    assert again.generation == first.generation
    assert again.documents == 2
    assert again.skipped == []
    assert parse_calls == []  # nothing loaded or parsed
    assert gens(index_dir) == before_gens == [first.generation]
    assert {p.name: p.stat().st_mtime_ns for p in (index_dir / "cache").iterdir()} == cache
    assert (index_dir / store.CURRENT).stat().st_mtime_ns == current_mtime
    assert "nothing to do" in again.summary()

    # --force rebuilds, from the parse cache.
    forced = build(docs, settings, force=True)
    assert not forced.unchanged and forced.generation != first.generation
    assert parse_calls == []


# ------------------------------------------------------------------------------- updates


def test_changed_file_reparsed_alone_and_updates_figures(docs: Path, settings: Settings,
                                                         parse_calls: list[str]) -> None:
    plan = copy_plan(docs)
    (docs / "notice.txt").write_text(NOTICE, encoding="utf-8")
    first = build(docs, settings)
    old_gen = current(settings)
    assert target_2020(store.Records(old_gen)) == 10

    text = plan.read_text(encoding="utf-8")
    assert text.count(FERTILITY_ROW) == 1
    plan.write_text(text.replace(FERTILITY_ROW, FERTILITY_ROW.replace("\t10\t", "\t12.5\t")), encoding="utf-8")
    parse_calls.clear()
    second = build(docs, settings)

    assert not second.unchanged and second.generation != first.generation
    assert parse_calls == ["plan.txt"]  # the notice came from the cache
    assert second.documents == 2 and second.indicators == first.indicators
    new_gen = current(settings)
    assert new_gen.name == second.generation
    records = store.Records(new_gen)
    assert target_2020(records) == 12.5
    assert chroma_ids(new_gen, settings) == sorted(c.id for c in records.chunks)
    # The previous generation is kept for readers that opened it just before the swap.
    assert target_2020(store.Records(old_gen)) == 10


def test_removed_file_is_gone_from_new_generation(docs: Path, settings: Settings) -> None:
    (docs / "a.txt").write_text(small_doc("上饶市", "就业援助", 3000), encoding="utf-8")
    (docs / "b.txt").write_text(small_doc("抚州市", "技能培训", 4000), encoding="utf-8")
    first = build(docs, settings)
    assert first.documents == 2
    before = store.Records(current(settings))
    assert sorted(d.source for d in before.documents.values()) == ["a.txt", "b.txt"]

    (docs / "b.txt").unlink()
    second = build(docs, settings)
    assert second.documents == 1 and second.generation != first.generation
    records = store.Records(current(settings))
    assert [d.source for d in records.documents.values()] == ["a.txt"]
    (doc_id,) = records.documents
    assert {c.doc_id for c in records.chunks} == {doc_id}
    assert all("抚州市" not in c.text for c in records.chunks)
    assert len(chroma_ids(current(settings), settings)) == len(records.chunks)
    # The removed file's parse is dropped from the cache too.
    assert len(list((Path(settings.index_dir) / "cache").iterdir())) == 1


def test_renamed_file_is_cited_under_its_new_name(docs: Path, settings: Settings) -> None:
    (docs / "旧名.txt").write_text(small_doc("宜春市", "创业担保贷款", 2000), encoding="utf-8")
    build(docs, settings)
    (docs / "旧名.txt").rename(docs / "新名.txt")
    report = build(docs, settings)
    assert not report.unchanged
    (doc,) = store.Records(current(settings)).documents.values()
    assert doc.source == "新名.txt"


def test_manifest_row_change_makes_new_generation(docs: Path, settings: Settings, parse_calls: list[str]) -> None:
    (docs / "a.txt").write_text(small_doc("吉安市", "就业见习", 1500), encoding="utf-8")
    (docs / "b.txt").write_text(small_doc("萍乡市", "农民工返乡创业", 800), encoding="utf-8")
    manifest = docs / "manifest.csv"
    manifest.write_text("file,title,status\na.txt,吉安市就业见习管理办法,现行有效\n", encoding="utf-8")
    first = build(docs, settings)
    meta = {d.source: d.meta for d in store.Records(current(settings)).documents.values()}
    assert (meta["a.txt"].title, meta["a.txt"].status) == ("吉安市就业见习管理办法", "现行有效")
    assert meta["b.txt"].title == "萍乡市农民工返乡创业实施办法"  # no row: from the text

    manifest.write_text("file,title,status\na.txt,吉安市就业见习管理办法（修订）,已废止\n", encoding="utf-8")
    parse_calls.clear()
    second = build(docs, settings)
    assert not second.unchanged and second.generation != first.generation
    assert parse_calls == ["a.txt"]
    records = store.Records(current(settings))
    meta = {d.source: d.meta for d in records.documents.values()}
    assert (meta["a.txt"].title, meta["a.txt"].status) == ("吉安市就业见习管理办法（修订）", "已废止")
    (a_id,) = [d.id for d in records.documents.values() if d.source == "a.txt"]
    assert {c.doc_title for c in records.chunks if c.doc_id == a_id} == {"吉安市就业见习管理办法（修订）"}
    assert "吉安市就业见习管理办法（修订）" in {d["title"] for d in records.manifest["documents"]}


# ------------------------------------------------------------------------------- crashes


def _engine(settings: Settings) -> Any:
    from assistant.engine import Engine

    return Engine.open(settings=settings)


def _answers_fertility(engine: Any) -> None:
    hits = engine.search("生育保险参保人数2020年目标", k=5)
    assert hits, "the served index must still answer"
    assert any("生育保险" in h.chunk.text for h in hits)


def test_crash_during_search_index_build_keeps_old_index(docs: Path, settings: Settings,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import retriever.build

    plan = copy_plan(docs)
    first = build(docs, settings)
    index_dir = Path(settings.index_dir)
    engine = _engine(settings)
    try:
        _answers_fertility(engine)

        real = retriever.build.build_search_index
        written: list[Path] = []

        def crash_halfway(chunks: list[Any], metas: dict[str, Any], gen_dir: Path, *args: Any, **kwargs: Any) -> Any:
            real(chunks[: len(chunks) // 2], metas, gen_dir, *args, **kwargs)  # lexical/, dense/ and Chroma half written
            written.append(gen_dir)
            raise RuntimeError("disk full (simulated)")

        monkeypatch.setattr(pipeline, "build_search_index", crash_halfway)
        plan.write_text(plan.read_text(encoding="utf-8").replace(FERTILITY_ROW, FERTILITY_ROW.replace("\t10\t", "\t11\t")),
                        encoding="utf-8")
        with pytest.raises(RuntimeError, match="disk full"):
            build(docs, settings)

        assert written and (written[0] / "lexical").exists() is False  # the half-built dir was removed
        assert (index_dir / store.CURRENT).read_text(encoding="utf-8").strip() == first.generation
        assert current(settings).name == first.generation
        assert gens(index_dir) == [first.generation]
        assert leftovers(index_dir) == []
        old = store.Records(current(settings))
        assert target_2020(old) == 10
        # The engine that was serving keeps serving, and a newly opened one loads the old generation.
        engine.refresh(force=True)
        assert engine.generation.path.name == first.generation
        _answers_fertility(engine)
    finally:
        engine.close()
    fresh = _engine(settings)
    try:
        _answers_fertility(fresh)
        assert fresh.generation.path.name == first.generation
    finally:
        fresh.close()

    # Once the failure is gone the change goes through.
    monkeypatch.undo()
    fixed = build(docs, settings)
    assert fixed.generation != first.generation
    assert target_2020(store.Records(current(settings))) == 11


def test_crash_before_current_swap_keeps_old_index(docs: Path, settings: Settings,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    (docs / "a.txt").write_text(small_doc("鹰潭市", "公益性岗位", 600), encoding="utf-8")
    first = build(docs, settings)
    index_dir = Path(settings.index_dir)
    real_replace = os.replace
    attempts: list[str] = []

    def failing_replace(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        if Path(dst) == index_dir / store.CURRENT:
            attempts.append(Path(src).name)
            raise OSError("power cut (simulated)")
        real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(store.os, "replace", failing_replace)
    (docs / "a.txt").write_text(small_doc("鹰潭市", "公益性岗位", 900), encoding="utf-8")
    with pytest.raises(OSError, match="power cut"):
        build(docs, settings)
    monkeypatch.undo()

    assert attempts, "the new generation was fully written and about to be swapped in"
    assert (index_dir / store.CURRENT).read_text(encoding="utf-8").strip() == first.generation
    records = store.Records(current(settings))
    assert "600人次" in "".join(c.text for c in records.chunks)
    assert len(chroma_ids(current(settings), settings)) == len(records.chunks)
    assert leftovers(index_dir) == []
    assert gens(index_dir) == [first.generation]  # the never-served generation is not left behind

    retry = build(docs, settings)
    assert retry.generation != first.generation
    assert "900人次" in "".join(c.text for c in store.Records(current(settings)).chunks)


# ------------------------------------------------------------------------------- bad input


def test_bad_files_are_skipped_with_one_message_each(docs: Path, settings: Settings) -> None:
    import random

    (docs / "good.txt").write_text(small_doc("新余市", "就业扶贫", 1200), encoding="utf-8")
    bad = {
        "broken.pdf": bytes(random.Random(1).randrange(256) for _ in range(4000)),
        "empty.txt": b"",
        "table.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500,
        "garbled.txt": b"\xff\xfe\xfa" * 100,
    }
    for name, data in bad.items():
        (docs / name).write_bytes(data)

    report = build(docs, settings)
    assert report.documents == 1
    (doc,) = store.Records(current(settings)).documents.values()
    assert doc.source == "good.txt"
    assert len(report.skipped) == len(bad)
    for name in bad:
        assert sum(name in msg for msg in report.skipped) == 1, (name, report.skipped)
    by_name = {name: next(m for m in report.skipped if name in m) for name in bad}
    assert "PDF" in by_name["broken.pdf"]
    assert "empty" in by_name["empty.txt"]
    assert "unsupported file type '.xls'" in by_name["table.xls"]
    assert "not UTF-8 or GBK" in by_name["garbled.txt"]
    assert all(name in report.summary() for name in bad)

    # Nothing changed: a no-op, but the unreadable files are still reported as skipped.
    again = build(docs, settings)
    assert again.unchanged
    assert sorted(again.skipped) == sorted(report.skipped)

    # Only bad files left: nothing is published and the old index keeps serving.
    (docs / "good.txt").unlink()
    served = current(settings).name
    before = gens(Path(settings.index_dir))
    allbad = build(docs, settings)
    assert allbad.documents == 0 and not allbad.unchanged and allbad.generation == ""
    assert len(allbad.skipped) == len(bad)
    assert current(settings).name == served
    assert gens(Path(settings.index_dir)) == before
    assert leftovers(Path(settings.index_dir)) == []
    assert [d.source for d in store.Records(current(settings)).documents.values()] == ["good.txt"]


def test_all_bad_into_empty_index_publishes_nothing(docs: Path, settings: Settings) -> None:
    (docs / "empty.txt").write_bytes(b"  \n\n ")
    report = build(docs, settings)
    assert report.documents == 0 and len(report.skipped) == 1 and "empty.txt" in report.skipped[0]
    assert store.current_generation(Path(settings.index_dir)) is None


def test_same_text_twice_is_indexed_once(docs: Path, settings: Settings) -> None:
    text = small_doc("赣州市", "稳岗返还", 700)
    (docs / "a.txt").write_text(text, encoding="utf-8")
    (docs / "a-copy.txt").write_text(text, encoding="utf-8")
    report = build(docs, settings)
    assert report.documents == 1
    assert len(report.skipped) == 1
    assert "same text" in report.skipped[0] and "indexed once" in report.skipped[0]
    records = store.Records(current(settings))
    assert len(records.documents) == 1
    assert len(chroma_ids(current(settings), settings)) == len(records.chunks)


def test_dropped_in_file_gets_meta_from_its_text(docs: Path, settings: Settings) -> None:
    (docs / "manifest.csv").write_text("file,title\nother.txt,别的文件\n", encoding="utf-8")
    (docs / "notice.txt").write_text(NOTICE, encoding="utf-8")
    (docs / "measures.txt").write_text(MEASURES, encoding="utf-8")
    report = build(docs, settings)
    assert report.documents == 2 and report.skipped == []
    meta = {d.source: d.meta for d in store.Records(current(settings)).documents.values()}

    notice = meta["notice.txt"]
    assert notice.title == "南昌市职业技能提升行动实施方案"
    assert notice.region == "南昌市"
    assert notice.doc_number == "洪人社发〔2021〕7号"
    assert notice.issue_date == "2021-03-05"
    assert notice.issuers == ["南昌市人力资源和社会保障局"]

    measures = meta["measures.txt"]
    assert measures.title == "九江市就业创业补贴管理办法"
    assert measures.region == "九江市"
    assert measures.doc_number == ""
