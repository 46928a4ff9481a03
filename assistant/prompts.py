"""The LLM prompts, kept as editable files in ``prompts/`` and checked when loaded.

Prompts are edited by people who are not developers, so a broken file (wrong encoding, a
typo in a placeholder, a stray brace) must stop start-up with a message that names the
file and says what to fix, instead of failing on the first question.
"""
from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from core.settings import get_settings
from core.types import Citation

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
SYSTEM_FILE = "system.md"
USER_FILE = "user.md"
USER_PLACEHOLDERS = frozenset({"question", "sources", "history", "draft"})
# Only the latest turns help resolve "它"/"那个"; older ones cost tokens and invite drift.
HISTORY_TURNS = 6
NO_HISTORY = "（无）"


class PromptError(ValueError):
    """A prompt file cannot be used as it is."""


@dataclass(frozen=True)
class Prompts:
    system: str  # sent verbatim, so braces in it are plain text
    user: str  # str.format template with exactly USER_PLACEHOLDERS

    def render_user(self, *, question: str, sources: str, history: str, draft: str) -> str:
        # Values are passed as arguments, never spliced into the template, so braces in a
        # question or a source cannot be read as placeholders.
        return self.user.format(question=question, sources=sources, history=history, draft=draft)


def load_prompts(directory: Path | None = None, variables: dict[str, str] | None = None) -> Prompts:
    """Read and validate ``system.md`` and ``user.md`` from ``directory`` (default ``prompts/``).

    ``${region}``, ``${hotline}`` … in the system prompt take the deployment profile's values
    (``Profile.prompt_vars``), so the prompt names no place itself.
    """
    directory = Path(directory) if directory is not None else PROMPTS_DIR
    if variables is None:
        variables = get_settings().deployment.prompt_vars()
    system = _fill(directory / SYSTEM_FILE, _read(directory / SYSTEM_FILE), variables)
    user = _read(directory / USER_FILE)
    _check_system(directory / SYSTEM_FILE, system)
    _check_user(directory / USER_FILE, user)
    return Prompts(system=system, user=user)


SOURCE_OPEN, SOURCE_CLOSE = "<<<原文", "原文>>>"


def _as_data(text: str) -> str:
    # A passage cannot close its own block and start talking as the prompt.
    return text.replace("<<<", "‹‹‹").replace(">>>", "›››")


def format_sources(citations: Sequence[Citation]) -> str:
    """Numbered source blocks: ``[1] 《title》 section``, then the passage text fenced as data."""
    blocks = []
    for c in citations:
        head = f"[{c.n}]"
        if c.document:
            head += f" 《{_as_data(c.document)}》"
        if c.section:
            head += f" {_as_data(c.section)}"
        blocks.append(f"{head}\n{SOURCE_OPEN}\n{_as_data(c.text.strip())}\n{SOURCE_CLOSE}")
    return "\n\n".join(blocks)


def format_history(history: Sequence[str] | None) -> str:
    turns = [h.strip() for h in (history or []) if h and h.strip()]
    return "\n".join(turns[-HISTORY_TURNS:]) or NO_HISTORY


def _fill(path: Path, text: str, variables: dict[str, str]) -> str:
    try:
        return string.Template(text).substitute(variables)
    except KeyError as e:
        raise PromptError(f"{path}: unknown variable ${{{e.args[0]}}}; the profile provides "
                          f"{', '.join('${' + k + '}' for k in sorted(variables))}") from None
    except ValueError as e:
        raise PromptError(f"{path}: {e}; a literal dollar sign must be written $$") from None


def _read(path: Path) -> str:
    if not path.is_file():
        raise PromptError(f"{path}: prompt file is missing; restore it (see prompts/ in the repository)")
    try:
        # utf-8-sig: a BOM added by a Windows editor is harmless, so accept it.
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise PromptError(f"{path}: not valid UTF-8 (byte {e.start}); save the file as UTF-8") from None
    if not text.strip():
        raise PromptError(f"{path}: prompt file is empty; it must contain the prompt text")
    return text.strip() + "\n"


def _fields(path: Path, text: str) -> list[tuple[str, str | None, str | None]]:
    """(name, conversion, spec) of every ``{...}`` in ``text``; raises on unbalanced braces."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as e:
        raise PromptError(
            f"{path}: unbalanced braces ({e}); placeholders look like {{question}}, "
            "and a literal brace must be doubled: {{ or }}"
        ) from None
    return [(name, conv, spec) for _, name, spec, conv in parsed if name is not None]


def _check_system(path: Path, text: str) -> None:
    # The system prompt is sent as-is; a placeholder there means it was put in the wrong file.
    misplaced = sorted({f"{{{p}}}" for p in USER_PLACEHOLDERS if f"{{{p}}}" in text})
    if misplaced:
        raise PromptError(
            f"{path}: contains {', '.join(misplaced)}; the system prompt is sent verbatim, "
            f"move placeholders to {USER_FILE}"
        )


def _check_user(path: Path, text: str) -> None:
    fields = _fields(path, text)
    for name, conv, spec in fields:
        if conv or spec:
            raise PromptError(
                f"{path}: placeholder {{{name}{'!' + conv if conv else ''}{':' + spec if spec else ''}}} "
                f"has a conversion or format spec; write it plainly as {{{name}}}"
            )
    names = {name for name, _, _ in fields}
    unknown = sorted("{" + n + "}" for n in names - USER_PLACEHOLDERS)
    missing = sorted(USER_PLACEHOLDERS - names)
    problems = []
    if unknown:
        problems.append(f"unknown placeholder(s) {', '.join(unknown)}")
    if missing:
        problems.append(f"missing placeholder(s) {', '.join('{' + m + '}' for m in missing)}")
    if problems:
        allowed = ", ".join("{" + p + "}" for p in sorted(USER_PLACEHOLDERS))
        raise PromptError(
            f"{path}: {'; '.join(problems)}; the template must use exactly {allowed} "
            "(double a literal brace: {{ or }})"
        )
