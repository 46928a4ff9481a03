from ingest.chunk import chunk_document
from ingest.parse import parse_structure


def _fig(parsed, raw_contains: str, subject_contains: str):  # type: ignore[no-untyped-def]
    for f in parsed.figures:
        if raw_contains in f.raw and subject_contains in f.subject:
            return f
    raise AssertionError(f"no figure {raw_contains} / {subject_contains}")


def test_text_figures(plan_parsed) -> None:
    f = _fig(plan_parsed, "80元", "月人均养老金")
    assert (f.value, f.unit, f.year) == (80.0, "元", 2020)
    assert f.section_path == ["二、指导思想和主要目标"]
    loan = _fig(plan_parsed, "21亿元", "创业担保贷款")
    assert loan.value == 21.0 and loan.unit == "亿元"
    assert loan.section_path[-1] == "3. 推动大众创业"
    people = _fig(plan_parsed, "1.2万人", "扶持")
    assert "扶持1.2万人创业" in people.clause
    text = plan_parsed.document.text
    for f in plan_parsed.figures:
        assert text[f.start:f.end] == f.raw


def test_chunks_carry_context_and_stay_in_sections(plan_parsed) -> None:
    doc = plan_parsed.document
    for c in plan_parsed.chunks:
        assert c.doc_title == doc.meta.title
        assert c.id and len(c.id) == 16
        if c.kind == "text":
            # The chunk's text starts in its section; a chunk of packed short sections ends in a sibling or
            # sub-section of it, within the same chapter.
            assert doc.text[c.start:c.end].replace("\n", "").startswith(c.text.replace("\n", "")[:20])
            sec = [s for s in plan_parsed.sections if s.path == c.section_path]
            assert sec and sec[0].start <= c.start < sec[0].end
            chapter = [s for s in plan_parsed.sections if s.path == c.section_path[:1]]
            assert chapter and c.end <= chapter[0].end
    rows = [c for c in plan_parsed.chunks if c.kind == "table_row"]
    assert len(rows) == 34
    row = next(c for c in rows if "生育保险参保人数" in c.text and c.meta["table_id"] == "专栏2")
    assert "2015年基数：8.3万人" in row.text and "2020年目标：10万人" in row.text and "约束性" in row.text
    assert row.section_path[-1] == "二、社会保障"
    assert sum(c.kind == "table_overview" for c in plan_parsed.chunks) == 2


def test_chunk_ids_are_stable(plan_raw: str) -> None:
    from ingest.document import parse_text

    a = parse_text(plan_raw, "a.txt")
    b = parse_text(plan_raw, "a.txt")
    assert [c.id for c in a.chunks] == [c.id for c in b.chunks]
    assert len({c.id for c in a.chunks}) == len(a.chunks)


def test_long_paragraph_splits_at_sentence_ends() -> None:
    from core.types import Document, DocumentMeta

    text = "一、总则\n\n" + "这是一句话，用来测试分块。" * 40
    doc = Document(id="d", source="s", raw_text=text, text=text, offsets=list(range(len(text))),
                   meta=DocumentMeta(title="测试"))
    st = parse_structure("d", text)
    chunks = [c for c in chunk_document(doc, st.blocks, [], 100) if c.kind == "text"]
    assert len(chunks) > 4
    assert all(c.text.endswith("。") and len(c.text) <= 100 for c in chunks)
    assert all(c.section_path == ["一、总则"] for c in chunks)


def _doc(text: str):  # type: ignore[no-untyped-def]
    from core.types import Document, DocumentMeta

    return Document(id="d", source="s", raw_text=text, text=text, offsets=list(range(len(text))),
                    meta=DocumentMeta(title="测试办法"))


def test_short_sibling_sections_are_packed_with_their_headings() -> None:
    # A regulation's short articles: the question's words (第二条) and its answer (第三条) sit in two of them.
    text = ("关于印发测试办法的通知\n\n第一条\n为规范见习管理，制定本办法。\n\n第二条\n见习人员在见习期间可以领取生活补贴。\n\n"
            "第三条\n补贴标准为每人每月500元。")
    st = parse_structure("d", text)
    chunks = [c for c in chunk_document(_doc(text), st.blocks, [], 400) if c.kind == "text"]
    assert [(c.section_path, c.text) for c in chunks] == [
        (["前言"], "关于印发测试办法的通知"),  # the preamble joins no section
        (["第一条"], "为规范见习管理，制定本办法。\n第二条\n见习人员在见习期间可以领取生活补贴。\n第三条\n补贴标准为每人每月500元。"),
    ]
    packed = chunks[1]
    assert text[packed.start:packed.end].startswith("为规范") and text[packed.start:packed.end].endswith("500元。")
    # Packing stops at the passage size: at 30 characters every article stays alone.
    small = [c for c in chunk_document(_doc(text), st.blocks, [], 30) if c.kind == "text"]
    assert [c.section_path for c in small] == [["前言"], ["第一条"], ["第二条"], ["第三条"]]


def test_chapters_with_sub_sections_are_not_packed_together() -> None:
    text = "一、总则\n本办法适用于见习人员。\n（一）范围\n见习基地应当依法登记。\n二、待遇\n见习期间按月发放补贴。\n（一）标准\n每人每月500元。"
    st = parse_structure("d", text)
    chunks = [c for c in chunk_document(_doc(text), st.blocks, [], 400) if c.kind == "text"]
    assert [(c.section_path, c.text) for c in chunks] == [
        (["一、总则"], "本办法适用于见习人员。\n（一）范围\n见习基地应当依法登记。"),
        (["二、待遇"], "见习期间按月发放补贴。\n（一）标准\n每人每月500元。"),
    ]


def test_a_heading_with_no_text_of_its_own_is_text() -> None:
    text = "1.扫码关注公众号\n2.搜索“调解仲裁”服务\n3.提交申请\n提交后5个工作日内递交材料。"
    st = parse_structure("d", text)
    chunks = [c for c in chunk_document(_doc(text), st.blocks, [], 400, sections=st.sections) if c.kind == "text"]
    assert [c.text for c in chunks] == ["1.扫码关注公众号\n2.搜索“调解仲裁”服务\n3. 提交申请\n提交后5个工作日内递交材料。"]
    assert (chunks[0].start, chunks[0].end) == (0, len(text))
