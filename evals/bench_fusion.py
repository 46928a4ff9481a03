"""Fusion variants on one built index: no dense channel, dense alone, weighted at several weights, RRF.

    python -m evals.bench_fusion --index-dir D [--questions F] [--region R] [--weights 0.2,0.35,0.5,0.7]
                                 [--words-share 0.4,0.5]

Every variant runs the same questions on the same loaded generation (only ``SearchConfig`` changes),
so the rows differ only by fusion. Which dense channel the index holds (LSA, e5...) is in its
manifest; build one index per channel to compare them. Prints a Markdown table and, with
``--json``, the rows as JSON.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from evals.harness import load_questions, run_retrieval

# The words channel's share of the lexical weight (the rest goes to bigrams): 0.45 : 0.35 was the LSA-era split.
_WORDS_SHARES = (0.45 / 0.80,)


def _split(lex: float, share: float, dense: float) -> dict[str, float]:
    return {"words": round(lex * share, 4), "bigrams": round(lex * (1 - share), 4), "dense": dense}


def variants(dense_weights: list[float], shares: tuple[float, ...] = _WORDS_SHARES
             ) -> list[tuple[str, str, dict[str, float]]]:
    rows = [(f"no dense, words {s:.2f}", "weighted", _split(1.0, s, 0.0)) for s in shares]
    rows.append(("dense alone", "weighted", {"words": 0.0, "bigrams": 0.0, "dense": 1.0}))
    for w in dense_weights:
        rows += [(f"weighted, dense {w:g}, words {s:.2f}", "weighted", _split(1.0 - w, s, w)) for s in shares]
    rows.append(("RRF (k=60, equal weights)", "rrf", {"words": 1.0, "bigrams": 1.0, "dense": 1.0}))
    return rows


def compare(index_dir: Path, questions: Path, dense_weights: list[float], region: str | None = None,
            shares: tuple[float, ...] = _WORDS_SHARES) -> list[dict[str, Any]]:
    from assistant.engine import Engine
    from core.settings import load_settings

    # No query-embedding budget: every variant sees its dense channel, however busy the machine. The region is
    # the one the evals serve the set with (its scope prior is part of the ranking the weights are tuned for).
    settings = load_settings(dense_budget_ms=0, **({"default_region": region} if region else {}))
    engine = Engine.open(index_dir=index_dir, settings=settings)
    retriever = engine.generation.retriever
    base = retriever.config
    qs = load_questions(questions)
    kind = getattr(retriever.embedder, "kind", "") or getattr(retriever.embedder, "name", "none")

    def search(q: str, k: int) -> dict[str, Any]:
        return {"results": [{"text": h.chunk.text} for h in retriever.search(q, k=k)]}

    rows = [{"dense": kind, "variant": "default (SearchConfig)", "weights": dict(base.weights),
             **run_retrieval(search, qs)}]
    try:
        for label, how, weights in variants(dense_weights, shares):
            if weights["dense"] > 0 and retriever.vectors is None:
                continue
            retriever.config = replace(base, fusion=how, weights=weights)
            summary = run_retrieval(search, qs)
            rows.append({"dense": kind, "variant": label, "weights": weights, **summary})
    finally:
        retriever.config = base
        engine.close()
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    out = ["| dense | variant | hit@5 | MRR@10 | search p95 ms |", "| --- | --- | ---: | ---: | ---: |"]
    for r in rows:
        p95 = r.get("search_p95_ms")
        out.append(f"| {r['dense']} | {r['variant']} | {r['hit_at_5']:.3f} | {r['mrr_at_10']:.3f} | "
                   f"{p95 if p95 is None else round(p95, 1)} |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m evals.bench_fusion", description=__doc__.split("\n\n")[0])
    ap.add_argument("--index-dir", type=Path, required=True)
    ap.add_argument("--questions", type=Path, default=Path(__file__).parent / "questions" / "plan.jsonl")
    ap.add_argument("--weights", default="0.2,0.35,0.5,0.7", help="dense shares of the weighted variants")
    ap.add_argument("--words-share", default="", help="words channel's shares of the lexical weight, e.g. 0.4,0.5")
    ap.add_argument("--region", help="deployment region to serve the index with (e.g. the corpus set's)")
    ap.add_argument("--json", type=Path, help="also write the rows here")
    a = ap.parse_args(argv)
    shares = tuple(float(s) for s in a.words_share.split(",") if s.strip()) or _WORDS_SHARES
    rows = compare(a.index_dir, a.questions, [float(w) for w in a.weights.split(",") if w.strip()], a.region, shares)
    print(table(rows))
    if a.json:
        a.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
