"""Render results: a plain-text table for stdout, and a Markdown + JSON + PNG report."""
from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from evals.metrics import Outcome

CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
COLUMNS = [  # (key, header, kind) where kind is "n", "pct", "num" or "ms"
    ("n", "n", "n"),
    ("answer_accuracy", "acc", "pct"),
    ("answerable_accuracy", "acc(ans)", "pct"),
    ("citation_accuracy", "cite", "pct"),
    ("refusal_recall", "refuse-rec", "pct"),
    ("false_refusal_rate", "false-ref", "pct"),
    ("hit_at_5", "hit@5", "pct"),
    ("mrr_at_10", "MRR@10", "num"),
    ("latency_p50_ms", "p50 ms", "ms"),
    ("latency_p95_ms", "p95 ms", "ms"),
]
SUMMARY_COLUMNS = [  # the "Done when" table, one row per system
    ("hit_at_5", "hit@5", "num"),
    ("mrr_at_10", "MRR@10", "num"),
    ("answer_accuracy", "answer acc", "pct"),
    ("refusal_recall", "refusal rec", "pct"),
    ("within_caps", "within caps", "pct"),
    ("latency_p50_ms", "answer p50 ms", "ms"),
    ("latency_p95_ms", "answer p95 ms", "ms"),
]
RETRIEVAL_COLUMNS = [
    ("n_retrieval", "n", "n"),
    ("hit_at_5", "hit@5", "pct"),
    ("mrr_at_10", "MRR@10", "num"),
    ("search_p50_ms", "search p50 ms", "ms"),
    ("search_p95_ms", "search p95 ms", "ms"),
]

DEFINITIONS = """## How it is scored

Text is compared after NFKC and removal of all whitespace.
- **acc**: answerable questions need grounded=true and every `must` group met (any string of a group);
  `refuse` questions need grounded=false. Over all questions; **acc(ans)** over answerable ones only.
- **cite**: answerable questions with `evidence`: some citation's text holds every string of one
  evidence group (and its section path holds `section`, when given).
- **refuse-rec**: share of `refuse` questions answered with grounded=false. **false-ref**: share of
  answerable questions answered with grounded=false.
- **hit@5 / MRR@10**: questions without history and with evidence; `search(question, k=10)`;
  a result is relevant like a citation; MRR counts 0 when nothing relevant is in the top 10.
- **p50/p95**: latency of the final chat call (ms); search latency separately. Percentiles interpolate
  linearly between ranks."""


def fmt(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "pct":
        return f"{100 * value:.1f}%"
    if kind == "num":
        return f"{value:.3f}"
    if kind == "ms":
        return f"{value:.0f}" if value >= 10 else f"{value:.1f}"
    return str(value)


def _width(s: str) -> int:
    # CJK kind labels take two terminal columns each.
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _rows(summary: dict[str, Any], columns: Sequence[tuple[str, str, str]], first: str) -> tuple[list[str], list[list[str]]]:
    header = [first] + [h for _, h, _ in columns]
    rows = [[k] + [fmt(m.get(key), kind) for key, _, kind in columns] for k, m in summary.get("kinds", {}).items()]
    rows.append(["overall"] + [fmt(summary["overall"].get(key), kind) for key, _, kind in columns])
    return header, rows


def text_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(r: list[str]) -> str:
        cells = [r[0] + " " * (widths[0] - _width(r[0]))]
        cells += [" " * (widths[i] - _width(c)) + c for i, c in enumerate(r) if i]
        return "  ".join(cells)

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *(line(r) for r in rows)])


def md_table(header: list[str], rows: list[list[str]], numeric: bool = True) -> str:
    esc = [[c.replace("|", "\\|") for c in r] for r in [header, *rows]]
    rule = ["---"] + ["---:" if numeric else "---"] * (len(header) - 1)
    out = ["| " + " | ".join(esc[0]) + " |", "|" + "|".join(rule) + "|"]
    return "\n".join(out + ["| " + " | ".join(r) + " |" for r in esc[1:]])


def baseline_rows(result: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    header = ["system"] + [h for _, h, _ in RETRIEVAL_COLUMNS]
    systems = [("ours", result["overall"])] + [(b["name"], b["metrics"]) for b in result.get("baselines", [])]
    return header, [[name] + [fmt(m.get(k), kind) for k, _, kind in RETRIEVAL_COLUMNS] for name, m in systems]


def summary_rows(result: dict[str, Any]) -> list[list[str]]:
    """Rows ``set | index | system | hit@5 | ...`` for this run: ours, then each baseline."""
    meta = result.get("meta", {})
    qset, index, via = meta.get("set", ""), meta.get("index", ""), meta.get("via", "")
    systems = [(f"ours ({via})" if via else "ours", result["overall"])]
    systems += [(b["name"], b["metrics"]) for b in result.get("baselines", [])]
    return [[qset, index, name] + [fmt(m.get(k), kind) for k, _, kind in SUMMARY_COLUMNS] for name, m in systems]


SUMMARY_HEADER = ["set", "index", "system"] + [h for _, h, _ in SUMMARY_COLUMNS]


def summary_table(rows: list[list[str]], markdown: bool = False) -> str:
    return md_table(SUMMARY_HEADER, rows, numeric=False) if markdown else text_table(SUMMARY_HEADER, rows)


def console(result: dict[str, Any]) -> str:
    """Everything the run prints to stdout after the questions are done."""
    parts = [text_table(*_rows(result, COLUMNS, "kind"))]
    o = result["overall"]
    parts.append(
        f"search latency: p50 {fmt(o.get('search_p50_ms'), 'ms')} ms, p95 {fmt(o.get('search_p95_ms'), 'ms')} ms"
        f" over {o.get('n_retrieval', 0)} questions"
    )
    late = result.get("meta", {}).get("searches past the dense budget")
    if late:
        parts.append(f"searches answered lexically (query embedding past the dense budget): {late}")
    if result.get("baselines"):
        parts += ["", "retrieval vs baselines (same documents, same questions):", text_table(*baseline_rows(result))]
        if result.get("speed_ratio") is not None:
            parts.append(f"speed ratio (our search p95 / {result.get('speed_ratio_vs', 'LangChain BM25')} p95): "
                         f"{result['speed_ratio']:.2f}")
    if result.get("meta", {}).get("set"):
        parts += ["", summary_table(summary_rows(result))]
    return "\n".join(parts)


def chart(result: dict[str, Any], path: Path) -> Path | None:
    """Bar chart of answer accuracy per kind (and hit@5 per system when baselines ran)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib import font_manager
    except ImportError:
        return None
    try:  # kind labels are often Chinese; without a CJK font they render as boxes, which is tolerable
        font_manager.fontManager.addfont(str(CJK_FONT))
        plt.rcParams["font.family"] = [font_manager.FontProperties(fname=str(CJK_FONT)).get_name(), "sans-serif"]
    except Exception:  # noqa: BLE001
        pass
    kinds = list(result["kinds"]) + ["overall"]
    acc = [result["kinds"][k]["answer_accuracy"] or 0.0 for k in kinds[:-1]] + [result["overall"]["answer_accuracy"] or 0.0]
    systems = [("ours", result["overall"])] + [(b["name"], b["metrics"]) for b in result.get("baselines", [])]
    wide = bool(result.get("baselines"))
    fig, grid = plt.subplots(1, 2 if wide else 1, figsize=(11 if wide else 7, 4), squeeze=False)
    axes = list(grid[0])
    bars = axes[0].bar(kinds, [100 * a for a in acc], color=["#4C72B0"] * (len(kinds) - 1) + ["#DD8452"])
    axes[0].bar_label(bars, fmt="%.0f%%", fontsize=8)
    axes[0].set_ylim(0, 100)
    axes[0].set_ylabel("answer accuracy (%)")
    axes[0].set_title("Answer accuracy per kind")
    axes[0].tick_params(axis="x", labelrotation=30)
    if len(axes) > 1:
        bars = axes[1].bar([s for s, _ in systems], [100 * (m.get("hit_at_5") or 0.0) for _, m in systems], color="#55A868")
        axes[1].bar_label(bars, fmt="%.0f%%", fontsize=8)
        axes[1].set_ylim(0, 100)
        axes[1].set_ylabel("hit@5 (%)")
        axes[1].set_title("Retrieval hit@5")
        axes[1].tick_params(axis="x", labelrotation=15, labelsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def _excerpt(s: str, n: int = 160) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


def markdown(result: dict[str, Any], outcomes: Sequence[Outcome], png: Path | None) -> str:
    meta = result.get("meta", {})
    lines = [f"# Evaluation report — {meta.get('timestamp', '')}", ""]
    lines += [f"- **{k}**: {v}" for k, v in meta.items() if k != "timestamp"]
    lines += ["", "## Answers", "", md_table(*_rows(result, COLUMNS, "kind")), ""]
    o = result["overall"]
    lines += [
        f"Search latency: p50 {fmt(o.get('search_p50_ms'), 'ms')} ms, p95 {fmt(o.get('search_p95_ms'), 'ms')} ms "
        f"over {o.get('n_retrieval', 0)} questions.",
        "",
    ]
    if result.get("baselines"):
        lines += ["## Retrieval vs baselines", "", md_table(*baseline_rows(result)), ""]
        lines += [f"- {b['name']}: {b['chunks']} chunks, built in {b['build_ms']:.0f} ms; {b['notes']}" for b in result["baselines"]]
        if result.get("speed_ratio") is not None:
            lines.append(f"- Speed ratio (our search p95 / {result.get('speed_ratio_vs', 'LangChain BM25')} p95): "
                         f"**{result['speed_ratio']:.2f}**")
        lines.append("")
    if png:
        lines += [f"![accuracy per kind]({png.name})", ""]
    lines += [DEFINITIONS, ""]
    failed = [x for x in outcomes if x.problems()]
    lines += [f"## Failed questions ({len(failed)} of {len(outcomes)})", ""]
    if failed:
        rows = [[x.id, x.kind, _excerpt(x.question, 80), _excerpt(x.answer), "; ".join(x.problems())] for x in failed]
        lines += [md_table(["id", "kind", "question", "answer excerpt", "what was missing"], rows, numeric=False), ""]
    else:
        lines += ["None.", ""]
    return "\n".join(lines)


def write(result: dict[str, Any], outcomes: Sequence[Outcome], report_dir: Path, with_chart: bool = True) -> Path:
    """Write ``eval-<timestamp>.md`` with ``.json`` and ``.png`` beside it; returns the .md path."""
    report_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    result.setdefault("meta", {})["timestamp"] = stamp
    base = report_dir / f"eval-{stamp}"
    n = 1
    while base.with_suffix(".md").exists():  # two runs in one second must not overwrite each other
        n += 1
        base = report_dir / f"eval-{stamp}-{n}"
    png = chart(result, base.with_suffix(".png")) if with_chart else None
    data = dict(result, questions=[vars(x) | {"problems": x.problems()} for x in outcomes])
    base.with_suffix(".json").write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    md = base.with_suffix(".md")
    md.write_text(markdown(result, outcomes, png), encoding="utf-8")
    return md
