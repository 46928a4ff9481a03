from ingest.parse import heading_of, parse_structure, top_level_sections

TOP_LEVEL = [
    "一、发展基础和面临形势",
    "二、指导思想和主要目标",
    "三、努力实现更加充分的就业",
    "四、建设更加公平可持续的社会保险制度",
    "五、建设高素质人才队伍",
    "六、深化人事制度改革",
    "七、深化收入分配制度改革",
    "八、构建和谐劳动关系",
    "九、加强信息化和公共服务体系建设",
    "十、全面推动规划实施",
]

ZHUANLAN1 = [
    ("五年城镇新增就业人数", "万人", "13.3", "18.17"), ("城镇登记失业率", "%", "<3.5", "<3.5"),
    ("新增转移农业劳动力", "万人", "26.7", "13.39"), ("城镇基本养老保险参保人数", "万人", "40", "42.32"),
    ("新型农村社会养老保险参保人数", "万人", "56.5", "54.40"), ("基本医疗保险参保人数", "万人", "155.46", "71.98"),
    ("失业保险参保人数", "万人", "13.6", "13.6"), ("工伤保险参保人数", "万人", "32", "27.33"),
    ("生育保险参保人数", "万人", "6.7", "9.72"), ("社会保障卡发卡数量", "万张", "68.96", "87.5"),
    ("人才资源总量", "万人", "21.75", "22.1"), ("专业技术人才总量", "万人", "7.5", "7.6"),
    ("新增高技能人才总量", "万人", "2.05", "2.24"), ("农村实用人才总量", "万人", "5", "3.9"),
    ("最低工资标准年均增长率", "%", ">13", "16.27"), ("企业劳动合同签订率", "%", "97", "96"),
    ("企业集体合同签订率", "%", "85", "80"), ("劳动人事争议仲裁结案率", "%", "95", "93"),
]

ZHUANLAN2 = [
    ("一、就业", "城镇新增就业人数", "万人", "2.31", "2.31", "预期性"),
    ("一、就业", "城镇调查失业率", "%", "4.5%", "4.5%", "预期性"),
    ("一、就业", "小额信用担保贷款", "亿元", "4.2", "21", "预期性"),
    ("二、社会保障", "城镇职工基本养老保险参保人数", "万人", "45.73", "42.62", "约束性"),
    ("二、社会保障", "城乡居民基本养老保险参保人数", "万人", "54.40", "54.41", "预期性"),
    ("二、社会保障", "基本医疗保险参保人数", "万人", "141.08", "148.5", "约束性"),
    ("二、社会保障", "失业保险参保人数", "万人", "13.6", "14", "约束性"),
    ("二、社会保障", "工伤保险参保人数", "万人", "27.3", "27.8", "约束性"),
    ("二、社会保障", "生育保险参保人数", "万人", "8.3", "10", "约束性"),
    ("二、社会保障", "社会保障卡发卡数量", "万张", "87.5", "150", "预期性"),
    ("三、人才队伍建设", "人才资源总量", "万人", "22.1", "26.25", "预期性"),
    ("三、人才队伍建设", "专业技术人才总量", "万人", "7.6", "9.1", "预期性"),
    ("三、人才队伍建设", "博士及高级职称以上高层次人才", None, "0.77", "0.92", "预期性"),
    ("三、人才队伍建设", "高技能人才总量", "万人", "2.24", "2.8", "预期性"),
    ("四、劳动关系", "企业劳动合同签订率", "%", "96", "98", "预期性"),
    ("四、劳动关系", "劳动人事争议仲裁结案率", "%", "93", "93", "预期性"),
]


def test_plan_has_exactly_ten_top_level_sections(plan_parsed) -> None:
    tops = top_level_sections(plan_parsed.sections)
    assert [s.path[0] for s in tops] == TOP_LEVEL
    assert [s.title for s in tops][2] == "努力实现更加充分的就业"


def test_section_paths_and_numbering_styles(plan_parsed) -> None:
    paths = {" › ".join(s.path) for s in plan_parsed.sections}
    assert "三、努力实现更加充分的就业 › 3. 推动大众创业" in paths
    # "3、" with the Chinese enumeration comma is a heading, at the same depth as "1."
    assert "八、构建和谐劳动关系 › 3、加强劳动关系工作能力建设" in paths
    # 专栏2's group labels "一、就业" are not sections.
    assert not any(s.path[0] == "一、就业" for s in plan_parsed.sections)


def test_zhuanlan1_rows(plan_parsed) -> None:
    rows = [i for i in plan_parsed.indicators if i.table_id == "专栏1"]
    assert len(rows) == 18
    for ind, (name, unit, target, done) in zip(rows, ZHUANLAN1):
        assert (ind.name, ind.unit) == (name, unit)
        assert ind.values["十二五规划目标"].raw == target
        assert ind.values["2015年完成数"].raw == done
    assert [i.row for i in rows] == list(range(1, 19))
    assert rows[1].values["十二五规划目标"].comparator == "<"
    assert rows[1].values["十二五规划目标"].number == 3.5
    assert rows[14].values["十二五规划目标"].comparator == ">"
    assert rows[0].caption == "“十二五”时期主要发展指标完成情况"


def test_zhuanlan2_rows(plan_parsed) -> None:
    rows = [i for i in plan_parsed.indicators if i.table_id == "专栏2"]
    assert len(rows) == 16
    for ind, (group, name, unit, base, target, attr) in zip(rows, ZHUANLAN2):
        assert (ind.group, ind.name, ind.unit, ind.attribute) == (group, name, unit, attr)
        assert ind.values["2015年基数"].raw == base
        assert ind.values["2020年目标"].raw == target
    assert rows[1].values["2020年目标"].unit == "%"
    assert rows[8].values["2020年目标"].number == 10.0


def test_indicator_offsets_point_at_the_row(plan_parsed) -> None:
    text = plan_parsed.document.text
    for ind in plan_parsed.indicators:
        assert text[ind.start:ind.end] == ind.row_text
        assert ind.name in text[ind.start:ind.end]


def test_boxes_with_items(plan_parsed) -> None:
    boxes = [s for s in plan_parsed.sections if s.kind == "box"]
    assert [b.number for b in boxes] == [f"专栏{n}" for n in range(1, 10)]
    items = [c for c in plan_parsed.chunks if c.kind == "box_item"]
    titles = {c.section_path[-1] for c in items}
    assert "02 “大众创业”服务计划" in titles
    assert "01 全民参保登记项目" in titles
    assert "04 “技兴赣鄱”专项行动" in titles
    box3 = [c for c in items if "专栏3 就业促进计划" in c.section_path]
    assert {c.section_path[-1][:2] for c in box3} == {"01", "02", "03", "04", "05"}


def test_heading_styles() -> None:
    assert heading_of("（一）总体要求").style == "paren_cn"
    assert heading_of("（2）加强培训").style == "paren_arabic"
    assert heading_of("第二章 总则").style == "chapter"
    art = heading_of("第三条 本办法适用于全市各类用人单位。")
    assert art.style == "article" and art.number == "第三条" and art.body.startswith("本办法")
    assert heading_of("1. 这是一个很长的列表项，它以句号结尾并且不是标题。") is None
    assert heading_of("2.31") is None


def test_generic_document_with_chapters_and_articles() -> None:
    text = "第一章 总则\n\n第一条 为了规范管理，制定本办法。\n\n第二条 本办法适用于全市。\n\n第二章 补贴标准\n\n第三条 补贴标准为每人1000元。"
    st = parse_structure("x", text)
    paths = [" › ".join(s.path) for s in st.sections]
    assert paths == ["第一章 总则", "第一章 总则 › 第一条", "第一章 总则 › 第二条", "第二章 补贴标准", "第二章 补贴标准 › 第三条"]
    assert [b.text for b in st.blocks if b.kind == "paragraph"][-1] == "补贴标准为每人1000元。"


def test_document_meta(plan_parsed) -> None:
    m = plan_parsed.document.meta
    assert m.title == "景德镇市人力资源和社会保障事业发展“十三五”规划"
    assert m.doc_number == "景人社发〔2018〕10号"
    assert m.issuers == ["景德镇市人力资源和社会保障局", "景德镇市发展和改革委员会"]
    assert m.issue_date == "2018-01-19"
    assert (m.period, m.region) == ("2016-2020", "景德镇市")
    assert "江西省人力资源和社会保障事业发展“十三五”规划" in m.basis
