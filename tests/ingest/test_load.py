"""ingest.load: every input format is generated here with its own library, then read back."""
from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pytest

from ingest.errors import IngestError
from ingest.load import SUPPORTED_SUFFIXES, LoadedFile, discover, load_file

HEADING = "一、发展基础"
SENTENCE = "城镇新增就业12万人。"
DOC_TEXT = f"{HEADING}\n\n{SENTENCE}"
CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


def _error(path: Path) -> IngestError:
    with pytest.raises(IngestError) as info:
        load_file(path)
    assert path.name in str(info.value)
    return info.value


# ---------------------------------------------------------------- txt / md

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_txt_encodings(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "规划.txt"
    path.write_bytes(DOC_TEXT.encode(encoding))
    loaded = load_file(path)
    assert loaded.text == DOC_TEXT  # BOM dropped, GBK decoded exactly
    assert loaded.format == "txt"


def test_gbk_text_is_not_misread(tmp_path: Path) -> None:
    # Long GBK text with rare characters must come back exactly, not as a lookalike encoding.
    text = "朱镕基同志指出，要坚持实事求是。\r\n第二条　本办法适用于全市。\r\n" * 20
    path = tmp_path / "gbk.txt"
    path.write_bytes(text.encode("gbk"))
    assert load_file(path).text == text.replace("\r\n", "\n")


def test_txt_newlines_normalized(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"a\r\nb\rc\n")
    assert load_file(path).text == "a\nb\nc\n"


def test_undecodable_txt(tmp_path: Path) -> None:
    data = b"\xff\xfe\xfa" * 100
    for encoding in ("utf-8", "gb18030"):
        with pytest.raises(UnicodeDecodeError):
            data.decode(encoding)
    path = tmp_path / "乱码.txt"
    path.write_bytes(data)
    assert "is not UTF-8 or GBK text" in str(_error(path))


def test_markdown_headings_and_table(tmp_path: Path) -> None:
    path = tmp_path / "plan.md"
    path.write_text(
        "# 某市规划\n\n## 三、主要任务\n\n###四、保障措施 ###\n\n"
        "| 指标 | 2025年 |\n|:---|---:|\n| 城镇新增就业 | 12万人 |\n\n"
        "正文 #不是标题\n\n```\n# code stays\n```\n",
        encoding="utf-8",
    )
    lines = load_file(path).text.split("\n")
    assert lines[:6] == ["某市规划", "", "三、主要任务", "", "四、保障措施", ""]
    assert lines[6:9] == ["指标\t2025年", "城镇新增就业\t12万人", ""]
    assert "正文 #不是标题" in lines
    assert "# code stays" in lines
    assert not any("---" in line for line in lines)


# ---------------------------------------------------------------- HTML

PAGE = """<!DOCTYPE html>
<html><head>{meta}<title>页面标题</title><style>p {{ color: red }}</style></head>
<body><header>网站导航</header><nav>首页</nav>
<div class="TRS_Editor">
  <h2>一、发展基础</h2>
  <p>城镇新增<span>就业</span>12万人。</p>
  <p>朱镕基同志
  指出，要坚持实事求是。<br>第二行</p>
  <table>
    <tr><th>指标</th><th>2025年</th></tr>
    <tr><td><p class="MsoNormal"><span>城镇</span><span>新增就业</span></p></td><td>12&nbsp;万人</td></tr>
  </table>
  <script>document.write("脚本内容");</script>
  <!-- 注释 -->
  <ul><li>第一项</li><li>第二项</li></ul>
</div>
<footer>版权所有</footer></body></html>"""


def _check_page(text: str) -> None:
    assert "一、发展基础\n\n城镇新增就业12万人。\n\n" in text
    assert "朱镕基同志指出，要坚持实事求是。\n\n第二行" in text  # source line break inside Chinese is not a space
    assert "指标\t2025年\n城镇新增就业\t12 万人" in text
    assert "第一项\n\n第二项" in text
    for dropped in ("脚本内容", "document.write", "color", "页面标题", "网站导航", "首页", "版权所有", "注释"):
        assert dropped not in text


def test_html_utf8(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(PAGE.format(meta='<meta charset="utf-8">'), encoding="utf-8")
    loaded = load_file(path)
    assert loaded.format == "html"
    _check_page(loaded.text)


@pytest.mark.parametrize("charset", ["gb2312", "gbk", "GB18030"])
def test_html_gbk_with_meta_charset(tmp_path: Path, charset: str) -> None:
    # Pages labelled gb2312 routinely contain GBK-only characters such as 镕.
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
    path = tmp_path / "page.htm"
    path.write_bytes(PAGE.format(meta=meta).encode("gbk"))
    loaded = load_file(path)
    assert loaded.format == "html"
    _check_page(loaded.text)


def test_html_gbk_without_meta(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(PAGE.format(meta="").encode("gbk"))
    _check_page(load_file(path).text)


def test_html_layout_table_is_read_as_blocks(tmp_path: Path) -> None:
    paragraphs = "".join(f"<p>第{i}段内容。</p>" for i in range(1, 8))
    path = tmp_path / "old.html"
    path.write_text(f"<html><body><table><tr><td>{paragraphs}</td></tr></table></body></html>", encoding="utf-8")
    assert load_file(path).text == "\n\n".join(f"第{i}段内容。" for i in range(1, 8))


def test_html_table_spans(tmp_path: Path) -> None:
    path = tmp_path / "spans.html"
    path.write_text(
        "<table><tr><td colspan='4'>表1 主要指标</td></tr>"
        "<tr><th>类别</th><th>指标</th><th>2025年</th><th>属性</th></tr>"
        "<tr><td colspan=4>一、就业</td></tr>"
        "<tr><td rowspan='2'>民生</td><td>城镇新增就业</td><td>12万人</td><td rowspan=2>预期性</td></tr>"
        "<tr><td>城镇调查失业率</td><td>5.5%</td></tr>"
        "<tr><td>小计</td></tr></table>",
        encoding="utf-8",
    )
    assert load_file(path).text == (
        "表1 主要指标\n\n"
        "类别\t指标\t2025年\t属性\n"
        "一、就业\t\t\t\n"
        "民生\t城镇新增就业\t12万人\t预期性\n"
        "民生\t城镇调查失业率\t5.5%\t预期性\n"
        "小计\t\t\t"
    )


def test_html_one_column_table_is_text(tmp_path: Path) -> None:
    path = tmp_path / "box.html"
    path.write_text("<table><tr><td>专栏1 重点工程</td></tr><tr><td>01 就业服务工程</td></tr></table>", encoding="utf-8")
    assert load_file(path).text == "专栏1 重点工程\n\n01 就业服务工程"


# ---------------------------------------------------------------- DOCX

def test_docx_paragraphs_and_table_in_order(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading(HEADING, level=1)
    document.add_paragraph(SENTENCE)
    table = document.add_table(rows=2, cols=3)
    for row, values in zip(table.rows, [["指标", "2024年", "2025年"], ["城镇新增就业", "11万人", "12万人"]]):
        for cell, value in zip(row.cells, values):
            cell.text = value
    document.add_paragraph("二、主要任务\t（续）")
    path = tmp_path / "规划.docx"
    document.save(path)

    loaded = load_file(path)
    assert loaded.format == "docx"
    assert loaded.text == (
        f"{HEADING}\n\n{SENTENCE}\n\n"
        "指标\t2024年\t2025年\n城镇新增就业\t11万人\t12万人\n\n"
        "二、主要任务 （续）"  # a paragraph TAB must not look like a table row
    )


def test_docx_merged_cells(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    table = document.add_table(rows=5, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "表1 主要指标"  # title row across the table
    for cell, value in zip(table.rows[1].cells, ["指标", "2025年", "属性"]):
        cell.text = value
    table.cell(2, 0).merge(table.cell(2, 2)).text = "一、就业"  # group label row
    table.cell(3, 0).text, table.cell(4, 0).text = "城镇新增就业", "城镇调查失业率"
    table.cell(3, 1).text, table.cell(4, 1).text = "12万人", "5.5%"
    table.cell(3, 2).merge(table.cell(4, 2)).text = "预期性"  # vertical merge
    path = tmp_path / "merged.docx"
    document.save(path)
    assert load_file(path).text == (
        "表1 主要指标\n\n"
        "指标\t2025年\t属性\n"
        "一、就业\t\t\n"  # stays a table row: text once, covered columns empty
        "城镇新增就业\t12万人\t预期性\n"
        "城镇调查失业率\t5.5%\t预期性"  # a vertically merged value is repeated on every row it covers
    )


def test_docx_one_column_table_is_a_box(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    cell = document.add_table(rows=1, cols=1).cell(0, 0)
    cell.text = "专栏1 重点工程"
    cell.add_paragraph("01 就业服务工程")
    cell.add_paragraph("02 技能提升工程")
    path = tmp_path / "box.docx"
    document.save(path)
    assert load_file(path).text == "专栏1 重点工程\n\n01 就业服务工程\n\n02 技能提升工程"


def test_docx_content_controls(tmp_path: Path) -> None:
    # Text inside a content control is body text; a generated table of contents only repeats headings.
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    def control(text: str, gallery: str | None = None) -> object:
        part = f'<w:docPartObj><w:docPartGallery w:val="{gallery}"/></w:docPartObj>' if gallery else ""
        return parse_xml(
            f"<w:sdt {nsdecls('w')}><w:sdtPr>{part}</w:sdtPr><w:sdtContent>"
            f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:sdtContent></w:sdt>"
        )

    document = docx.Document()
    anchor = document.add_paragraph(HEADING)._p
    anchor.addnext(control(SENTENCE))
    anchor.addprevious(control("一、发展基础 ........ 3", "Table of Contents"))
    path = tmp_path / "controls.docx"
    document.save(path)
    assert load_file(path).text == DOC_TEXT


def test_doc_renamed_to_docx(tmp_path: Path) -> None:
    path = tmp_path / "old.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    assert "save as .docx" in str(_error(path))


# ---------------------------------------------------------------- PDF

def _pdf_with_text(path: Path, lines: list[str], font: Path | None = None) -> None:
    """Write a one-page PDF whose text is real (embedded font), not pixels."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.font_manager import FontProperties

    props = FontProperties(fname=str(font)) if font else FontProperties(family="DejaVu Sans")
    with matplotlib.rc_context({"pdf.fonttype": 42}):
        fig = plt.figure(figsize=(5, 3))
        for i, line in enumerate(lines):
            fig.text(0.05, 0.85 - 0.15 * i, line, fontproperties=props)
        fig.savefig(path, format="pdf")
        plt.close(fig)


@pytest.mark.skipif(not CJK_FONT.exists(), reason="needs fonts-noto-cjk to draw Chinese into a PDF")
def test_pdf_chinese_text(tmp_path: Path) -> None:
    path = tmp_path / "规划.pdf"
    _pdf_with_text(path, [HEADING, SENTENCE], CJK_FONT)
    loaded = load_file(path)
    assert loaded.format == "pdf"
    assert HEADING in loaded.text and SENTENCE in loaded.text


def test_pdf_pages_separated_by_blank_line(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    one, two = tmp_path / "1.pdf", tmp_path / "2.pdf"
    _pdf_with_text(one, ["Page one 2025"])
    _pdf_with_text(two, ["Page two 12"])
    writer = PdfWriter()
    for part in (one, two):
        writer.add_page(PdfReader(part).pages[0])
    path = tmp_path / "both.pdf"
    writer.write(path)
    assert load_file(path).text == "Page one 2025\n\nPage two 12"


def test_pdf_owner_password_only_still_reads(tmp_path: Path) -> None:
    # Many official PDFs restrict copying with an owner password but open without one.
    from pypdf import PdfReader, PdfWriter

    plain = tmp_path / "plain.pdf"
    _pdf_with_text(plain, ["Notice 2025 No. 3"])
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    path = tmp_path / "restricted.pdf"
    writer.write(path)
    assert "Notice 2025 No. 3" in load_file(path).text


def test_pdf_needing_password(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    plain = tmp_path / "plain.pdf"
    _pdf_with_text(plain, ["secret"])
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.encrypt(user_password="open-sesame", algorithm="RC4-128")
    path = tmp_path / "locked.pdf"
    writer.write(path)
    assert "password" in str(_error(path))


def test_pdf_needing_crypto_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # AES-encrypted PDFs need the optional 'cryptography' package; say so instead of "corrupt".
    import pypdf
    from pypdf.errors import DependencyError

    def needs_crypto(*args: object, **kwargs: object) -> None:
        raise DependencyError("cryptography>=3.1 is required for AES algorithm")

    monkeypatch.setattr(pypdf, "PdfReader", needs_crypto)
    path = tmp_path / "aes.pdf"
    path.write_bytes(b"%PDF-1.7")
    assert "install the 'cryptography' package" in str(_error(path))


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    path = tmp_path / "扫描件.pdf"
    writer.write(path)
    assert "no extractable text" in str(_error(path))


# ---------------------------------------------------------------- broken input

@pytest.mark.parametrize("suffix", [".pdf", ".docx"])
def test_corrupt_binary(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"broken{suffix}"
    path.write_bytes(random.Random(7).randbytes(4096))
    reason = _error(path).reason
    assert reason.startswith("is not a readable")
    assert "save it again" in reason or "re-download" in reason  # says what to do


def test_zip_that_is_not_docx(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "archive.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("文件.txt", DOC_TEXT)
    assert "is not a readable .docx file" in str(_error(path))


def test_truncated_pdf(tmp_path: Path) -> None:
    path = tmp_path / "cut.pdf"
    _pdf_with_text(path, ["truncated"])
    path.write_bytes(path.read_bytes()[:300])
    _error(path)


@pytest.mark.parametrize("name", ["empty.txt", "empty.pdf", "empty.docx", "empty.html"])
def test_empty_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    assert "is empty" in str(_error(path))


@pytest.mark.parametrize(
    ("name", "content"),
    [("blank.txt", " \r\n\t\u3000\n"), ("blank.md", "\n\n"), ("blank.html", "<html><body><script>x</script></body></html>")],
)
def test_whitespace_only(tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert "is empty" in str(_error(path))


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Simulated because tests may run as root, where chmod 000 does not block reading.
    path = tmp_path / "locked.txt"
    path.write_text(DOC_TEXT, encoding="utf-8")

    def deny(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", deny)
    assert "Permission denied" in str(_error(path))


def test_load_unsupported_suffix(tmp_path: Path) -> None:
    path = tmp_path / "data.xls"
    path.write_bytes(b"x")
    assert "unsupported file type '.xls'" in str(_error(path))


def test_library_errors_are_wrapped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pypdf

    def explode(*args: object, **kwargs: object) -> None:
        raise RecursionError("deep")

    monkeypatch.setattr(pypdf, "PdfReader", explode)
    path = tmp_path / "x.pdf"
    path.write_bytes(b"%PDF-1.4")
    assert "RecursionError" in str(_error(path))


# ---------------------------------------------------------------- LoadedFile

def test_loaded_file_fields(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    path = root / "省级" / "规划.TXT"
    path.parent.mkdir(parents=True)
    path.write_text(DOC_TEXT, encoding="utf-8")

    loaded = load_file(root / "省级" / ".." / "省级" / "规划.TXT", root=root)
    assert isinstance(loaded, LoadedFile)
    assert loaded.path == path and loaded.path.is_absolute()
    assert loaded.source == "省级/规划.TXT"
    assert loaded.format == "txt"
    assert loaded.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert load_file(path).source == "规划.TXT"
    with pytest.raises(AttributeError):
        loaded.text = "x"  # type: ignore[misc]


# ---------------------------------------------------------------- discover

def test_discover_directory(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    for rel in [
        "b.txt", "a.md", "sub/z.pdf", "sub/deeper/c.docx", "a-b/x.html", "sub/page.HTM",
        ".hidden.txt", ".git/config.txt", "sub/.cache/y.txt", "manifest.csv", "README.md", "sub/readme.txt",
        "~$规划.docx", "表格.xls", "sub/notes",
    ]:
        (corpus / rel).parent.mkdir(parents=True, exist_ok=True)
        (corpus / rel).write_text("x", encoding="utf-8")

    files, errors = discover([corpus])
    assert [p.relative_to(corpus).as_posix() for p in files] == [
        "a-b/x.html", "a.md", "b.txt", "sub/deeper/c.docx", "sub/page.HTM", "sub/z.pdf",
    ]
    messages = sorted(str(e) for e in errors)
    assert len(messages) == 2
    assert "notes: unsupported file type (no extension)" in messages[0]
    assert "表格.xls: unsupported file type '.xls'; convert it to .docx, .pdf, .html, .md or .txt" in messages[1]


def test_discover_explicit_paths(tmp_path: Path) -> None:
    good = tmp_path / "a.txt"
    good.write_text("x", encoding="utf-8")
    sheet = tmp_path / "b.xls"
    sheet.write_bytes(b"x")
    hidden = tmp_path / ".c.txt"
    hidden.write_text("x", encoding="utf-8")

    files, errors = discover([good, sheet, tmp_path / "missing.pdf", good, tmp_path, hidden])
    assert files == [good, hidden]  # de-duplicated; an explicitly named hidden file is honoured
    assert len(errors) == 2  # the .xls is reported once although tmp_path contains it too
    assert "b.xls" in str(errors[0]) and "'.xls'" in str(errors[0])
    assert "missing.pdf" in str(errors[1]) and "does not exist" in str(errors[1])


def test_supported_suffixes() -> None:
    assert SUPPORTED_SUFFIXES == frozenset({".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".csv", ".xlsx"})


def test_text_far_larger_than_the_file_is_refused(tmp_path: Path) -> None:
    import docx

    from ingest.limits import ExtractionLimits
    from ingest.load import MAX_EXPANSION

    path = tmp_path / "炸弹.docx"
    document = docx.Document()
    document.add_paragraph("就业" * 750_000)  # 1.5 million characters that zip to a few kilobytes
    document.save(path)
    assert 1_500_000 > MAX_EXPANSION * path.stat().st_size
    # With the archive checks opened wide, the text-to-size ratio alone still refuses the file.
    lax = ExtractionLimits(max_unzipped_bytes=10**9, max_zip_ratio=10**6, max_text_chars=10**8)
    with pytest.raises(IngestError) as info:
        load_file(path, limits=lax)
    message = str(info.value)
    assert path.name in message and "refused" in message and "characters from" in message
