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

from core.types import DocumentMeta
from ingest.decode import decode as _decode
from ingest.errors import IngestError
from ingest.html import SPACES as _SPACES, html_text as _html, table_text as _table_text
from ingest.limits import ExtractionLimits, check_archive, check_text

SUPPORTED_SUFFIXES: frozenset[str] = frozenset(
    {".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".csv", ".xlsx"})
_CONVERT_HINT = "convert it to .docx, .pdf, .html, .md or .txt (Q&A tables: .csv or .xlsx)"
# Text can be longer than the bytes it came from only by decompression (PDF streams, .docx/.xlsx zips);
# far beyond this it is a decompression bomb or a broken file, not a document.
MAX_EXPANSION = 20
_EMPTY = "is empty; nothing to ingest"


@dataclass(frozen=True)
class LoadedFile:
    """One input file and its extracted text (see the module docstring for the text format)."""

    path: Path
    source: str
    text: str
    format: str
    sha256: str
    meta: DocumentMeta | None = None  # what the file itself says about the document (a web page's metadata)
    warnings: tuple[str, ...] = ()  # parts of the file that were skipped, each with the reason


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


def _spreadsheet(path: Path, data: bytes) -> tuple[str, DocumentMeta, tuple[str, ...]]:
    from ingest.qa import spreadsheet_text

    rows = spreadsheet_text(path, data)
    return rows.text, DocumentMeta(title=path.stem), rows.warnings


Extracted = str | tuple[str, DocumentMeta] | tuple[str, DocumentMeta, tuple[str, ...]]
_EXTRACTORS: dict[str, Callable[[Path, bytes], Extracted]] = {
    "txt": _text, "md": _markdown, "html": _html, "pdf": _pdf, "docx": _docx,
    "csv": _spreadsheet, "xlsx": _spreadsheet,
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
        extracted = _EXTRACTORS[fmt](path, data)
    except IngestError:
        raise
    except Exception as exc:  # library errors must not escape: name the file and the fix
        err = f"{type(exc).__name__}: {exc}"
        hint = _BROKEN_HINT.get(fmt, "could not be parsed as " + fmt + " ({err}); check or re-save the file")
        raise IngestError(path, hint.format(err=err)) from exc
    text, meta, warnings = (extracted, None, ()) if isinstance(extracted, str) else (*extracted, ())[:3]
    text = check_text(path, text.replace("\r\n", "\n").replace("\r", "\n"), limits)
    if not text.strip():
        raise IngestError(path, _EMPTY)
    if len(text) > MAX_EXPANSION * len(data) + 4096:
        raise IngestError(path, f"decodes to {len(text):,} characters from {len(data):,} bytes, far more than a "
                                "document of that size holds (a decompression bomb?); refused — check the file")
    source = path.name
    if root is not None:
        try:
            source = path.relative_to(os.path.abspath(root)).as_posix()
        except ValueError:
            pass  # outside root: the bare name is still a useful citation
    return LoadedFile(path=path, source=source, text=text, format=fmt, sha256=hashlib.sha256(data).hexdigest(),
                      meta=meta, warnings=tuple(warnings))
