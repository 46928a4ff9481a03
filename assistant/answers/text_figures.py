"""Figures stated in running text: the sentence that holds the asked number, cited."""
from __future__ import annotations

from assistant.answers.library import Library
from assistant.citations import CiteBook
from assistant.facts import FactMatch
from core.types import Answer, Figure


class TextFigures:
    def __init__(self, lib: Library):
        self.lib = lib

    def run(self, matches: list[FactMatch], asks: int = 1) -> Answer | None:
        best = matches[0].score
        # "建设几个基地、设立几个工作站？" asks for two figures, often in two sentences.
        floor, limit = (0.5, 3) if asks > 1 else (0.8, 2)
        chosen: list[Figure] = []
        for m in matches:
            if m.score < floor * best or len(chosen) >= limit:
                break
            if m.figure and all(m.figure.sentence != f.sentence for f in chosen):
                chosen.append(m.figure)
        book = CiteBook()
        lines = []
        for fig in chosen:
            chunk = self.lib.passage_of(fig)
            if chunk is not None:
                lines.append(f"{fig.sentence}[{book.add(chunk)}]")
        if not lines:
            return None
        section = chosen[0].section_path[0] if chosen[0].section_path else ""
        title = self.lib.title(chosen[0].doc_id)
        doc = f"《{title}》" if self.lib.several_documents and title else "规划"
        lead = f"根据{doc}“{section}”部分：" if section else f"根据{doc}："
        return Answer(text=lead + "\n".join(lines), citations=book.items, grounded=True, kind="figure",
                      meta={"followup": {"kind": "text_figure"}})
