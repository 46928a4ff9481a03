"""Load: find input files and turn each into plain text for the parser.

Text contract: one logical line per line, a blank line between paragraphs/blocks,
and table rows as TAB-separated cells on consecutive lines.
"""
from __future__ import annotations

import hashlib
import io
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import IngestError
from ingest.limits import ExtractionLimits, check_archive, check_text

SUPPORTED_SUFFIXES: frozenset[str] = frozenset({".txt", ".md", ".html", ".htm", ".pdf", ".docx"})
_CONVERT_HINT = "convert it to .docx, .pdf, .html, .md or .txt"
_EMPTY = "is empty; nothing to ingest"


@dataclass(frozen=True)
class LoadedFile:
    """One input file and its extracted text (see the module docstring for the text format)."""

    path: Path
    source: str
    text: str
    format: str
    sha256: str


def ignored_name(name: str) -> bool:
    """True for names a corpus walk never indexes (hidden, Office lock files, README, manifest)."""
    return _skipped(name)


def _skipped(name: str) -> bool:
    # "~$" files are Office lock files left next to open documents; never real content.
    upper = name.upper()
    return name.startswith((".", "~$")) or upper == "MANIFEST.CSV" or upper.startswith("README")


def _unsupported(path: Path) -> IngestError:
    kind = f"'{path.suffix.lower()}'" if path.suffix else "(no extension)"
    return IngestError(path, f"unsupported file type {kind}; {_CONVERT_HINT}")


def _walk(directory: Path) -> list[Path]:
    found = []
    for dirpath, dirnames, filenames in os.walk(directory):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        found += [Path(dirpath, f) for f in filenames if not _skipped(f)]
    # Sort by path components so "a/x" and "a-b/y" order the same on every OS.
    return sorted((p for p in found if p.is_file()), key=lambda p: p.relative_to(directory).parts)


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[IngestError]]:
    """Expand files/directories into supported files, plus an error per unusable path."""
    files: list[Path] = []
    errors: list[IngestError] = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            candidates = _walk(path)
        elif path.is_file():
            candidates = [path]
        else:
            errors.append(IngestError(path, "does not exist or is not a regular file; check the path"))
            continue
        for candidate in candidates:
            if candidate in seen:  # named twice, or also inside a named directory
                continue
            seen.add(candidate)
            if candidate.suffix.lower() in SUPPORTED_SUFFIXES:
                files.append(candidate)
            else:
                errors.append(_unsupported(candidate))
    return files, errors


def _decode(data: bytes, declared: str = "") -> str | None:
    # Strict UTF-8 before GB18030: GB18030 would also accept many UTF-8 byte strings, as mojibake.
    for encoding in filter(None, (declared, "utf-8-sig", "gb18030")):
        try:
            return data.decode(encoding).lstrip("\ufeff")
        except (UnicodeDecodeError, LookupError):
            continue
    return None


def _text(path: Path, data: bytes) -> str:
    if (text := _decode(data)) is None:
        raise IngestError(path, "is not UTF-8 or GBK text; convert it to UTF-8 or remove it")
    return text


_MD_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]+|(?=[^#\s]))(.*?)(?:[ \t]+#+)?[ \t]*$")
_MD_SEPARATOR = re.compile(r"^\s*:?-+:?\s*$")


def _md_row(line: str) -> str:
    """A '| a | b |' row as 'a<TAB>b'; '' for a separator or empty row."""
    cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
    if all(_MD_SEPARATOR.match(c) or not c for c in cells):
        return ""
    return "\t".join(c.replace("\\|", "|") for c in cells)


def _markdown(path: Path, data: bytes) -> str:
    lines, in_fence = [], False
    for line in _text(path, data).replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence  # '#' inside code is not a heading
        elif not in_fence and line.lstrip().startswith("|"):
            if row := _md_row(line):
                lines.append(row)
            continue
        elif not in_fence and (m := _MD_HEADING.match(line)):
            line = m.group(1)
        lines.append(line)
    return "\n".join(lines)


_HTML_DROP = ["script", "style", "nav", "header", "footer", "noscript", "template", "iframe", "svg", "title"]
_HTML_BLOCKS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li ul ol dl dt dd tr td th table tbody thead tfoot caption section "
    "article main aside blockquote pre address figure figcaption center form fieldset hr".split()
)
# Chinese characters/punctuation: a source line break between two of them is not a space.
_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_BREAK = re.compile(f"(?<=[{_CJK}])[ \t\r\f]*\n\\s*(?=[{_CJK}])")
_SPACES = re.compile(r"[ \t\r\n\f\v\xa0]+")


def _html_decode(data: bytes) -> str | None:
    from bs4.dammit import EncodingDetector

    declared = (EncodingDetector.find_declared_encoding(data, is_html=True) or "").lower()
    # Browsers read gb2312/gbk labels as GB18030; Python's gb2312 codec rejects common chars like 镕.
    label = declared.replace("-", "").replace("_", "")
    if label in {"gb2312", "gbk", "xgbk", "cp936"}:
        declared = "gb18030"
    elif label.startswith("utf16"):  # a charset found by scanning bytes as ASCII cannot really be UTF-16
        declared = ""
    return _decode(data, declared)


def _span(cell, attr: str, limit: int) -> int:
    digits = re.match(r"\s*(\d+)", str(cell.get(attr) or ""))
    return max(1, min(int(digits.group(1)) if digits else 1, limit))


def _html_grid(table) -> list[list[str | None]] | None:
    """Cell texts with colspan/rowspan laid out on a grid; None for a layout table."""
    cells = table.find_all(["td", "th"])
    # Old government sites wrap whole articles in tables; those are read as ordinary blocks.
    if table.find("table") or any(len(c.find_all(["p", "div", "li", "h1", "h2", "h3", "h4"])) > 5 for c in cells):
        return None
    grid: list[list[str | None]] = []
    below: dict[int, tuple[int, str | None]] = {}  # column -> (rows left, text) of a rowspan from above

    def fill_from_above(row: list[str | None], upto: int) -> None:
        while len(row) < upto or len(row) in below:
            left, text = below.pop(len(row), (1, ""))
            if left > 1:
                below[len(row)] = (left - 1, text)
            row.append(text)

    for tr in table.find_all("tr"):
        row: list[str | None] = []
        for cell in tr.find_all(["td", "th"], recursive=False):
            fill_from_above(row, 0)
            text, down = " ".join(_html_blocks(cell)), _span(cell, "rowspan", 1000)
            for k in range(_span(cell, "colspan", 100)):
                if down > 1:
                    below[len(row)] = (down - 1, text if k == 0 else None)
                row.append(text if k == 0 else None)
        fill_from_above(row, max(below, default=-1) + 1)
        grid.append(row)
    return grid if max(map(len, grid), default=0) > 1 else None


def _table_text(grid: list[list[str | None]]) -> str:
    """TAB rows padded to the table width; None (a column covered by a merged cell) is an empty cell.
    Leading rows that are one cell across the table are captions, so they become paragraphs."""
    grid = [row for row in grid if any(row)]
    width = max(map(len, grid), default=0)
    captions = []
    while grid and width > 1 and all(c is None for c in grid[0][1:]):
        captions.append(grid.pop(0)[0] or "")
    rows = "\n".join("\t".join(c or "" for c in row + [""] * (width - len(row))) for row in grid)
    return "\n\n".join(filter(None, [*captions, rows]))


def _html_blocks(root) -> list[str]:
    """Text of each block element under root, in document order."""
    from bs4.element import NavigableString, PreformattedString

    blocks: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        line = _SPACES.sub(" ", _CJK_BREAK.sub("", "".join(buffer))).strip()
        buffer.clear()
        if line:
            blocks.append(line)

    def visit(node) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if not isinstance(child, PreformattedString):  # comments, doctype, CDATA
                    buffer.append(str(child))
            elif child.name == "br":
                flush()
            elif child.name == "table" and (grid := _html_grid(child)) is not None:
                flush()
                blocks.append(_table_text(grid))
            else:
                block = child.name in _HTML_BLOCKS
                if block:
                    flush()
                visit(child)
                if block:
                    flush()

    visit(root)
    flush()
    return [b for b in blocks if b]


def _html(path: Path, data: bytes) -> str:
    from bs4 import BeautifulSoup

    text = _html_decode(data)
    soup = BeautifulSoup(data if text is None else text, "lxml")
    for tag in soup.find_all(_HTML_DROP):
        tag.decompose()
    return "\n\n".join(_html_blocks(soup.body or soup))


def _pdf(path: Path, data: bytes) -> str:
    from pypdf import PasswordType, PdfReader
    from pypdf.errors import DependencyError

    try:
        reader = PdfReader(io.BytesIO(data))
        locked = reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED
        pages = [] if locked else [(page.extract_text() or "").strip() for page in reader.pages]
    except DependencyError as exc:  # AES-encrypted (often just copy-protected) PDFs need 'cryptography'
        raise IngestError(path, f"is encrypted and cannot be decrypted here ({exc}); "
                                "install the 'cryptography' package or provide an unencrypted copy") from exc
    if locked:
        raise IngestError(path, "is password-protected; remove the password (save an unlocked copy) and retry")
    if not (text := "\n\n".join(p for p in pages if p)):
        raise IngestError(path, "has no extractable text (scanned image?); run OCR first or provide a text version")
    return text


def _docx_blocks(container, doc) -> Iterable[str]:
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in container.iterchildren():
        if child.tag == qn("w:p"):
            # A TAB inside a paragraph would make the parser see a table row.
            yield Paragraph(child, doc).text.replace("\t", " ").strip()
        elif child.tag == qn("w:tbl"):
            yield from _docx_table(Table(child, doc), doc)
        elif child.tag == qn("w:sdt"):
            # Content controls can wrap real body text; a generated table of contents only repeats headings.
            gallery = child.find(f"{qn('w:sdtPr')}/{qn('w:docPartObj')}/{qn('w:docPartGallery')}")
            content = child.find(qn("w:sdtContent"))
            if content is not None and (gallery is None or "Contents" not in (gallery.get(qn("w:val")) or "")):
                yield from _docx_blocks(content, doc)


def _docx_table(table, doc) -> Iterable[str]:
    grid: list[list[str | None]] = []
    for row in table.rows:
        cells, previous = [], None
        for cell in row.cells:
            # python-docx repeats a horizontally merged cell once per grid column it covers.
            cells.append(None if cell._tc is previous else _SPACES.sub(" ", cell.text).strip())
            previous = cell._tc
        grid.append(cells)
    if max(map(len, grid), default=0) > 1:
        yield _table_text(grid)
    else:  # a one-column table is a framed box (e.g. 专栏), not data: keep its paragraphs
        for row in table.rows:
            for cell in row.cells:
                yield from _docx_blocks(cell._tc, doc)


def _docx(path: Path, data: bytes) -> str:
    import docx

    if data.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2 container: an old .doc renamed to .docx
        raise IngestError(path, "is an old Word .doc file named .docx; open it in Word/WPS and save as .docx")
    doc = docx.Document(io.BytesIO(data))
    return "\n\n".join(b for b in _docx_blocks(doc.element.body, doc) if b)


_EXTRACTORS: dict[str, Callable[[Path, bytes], str]] = {
    "txt": _text, "md": _markdown, "html": _html, "pdf": _pdf, "docx": _docx,
}
_BROKEN_HINT = {
    "pdf": "is not a readable PDF ({err}); re-export or re-download it",
    "docx": "is not a readable .docx file ({err}); open it in Word/WPS and save it again as .docx",
}


def load_file(path: Path, root: Path | None = None, limits: ExtractionLimits | None = None) -> LoadedFile:
    """Read one file and extract its text; any failure is an IngestError naming the file."""
    limits = limits or ExtractionLimits()
    path = Path(os.path.abspath(path))
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise _unsupported(path)
    fmt = "html" if suffix == ".htm" else suffix[1:]
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(path, f"cannot be read ({exc.strerror or exc}); check it exists and is readable") from exc
    if not data:
        raise IngestError(path, _EMPTY)
    check_archive(path, data, limits)
    try:
        text = _EXTRACTORS[fmt](path, data)
    except IngestError:
        raise
    except Exception as exc:  # library errors must not escape: name the file and the fix
        err = f"{type(exc).__name__}: {exc}"
        hint = _BROKEN_HINT.get(fmt, "could not be parsed as " + fmt + " ({err}); check or re-save the file")
        raise IngestError(path, hint.format(err=err)) from exc
    text = check_text(path, text.replace("\r\n", "\n").replace("\r", "\n"), limits)
    if not text.strip():
        raise IngestError(path, _EMPTY)
    source = path.name
    if root is not None:
        try:
            source = path.relative_to(os.path.abspath(root)).as_posix()
        except ValueError:
            pass  # outside root: the bare name is still a useful citation
    return LoadedFile(path=path, source=source, text=text, format=fmt, sha256=hashlib.sha256(data).hexdigest())
