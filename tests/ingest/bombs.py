"""Hostile Office files built in the test (never stored in the repository)."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path


def _base_docx() -> dict[str, bytes]:
    import docx

    buf = io.BytesIO()
    d = docx.Document()
    d.add_paragraph("景德镇市测试通知")
    d.save(buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        return {n: z.read(n) for n in z.namelist()}


def bomb_docx(path: Path, megabytes: int = 50, text: str = "就业创业补贴") -> Path:
    """A valid .docx whose document.xml inflates to ``megabytes`` MB of paragraphs (about 150 KB packed)."""
    parts = _base_docx()
    para = f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>".encode()
    head, _, _ = parts["word/document.xml"].partition(b"<w:body>")
    reps = megabytes * 1024 * 1024 // len(para)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in parts.items():
            if name == "word/document.xml":
                with z.open(name, "w", force_zip64=True) as out:
                    out.write(head + b"<w:body>")
                    block = para * 1024
                    for _ in range(reps // 1024):
                        out.write(block)
                    out.write(b"<w:sectPr/></w:body></w:document>")
            else:
                z.writestr(name, data)
    return path


def many_entries_docx(path: Path, entries: int) -> Path:
    parts = _base_docx()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
        for i in range(entries):
            z.writestr(f"customXml/extra{i}.xml", b"<a/>")
    return path


def long_text_docx(path: Path, paragraphs: int, text: str = "就业创业补贴政策说明。") -> Path:
    """An honest (well under the ratio limit) .docx with a lot of text."""
    import docx

    d = docx.Document()
    for i in range(paragraphs):
        d.add_paragraph(f"{i}{text}")
    d.save(path)
    return path
