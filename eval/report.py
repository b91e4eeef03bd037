"""Write an evaluation run: results.jsonl, summary.json, report.md and a chart of the metrics per kind."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from eval.runner import HEADLINE, failures

CHART_METRICS = ("first_citation", "facts", "recall_at_5", "declines_unanswerable", "answers_answerable")


def cell(value: float | None) -> str:
    """A table cell for a metric value."""
    return "—" if value is None else f"{value:.3f}"


def write_chart(summary: dict[str, Any], path: Path) -> None:
    """A grouped bar chart of the headline metrics per kind (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    kinds = list(summary["by_kind"])
    fig, ax = plt.subplots(figsize=(10, 4.5), dpi=110)
    width = 0.8 / len(CHART_METRICS)
    for i, metric in enumerate(CHART_METRICS):
        values = [summary["by_kind"][k].get(metric) for k in kinds]
        xs = [n + (i - len(CHART_METRICS) / 2 + 0.5) * width for n in range(len(kinds))]
        ax.bar(xs, [v if v is not None else 0 for v in values], width, label=metric)
    ax.set_xticks(range(len(kinds)), [f"{k}\n({summary['by_kind'][k]['items']})" for k in kinds])
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("share of items")
    ax.set_title(f"policybot evaluation by kind ({summary.get('mode', '')}, {summary['items']} items)")
    ax.legend(fontsize=8, ncol=len(CHART_METRICS), loc="lower center", bbox_to_anchor=(0.5, -0.32))
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
        for metric in HEADLINE:
            va, vb = ra[item_id]["scores"][metric]["value"], rb[item_id]["scores"][metric]["value"]
            if va != vb:
                changes.append(f"{metric} {cell(va)} → {cell(vb)} ({rb[item_id]['scores'][metric]['reason']})")
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
