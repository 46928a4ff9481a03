"""Named corpus sets for the evals (``evals/corpora.toml``): files to index, region, default questions.

Real documents live in ``../shared/corpora`` and are read at run time, never copied. An index is
built once per set and cached under ``data/eval-index``; ``build_index`` itself notices changed input.
"""
from __future__ import annotations

import os
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
QUESTIONS = REPO / "evals" / "questions"
SHARED_ENV = "POLICY_SHARED_CORPORA"
CACHE_ENV = "POLICY_EVAL_CACHE"
SETS_FILE = REPO / "evals" / "corpora.toml"


class CorpusMissing(FileNotFoundError):
    """A corpus set needs files that are not on this machine (``../shared/corpora`` absent)."""


def shared_root() -> Path:
    """``../shared/corpora`` beside the repository, or ``$POLICY_SHARED_CORPORA``."""
    env = os.environ.get(SHARED_ENV)
    return Path(env) if env else (REPO / ".." / "shared" / "corpora").resolve()


def cache_root() -> Path:
    """Where built eval indexes are kept between runs (``$POLICY_EVAL_CACHE``, default ``data/eval-index``)."""
    env = os.environ.get(CACHE_ENV)
    return Path(env) if env else REPO / "data" / "eval-index"


@dataclass(frozen=True)
class CorpusSet:
    name: str
    sources: tuple[Path, ...]
    region: str | None = None  # None: the deployment profile's own region
    questions: Path | None = None  # the default question file

    def missing(self) -> list[Path]:
        return [p for p in self.sources if not p.exists()]

    def require(self) -> "CorpusSet":
        """Self, or CorpusMissing naming what is absent and how to provide it."""
        gone = self.missing()
        if gone:
            raise CorpusMissing(
                f"corpus set {self.name!r} needs {', '.join(map(str, gone))}; put the shared corpora at "
                f"{shared_root()} (or set {SHARED_ENV}) to run it"
            )
        return self


def _resolve(spec: str, shared: Path) -> Path:
    kind, sep, rel = spec.partition(":")
    if not sep or kind not in ("repo", "shared"):
        raise ValueError(f"{SETS_FILE}: path {spec!r} must start with 'repo:' or 'shared:'")
    return (REPO if kind == "repo" else shared) / rel


def corpus_sets(path: Path | None = None, shared: Path | None = None) -> dict[str, CorpusSet]:
    """The named sets of ``evals/corpora.toml``."""
    path = path or SETS_FILE
    shared = shared or shared_root()
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out: dict[str, CorpusSet] = {}
    for name, row in data.items():
        questions = row.get("questions")
        out[name] = CorpusSet(name, tuple(_resolve(s, shared) for s in row["sources"]), row.get("region") or None,
                              _resolve(questions, shared) if questions else None)
    return out


def get_corpus(name: str, path: Path | None = None, shared: Path | None = None) -> CorpusSet:
    sets = corpus_sets(path, shared)
    if name not in sets:
        raise KeyError(f"unknown corpus set {name!r}; choose one of {', '.join(sets)} (see {path or SETS_FILE})")
    return sets[name]


def ensure_index(corpus: CorpusSet, settings: object | None = None, cache: Path | None = None) -> Path:
    """The cached index of a corpus set, built (or updated) first when its input changed."""
    from index.pipeline import build_index

    index_dir = (cache or cache_root()) / corpus.name
    t0 = time.perf_counter()
    report = build_index(list(corpus.require().sources), index_dir, settings)  # type: ignore[arg-type]
    if not report.unchanged:
        print(f"built the {corpus.name!r} index ({report.documents} documents, {report.chunks} chunks) in "
              f"{time.perf_counter() - t0:.1f}s at {index_dir}", file=sys.stderr)
    if not report.documents:
        raise CorpusMissing(f"corpus set {corpus.name!r}: nothing could be indexed from {corpus.sources}")
    return index_dir
