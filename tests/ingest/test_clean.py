from ingest.clean import clean, should_join

PAGE_BREAKS = ["人力资源社会保障信息化水平", "未来五年", "依法保护农民工就业权益", "建立各级财政", "着力做好跨地区"]


def test_page_break_repairs_in_plan(plan_raw: str) -> None:
    text = clean(plan_raw).text
    for joined in PAGE_BREAKS:
        assert joined in text, joined
    # The raw text has these split across a blank line.
    assert "人力资源社\n\n会保障" in plan_raw and "人力资源社\n\n会保障" not in text


def test_heading_without_full_stop_is_not_merged(plan_raw: str) -> None:
    text = clean(plan_raw).text
    assert "1. 实施积极的就业政策\n\n健全促进就业" in text
    assert "3、加强劳动关系工作能力建设\n\n加强劳动人事争议" in text


def test_should_join_rules() -> None:
    long_line = "着力提升公共服务能力，基层公共服务设施建设取得重大进展，人力资源社"
    assert should_join(long_line, "会保障信息化水平不断提升。", True)
    assert not should_join("1. 实施积极的就业政策", "健全促进就业的综合性政策。", True)
    assert not should_join("景德镇市发展和改革委员会", "文件", True)  # short header lines
    assert not should_join("已经结束的句子。", "下一段。", True)
    assert not should_join(long_line, "专栏1 “十二五”时期主要发展指标完成情况", True)


def test_furniture_dropped_and_spacing_normalized(plan_raw: str) -> None:
    text = clean(plan_raw).text
    assert "此页无正文" not in text
    assert "城镇累积新增就业12万人" in text
    assert "12 万人" not in text
    assert "2015年完成数" in text


def test_full_width_digits_and_offsets() -> None:
    raw = "城镇新增就业　１２ 万人，\n\n失业率控制在 ４.５％ 左右。"
    c = clean(raw)
    assert c.text == "城镇新增就业12万人，失业率控制在4.5%左右。"
    assert len(c.offsets) == len(c.text)
    # Each cleaned character maps back to a raw character of the same meaning.
    for i, ch in enumerate(c.text):
        assert raw[c.offsets[i]] in (ch, chr(ord(ch) + 0xFEE0)), (i, ch)
    assert c.offsets == sorted(c.offsets)


def test_page_furniture_patterns() -> None:
    c = clean("正文第一段。\n\n- 3 -\n\n第 4 页 共 12 页\n\n(此页无正文)\n\n正文第二段。")
    assert c.text == "正文第一段。\n\n正文第二段。"
