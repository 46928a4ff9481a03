"""Flattened text: one physical line cut back into the document's lines, keeping every offset."""
from __future__ import annotations

from ingest.clean import clean
from ingest.flat import FLAT_LINE, split_flat
from ingest.meta import TITLE_MAX, short_title

BODY = "为做好有关工作，现通知如下。" * 3


def _lines(text: str) -> list[str]:
    return [text[a:b] for a, b in split_flat(text)]


def test_short_lines_are_left_alone() -> None:
    assert split_flat("一、总则 第一条 为了规范管理。") == [(0, 16)]


def test_headings_numbered_in_sequence_are_cut_out() -> None:
    text = ("某市人力资源和社会保障局关于做好就业工作的通知各县（区）人力资源和社会保障局：" + BODY
            + "一、总体要求（一）目标任务。" + BODY * 4 + "（二）工作原则。" + BODY * 4
            + "二、主要措施1.加强就业服务。" + BODY * 4 + "2.落实补贴政策。" + BODY * 4)
    assert len(text) >= FLAT_LINE
    lines = _lines(text)
    assert lines[0] == "某市人力资源和社会保障局关于做好就业工作的通知"
    assert lines[1] == "各县（区）人力资源和社会保障局："
    starts = [line[:6] for line in lines[2:]]
    for head in ("一、总体要求", "（一）目标任", "（二）工作原", "二、主要措施", "1.加强就业", "2.落实补贴"):
        assert any(s.startswith(head[:5]) for s in starts), head


def test_a_reference_inside_a_sentence_is_not_a_heading() -> None:
    text = "第一条 为了规范管理，制定本办法。" + BODY * 6 + "依照本办法第十条规定处理，按第三条执行。" + BODY * 6
    lines = _lines(text)
    assert not any(line.startswith(("第十条", "第三条")) for line in lines)


def test_spaces_between_paragraphs_are_cuts_but_a_bare_number_keeps_its_title() -> None:
    text = "第一章 总则 第一条 为了规范管理，制定本办法。" + BODY * 12
    lines = _lines(text)
    assert lines[:2] == ["第一章 总则", "第一条 为了规范管理，制定本办法。" + BODY * 12]


def test_offsets_point_into_the_original() -> None:
    text = "关于做好就业工作的通知 各有关单位： " + BODY * 12 + " 一、总体要求 " + BODY * 12
    cleaned = clean(text)
    assert "\n" in cleaned.text
    for i, ch in enumerate(cleaned.text):
        if ch != "\n":
            assert text[cleaned.offsets[i]] == ch


def test_short_title() -> None:
    long = "某市人力资源和社会保障局关于进一步做好新冠肺炎疫情防控期间就业服务工作的通知为深入贯彻落实党中央决策部署，现就有关事项通知如下，请各单位认真贯彻执行"
    assert short_title(long) == "某市人力资源和社会保障局关于进一步做好新冠肺炎疫情防控期间就业服务工作的通知"
    assert short_title("黑龙江：确保城镇居民用水用气不断供在19日召开的新闻发布会上，省住房和城乡建设厅党组成员、副厅长就疫情期间优化用水用气作了详细介绍") \
        == "黑龙江：确保城镇居民用水用气不断供在19日召开的新闻发布会上"
    assert len(short_title("很长的标题" * 40)) == TITLE_MAX
    # a news headline runs on into its dateline and lead
    assert short_title("助力贫困劳动力就地就业新华社兰州2月17日电（记者王朋）记者从省人力资源和社会保障厅获悉") == "助力贫困劳动力就地就业"
    assert short_title("财政部预拨补助资金80亿元（记者申铖）记者15日从财政部获悉") == "财政部预拨补助资金80亿元"


def test_spaces_inside_figures_are_typesetting_not_line_breaks() -> None:
    # PDF-derived text spaces its numbers; cutting there dropped "2020 年 2 月 29" from the sentence.
    sentence = "鉴于疫情形势，我省集中缴费截止日期早于 2020年 3月 31日的统筹区，截止日期由 2020 年 2 月 29 日统一延长，ETC车辆计费为 0 元。"
    lines = _lines(sentence + " " + BODY * 40)
    assert lines[0] == sentence


def test_a_date_after_a_signature_or_heading_still_starts_a_line() -> None:
    text = BODY * 40 + " 财政部 税务总局 2020年2月6日 （此件公开发布） 工作要加力 2月10日，国家税务总局召开会议。"
    lines = _lines(text)
    assert "2020年2月6日" in lines and "2月10日，国家税务总局召开会议。" in lines
