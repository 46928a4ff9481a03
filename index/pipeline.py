"""Build or update the index from files: the whole ingest pipeline in one call."""
from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.settings import Settings, get_settings
from core.types import ParsedDocument, content_id
from index import store
from ingest.document import PARSER_VERSION, parse_text
from ingest.errors import IngestError
from ingest.limits import ExtractionLimits
from ingest.load import discover, load_file
from ingest.manifest import manifest_for
from retriever.build import build_search_index, drop_collection

_QUOTED = re.compile(r"[“\"]([^“”\"]{2,12})[”\"]")


@dataclass
class IngestReport:
    documents: int = 0
    sections: int = 0
    chunks: int = 0
    indicators: int = 0
    figures: int = 0
    qas: int = 0
    characters: int = 0
    seconds: float = 0.0
    skipped: list[str] = field(default_factory=list)  # one message per skipped file
    unchanged: bool = False
    generation: str = ""

    def summary(self) -> str:
        if self.unchanged:
            head = f"index is up to date ({self.documents} documents); nothing to do"
        else:
            head = (f"indexed {self.documents} documents: {self.sections} sections, {self.chunks} chunks, "
                    f"{self.indicators} indicators, {self.figures} figures{f', {self.qas} Q/A' if self.qas else ''} "
                    f"in {self.seconds:.1f}s")
        if self.skipped:
            head += f"\nskipped {len(self.skipped)} file(s):\n  " + "\n  ".join(self.skipped)
        return head


def mine_terms(docs: list[ParsedDocument]) -> list[str]:
    """Terms the tokenizer must keep whole: quoted terms, indicator names, headings, project names."""
    terms: set[str] = set()
    for p in docs:
        terms.update(t.strip() for t in _QUOTED.findall(p.document.text))
        terms.update(i.name for i in p.indicators)
        for s in p.sections:
            if 2 <= len(s.title) <= 16:
                terms.add(s.title)
        for c in p.chunks:
            if c.kind == "box_item" and c.section_path:
                title = c.section_path[-1].split(" ", 1)[-1]
                if 2 <= len(title) <= 16:
                    terms.add(title)
    return sorted(t for t in terms if t and not re.search(r"\s", t))


def _fingerprint(file_sha: str, row: dict[str, Any] | None, settings: Settings, source: str = "") -> str:
    # The source (file name / path under its root) is part of the parse (citations, fallback title):
    # without it a renamed file would be served from the cache under its old name.
    payload = json.dumps([file_sha, row or {}, PARSER_VERSION, settings.chunk_size, source], ensure_ascii=False,
                         sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:24]


def _index_settings(settings: Settings, with_dense: bool = True) -> dict[str, Any]:
    from retriever.build import wanted_dense

    return {"dense": wanted_dense(settings) if with_dense else "none", "lsa_dims": settings.lsa_dims,
            "chroma_host": settings.chroma_host or "", "chroma_port": settings.chroma_port}


def _progress(items: list[Path], enabled: bool) -> Any:
    if not enabled:
        return items
    from tqdm import tqdm

    return tqdm(items, desc="ingest", unit="file", file=sys.stderr, disable=None)


def parse_file(path: Path, root: Path | None, row: dict[str, Any] | None, chunk_size: int,
               limits: ExtractionLimits) -> tuple[ParsedDocument, tuple[str, ...]]:
    """Load and parse one file (module-level so the sandbox child can run it); also what was skipped in it."""
    loaded = load_file(path, root=root, limits=limits)
    return parse_text(loaded.text, loaded.source, row, chunk_size, hints=loaded.meta), loaded.warnings


def probe_file(path: Path, limits: ExtractionLimits) -> int:
    """Characters a file yields, or IngestError: what an upload is checked with, in the sandbox."""
    return len(load_file(path, limits=limits).text)


def _parser(settings: Settings, isolate: bool) -> Any:
    """(sandbox or None, parse(path, root, row)): in a memory- and time-limited child when isolated."""
    limits = ExtractionLimits.from_settings(settings)
    if not isolate:
        return None, lambda path, root, row: parse_file(path, root, row, settings.chunk_size, limits)
    from index.sandbox import Sandbox

    box = Sandbox(settings.parse_memory_mb, settings.parse_timeout)
    return box, lambda path, root, row: box.run(parse_file, path, root, row, settings.chunk_size, limits)


def build_index(paths: list[Path] | None = None, index_dir: Path | None = None, settings: Settings | None = None,
                *, progress: bool = False, force: bool = False, isolate: bool = False,
                with_dense: bool = True) -> IngestReport:
    """Index exactly the documents under ``paths`` (default: the corpus) into ``index_dir``.

    Unchanged input does no work; otherwise a new generation is built and swapped in atomically.
    ``isolate``: parse in a child process with memory and time limits (the service's re-ingest).
    ``with_dense=False`` publishes the lexical channels only (see ``ensure_index``).
    """
    settings = settings or get_settings()
    index_dir = Path(index_dir or settings.index_dir)
    paths = [Path(p) for p in (paths or [settings.corpus_dir])]
    t0 = time.perf_counter()
    report = IngestReport()
    entries = _inventory(paths, settings, report)
    wanted = {"files": sorted([e["path"], e["key"]] for e in entries), "settings": _index_settings(settings, with_dense)}
    if not force and _unchanged(index_dir, wanted, report):
        report.seconds = time.perf_counter() - t0
        return report
    first_parse_skip = len(report.skipped)
    box, parse = _parser(settings, isolate)
    try:
        parsed = _parse_all(entries, paths, index_dir, parse, report, progress)
    finally:
        if box is not None:
            box.close()
    if parsed:  # publishing an empty index would throw away whatever is being served now
        manifest = {"inputs": wanted, "id": content_id(*(e["key"] for e in entries))}
        report.generation = _publish(parsed, index_dir, settings, report, manifest, first_parse_skip,
                                     with_dense=with_dense, progress=progress).name
        store.collect_garbage(index_dir, on_remove=lambda g: drop_collection(g, settings))
        store.prune_cache(index_dir, {e["key"] for e in entries})
    report.seconds = time.perf_counter() - t0
    return report


def _inventory(paths: list[Path], settings: Settings, report: IngestReport) -> list[dict[str, Any]]:
    """Every readable input file with its content hash, manifest row and cache key."""
    files, errors = discover(paths)
    report.skipped = [str(e) for e in errors]
    manifests: dict[Path, dict[str, dict[str, object]]] = {}
    entries: list[dict[str, Any]] = []
    for f in files:
        try:
            row = manifest_for(f, manifests)
            sha = hashlib.sha256(f.read_bytes()).hexdigest()
        except (IngestError, OSError) as e:
            report.skipped.append(str(e) if isinstance(e, IngestError) else f"{f}: cannot read ({e})")
            continue
        source = _source_of(f, paths)
        entries.append({"path": str(f.resolve()), "sha256": sha, "key": _fingerprint(sha, row, settings, source),
                        "row": row})
    return entries


def _unchanged(index_dir: Path, wanted: dict[str, Any], report: IngestReport) -> bool:
    """True (and the report filled from the served generation) when the inputs are the same."""
    current = store.current_generation(index_dir)
    if not current:
        return False
    old = store.read_manifest(current)
    if old.get("inputs") != wanted:
        return False
    report.unchanged = True
    report.skipped += old.get("skipped_files", [])  # files that still cannot be read are still skipped
    report.documents = old.get("counts", {}).get("documents", 0)
    report.generation = current.name
    return True


def _parse_all(entries: list[dict[str, Any]], paths: list[Path], index_dir: Path, parse: Any,
               report: IngestReport, progress: bool) -> list[ParsedDocument]:
    """Parse each file (or take it from the parse cache); the same text twice is indexed once."""
    from index.sandbox import SandboxError

    parsed: list[ParsedDocument] = []
    seen: set[str] = set()
    for entry in _progress(entries, progress):
        doc = store.cache_get(index_dir, entry["key"])
        if doc is None:
            path = Path(entry["path"])
            try:
                doc, warnings = parse(path, _root_of(path, paths), entry["row"])
                report.skipped += list(warnings)  # e.g. spreadsheet rows without an answer
            except IngestError as e:
                report.skipped.append(str(e))
                continue
            except SandboxError as e:
                report.skipped.append(f"{path}: {e}")
                continue
            store.cache_put(index_dir, entry["key"], doc)
        if doc.document.id in seen:
            report.skipped.append(f"{entry['path']}: same text as another file; indexed once")
            continue
        seen.add(doc.document.id)
        parsed.append(doc)
    return parsed


def _publish(parsed: list[ParsedDocument], index_dir: Path, settings: Settings, report: IngestReport,
             manifest: dict[str, Any], first_parse_skip: int, *, with_dense: bool = True,
             progress: bool = False) -> Path:
    """Write records and search indexes into a new generation and swap it in; clean up on failure."""
    building = store.new_generation(index_dir)
    try:
        store.write_records(building, parsed)
        chunks = [c for p in parsed for c in p.chunks]
        metas = {p.document.id: p.document.meta for p in parsed}
        search_info = build_search_index(chunks, metas, building, settings, mine_terms(parsed),
                                         with_dense=with_dense, progress=progress)
        report.documents = len(parsed)
        report.sections = sum(len(p.sections) for p in parsed)
        report.chunks = len(chunks)
        report.indicators = sum(len(p.indicators) for p in parsed)
        report.figures = sum(len(p.figures) for p in parsed)
        report.qas = sum(len(p.qas) for p in parsed)
        report.characters = sum(len(p.document.raw_text) for p in parsed)
        manifest |= {
            "documents": [{"id": p.document.id, "source": p.document.source, "title": p.document.meta.title}
                          for p in parsed],
            "counts": {k: getattr(report, k) for k in ("documents", "sections", "chunks", "indicators", "figures", "qas")},
            "search": search_info,
            "skipped_files": report.skipped[first_parse_skip:],
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        return store.publish(index_dir, building, manifest)
    except BaseException:
        drop_collection(building, settings)  # a Chroma server would otherwise keep the half-built collection
        store.discard(building)
        raise


def _source_of(file: Path, roots: list[Path]) -> str:
    """The source name load_file will give ``file`` (path under its root, else the bare name)."""
    root = _root_of(file, roots)
    path = Path(os.path.abspath(file))
    if root is not None:
        try:
            return path.relative_to(os.path.abspath(root)).as_posix()
        except ValueError:
            pass
    return path.name


def _root_of(file: Path, roots: list[Path]) -> Path | None:
    for r in roots:
        if r.is_dir() and file.resolve().is_relative_to(r.resolve()):
            return r
    return None


def ensure_index(settings: Settings | None = None) -> IngestReport | None:
    """Build the index from the corpus when none exists yet (first start of the service).

    With a neural embedder (minutes for a large corpus) the first generation has the lexical
    channels only, so the service answers within seconds; ``needs_dense`` then tells the service
    to build the full generation in the background.
    """
    settings = settings or get_settings()
    if store.current_generation(Path(settings.index_dir)) is not None:
        return None
    from retriever.embedders import dense_backend

    fast = dense_backend(settings) == "lsa"
    return build_index(None, settings.index_dir, settings, progress=True, with_dense=fast)


def needs_dense(settings: Settings) -> bool:
    """Whether the served generation lacks the dense channel the settings ask for."""
    current = store.current_generation(Path(settings.index_dir))
    if current is None:
        return False
    built = store.read_manifest(current).get("inputs", {}).get("settings", {}).get("dense")
    return built == "none"
