"""Write an evaluation run: results.jsonl, summary.json, report.md and a chart of the metrics per kind."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from eval.runner import HEADLINE, failures

# the chart's rows: what a student gets (right notice and clause, the facts stated), then how the answer behaves
CHART_OVERALL = (
    ("first_citation", "first citation is a gold clause"),
    ("facts", "facts stated in the answer"),
    ("citation_precision", "citation precision"),
    ("recall_at_5", "gold clause in the top 5"),
    ("mrr", "MRR"),
    ("quotes_verbatim", "quotes verbatim in their clause"),
    ("declines_unanswerable", "unanswerable declined"),
    ("answers_answerable", "answerable answered"),
    ("required_caveats", "required caveats given"),
    ("no_false_caveats", "no false caveats"),
)
CHART_BY_KIND = (("first_citation", "first citation gold"), ("facts", "facts stated"))
BASELINE_LABELS = {"ours": "facts in top-4 retrieved: ours", "textbook_baseline": "facts in top-4: textbook baseline"}


def cell(value: float | None) -> str:
    """A table cell for a metric value."""
    return "—" if value is None else f"{value:.3f}"


def axis_start(values: Sequence[float]) -> float:
    """Where a readable axis starts: a step of 0.1 below the lowest value, so differences of 0.01 show."""
    return max(0.0, math.floor((min(values, default=1.0) - 0.03) * 10) / 10)


def chart_rows(summary: dict[str, Any]) -> list[tuple[str, float, bool]]:
    """The overall panel's rows: (label, value, is the baseline), metrics that apply to this run only."""
    rows = [
        (label, summary["overall"][m], False) for m, label in CHART_OVERALL if summary["overall"].get(m) is not None
    ]
    for name, value in summary.get("facts_in_top4", {}).items():
        if value is not None:
            rows.append((BASELINE_LABELS.get(name, name), value, name != "ours"))
    return rows


def write_chart(summary: dict[str, Any], path: Path) -> None:
    """Two dot plots on a zoomed axis (PNG): the metrics overall with the textbook baseline, and per kind."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = chart_rows(summary)
    kinds = [(k, row) for k, row in summary["by_kind"].items() if any(row.get(m) is not None for m, _ in CHART_BY_KIND)]
    values = [v for _, v, _ in rows] + [row[m] for _, row in kinds for m, _ in CHART_BY_KIND if row.get(m) is not None]
    low = axis_start(values)
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5), dpi=110, gridspec_kw={"width_ratios": [1.15, 1]})

    ys = list(range(len(rows)))[::-1]
    for y, (_, value, baseline) in zip(ys, rows, strict=True):
        color = "0.55" if baseline else "tab:blue"
        left.hlines(y, low, value, color=color, linewidth=1)
        left.plot(value, y, "o", color=color, markersize=7, markerfacecolor="white" if baseline else color)
        left.annotate(f"{value:.3f}", (value, y), xytext=(6, -3), textcoords="offset points", fontsize=8)
    left.set_yticks(ys, [label for label, _, _ in rows], fontsize=8)
    left.set_title(f"overall ({summary['items']} items, {summary['answerable']} answerable)", fontsize=10)

    markers = ("o", "s")
    for i, (metric, label) in enumerate(CHART_BY_KIND):
        points = [(n, row[metric]) for n, (_, row) in enumerate(kinds) if row.get(metric) is not None]
        offset = (i - 0.5) * 0.25
        right.plot([v for _, v in points], [len(kinds) - 1 - n + offset for n, _ in points], markers[i], label=label)
    right.set_yticks(range(len(kinds))[::-1], [f"{k} ({row['items']})" for k, row in kinds], fontsize=8)
    right.set_title("by kind (items)", fontsize=10)
    right.legend(fontsize=8, loc="lower left")

    for ax in (left, right):
        ax.set_xlim(low, 1.02)
        ax.grid(axis="x", color="0.9")
        ax.set_xlabel(f"share of items (axis from {low:.1f})", fontsize=8)
    fig.suptitle(f"policybot evaluation · {summary.get('mode', '')} · {Path(str(summary.get('dataset', ''))).name}")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def render_markdown(summary: dict[str, Any], results: Sequence[dict[str, Any]]) -> str:
    """The human report: overall table, baseline, table per kind, every failure."""
    lines = [
        "# policybot evaluation report",
        "",
        f"Dataset `{summary.get('dataset', '')}`, mode `{summary.get('mode', '')}`, "
        f"{summary['items']} items ({summary['answerable']} answerable).",
        "",
        "## Overall",
        "",
        "| metric | value |",
        "|---|---|",
        *[f"| {m} | {cell(summary['overall'][m])} |" for m in HEADLINE],
        f"| latency p50 / p95 (ms) | {summary['latency_ms']['p50']} / {summary['latency_ms']['p95']} |",
        *([f"| llm_judge (extra, not gated) | {cell(summary['llm_judge'])} |"] if "llm_judge" in summary else []),
        "",
        "## Against the textbook LangChain pipeline",
        "",
        "Share of answerable items whose facts all occur in the top-4 retrieved texts "
        "(textbook: RecursiveCharacterTextSplitter 500/50 over the notices, same embeddings, top-4 similarity).",
        "",
        "| pipeline | facts in top-4 retrieved |",
        "|---|---|",
        *[f"| {name} | {cell(value)} |" for name, value in summary["facts_in_top4"].items()],
        f"| ours, in the answer itself | {cell(summary['overall']['facts'])} |",
        "",
        "## By kind",
        "",
        "| kind | items | " + " | ".join(HEADLINE) + " |",
        "|---|---|" + "---|" * len(HEADLINE),
        *[
            f"| {kind} | {row['items']} | " + " | ".join(cell(row[m]) for m in HEADLINE) + " |"
            for kind, row in summary["by_kind"].items()
        ],
        "",
        "![metrics by kind](chart.png)",
        "",
        "## Failures",
        "",
    ]
    failed = failures(results)
    if not failed:
        lines.append("None.")
    for r in failed:
        expected = ", ".join(f"{g['doc']} {g['clause']}" for g in r["expected"]["gold"]) or "decline"
        facts = " / ".join("|".join(group) for group in r["expected"]["facts"])
        got = r["answer"]["answer"].replace("\n", " ")
        lines += [
            f"### {r['id']} ({r['kind']})",
            "",
            f"- question: {r['question']}" + (f" (after: {' / '.join(r['history'])})" if r["history"] else ""),
            f"- expected: {expected}" + (f"; facts {facts}" if facts else ""),
            f"- got: {got[:300]}",
            f"- failed: {'; '.join(f'{m}: {why}' for m, why in r['failed'].items())}",
            "",
        ]
    return "\n".join(lines) + "\n"


def write_run(out: Path, results: Sequence[dict[str, Any]], summary: dict[str, Any]) -> None:
    """Write the four files of a run into a directory."""
    out.mkdir(parents=True, exist_ok=True)
    with (out / "results.jsonl").open("w", encoding="utf-8") as f:
        for r in results:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    write_chart(summary, out / "chart.png")
    (out / "report.md").write_text(render_markdown(summary, results), encoding="utf-8")


def read_results(run: Path) -> dict[str, dict[str, Any]]:
    """A run's results by item id."""
    path = run / "results.jsonl" if run.is_dir() else run
    return {r["id"]: r for r in (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line)}


def compare_runs(a: Path, b: Path) -> list[str]:
    """What changed from run A to run B, item by item, then the headline deltas."""
    ra, rb = read_results(a), read_results(b)
    lines = []
    for item_id in [*ra, *[i for i in rb if i not in ra]]:
        if item_id not in rb:
            lines.append(f"{item_id}: only in A")
            continue
        if item_id not in ra:
            lines.append(f"{item_id}: only in B")
            continue
        changes = []
        score_a, score_b = ra[item_id]["scores"], rb[item_id]["scores"]
        for metric in HEADLINE:
            if metric not in score_a or metric not in score_b:  # a run made before the metric existed
                continue
            va, vb = score_a[metric]["value"], score_b[metric]["value"]
            if va != vb:
                changes.append(f"{metric} {cell(va)} → {cell(vb)} ({score_b[metric]['reason']})")
        ca = [f"{c['doc']} {c['clause']}" for c in ra[item_id]["answer"].get("citations", [])[:1]]
        cb = [f"{c['doc']} {c['clause']}" for c in rb[item_id]["answer"].get("citations", [])[:1]]
        if ca != cb:
            changes.append(f"first citation {ca[0] if ca else 'none'} → {cb[0] if cb else 'none'}")
        if changes:
            lines.append(f"{item_id}: " + "; ".join(changes))
    sa, sb = (json.loads((p / "summary.json").read_text(encoding="utf-8")) for p in (a, b))
    for metric in HEADLINE:
        va, vb = sa["overall"].get(metric), sb["overall"].get(metric)
        if va != vb and va is not None and vb is not None:
            lines.append(f"overall {metric}: {va:.3f} → {vb:.3f} ({vb - va:+.3f})")
    return lines
