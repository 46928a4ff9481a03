"""The layout rules as tests: layers without cycles, no seed knowledge in code, short functions.

Imports are read with ``ast`` (module level and inside functions alike), so a hidden
in-function import counts as an edge too.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "ingest", "index", "retriever", "assistant", "api", "evals")
# Which packages each package may import. Everything else is a layering error.
ALLOWED = {
    "core": set(),
    "ingest": {"core"},
    "retriever": {"core"},
    "index": {"core", "ingest", "retriever"},
    "assistant": {"core", "retriever", "index"},
    "api": {"core", "ingest", "index", "retriever", "assistant"},
    "evals": {"core", "ingest", "index", "retriever", "assistant", "api"},
}
# Knowledge of the seed document and its deployment belongs in profiles/ (and the api's static pages).
SEED_LITERALS = re.compile(r"景德镇|浮梁|乐平|昌江|珠山|2020年目标|2015年基数|十二五规划目标|2015年完成数|专栏\s*\d")
SEED_FREE = ("core", "ingest", "index", "retriever", "assistant")
# Product code: what serves or builds the index. evals/ (benchmarks, harness) is tooling on top.
PRODUCT = ("core", "ingest", "index", "retriever", "assistant", "api")
MAX_LINES = 60


def _files(packages: tuple[str, ...] = PACKAGES) -> list[Path]:
    return sorted(p for pkg in packages for p in (ROOT / pkg).rglob("*.py") if "__pycache__" not in p.parts)


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, known: set[str]) -> set[str]:
    """Project modules a file imports (``from a import b`` counts as a.b when that is a module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    this = _module(path)
    package = this if path.name == "__init__.py" else this.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for a in node.names:
                out.add(f"{base}.{a.name}" if f"{base}.{a.name}" in known else base)
    return {m for m in out if m.split(".")[0] in PACKAGES and m in known and m != this}


def _graph() -> dict[str, set[str]]:
    files = _files()
    known = {_module(p) for p in files}
    return {_module(p): _imports(p, known) for p in files}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles_between_files() -> None:
    assert _cycles(_graph()) == []


def test_packages_import_only_lower_layers() -> None:
    bad = []
    for mod, deps in _graph().items():
        pkg = mod.split(".")[0]
        for d in deps:
            dp = d.split(".")[0]
            if dp != pkg and dp not in ALLOWED[pkg]:
                bad.append(f"{mod} imports {d}")
    assert bad == []


def test_no_package_cycles() -> None:
    pkg_graph: dict[str, set[str]] = {}
    for mod, deps in _graph().items():
        pkg_graph.setdefault(mod.split(".")[0], set()).update(d.split(".")[0] for d in deps)
    for p, deps in pkg_graph.items():
        deps.discard(p)
    assert _cycles(pkg_graph) == []


def test_no_seed_literals_outside_profiles_and_api() -> None:
    found = []
    for path in _files(SEED_FREE):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SEED_LITERALS.search(node.value):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {SEED_LITERALS.search(node.value).group(0)}")
    assert found == []


def test_no_product_function_over_60_lines() -> None:
    long = []
    for path in _files(PRODUCT):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1  # type: ignore[operator]
                if n > MAX_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({n} lines)")
    assert long == []


@pytest.mark.parametrize("text,expected", [
    ({"a": {"b"}, "b": {"a"}}, [["a", "b"]]),
    ({"a": {"b"}, "b": set()}, []),
])
def test_cycle_finder_itself(text: dict[str, set[str]], expected: list[list[str]]) -> None:
    assert _cycles(text) == expected
