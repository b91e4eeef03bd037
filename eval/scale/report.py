"""Render scale benchmark results: a markdown table and a log-log chart."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _cell(value: Any, digits: int = 2) -> str:
    """A table cell: numbers rounded, missing values as a dash."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def render_markdown(results: dict[str, Any]) -> str:
    """The results as a markdown page: one row per corpus size, then the local model and the machine."""
    machine = results["machine"]
    lines = [
        f"# policybot scale benchmark — {results['started'][:10]}",
        "",
        f"`{results['command']}` · commit `{str(machine.get('commit'))[:12]}`"
        f"{' (uncommitted changes)' if machine.get('dirty') else ''} · {machine.get('nproc')} cores "
        f"({machine.get('cpu_model')}), {machine.get('ram_gb')} GB RAM, load {machine.get('load_average_at_start')}, "
        f"Python {machine.get('python')}, chromadb {machine.get('chromadb')}",
        "",
        "Embeddings: "
        + results["embeddings"]
        + ". Index: "
        + ("a `chroma run` server per size" if results["config"].get("chroma_server") else "embedded Chroma")
        + ". Extractive answers. Times are wall seconds of a `policybot` "
        "process (start-up included) unless in ms; warm latency is `timings_ms.total` per answer in one "
        "`ask --json --batch` process. First citation and facts are `policybot eval --no-baseline` on "
        f"`{Path(results['config']['dataset']).name}` with the distractors indexed and the hashed embeddings: compare "
        "sizes with each other, not with figures measured with the local model.",
        "",
        "| notices | chunks | ingest s | add one s | add one / full | no-op ingest s | cold ask s "
        "| warm p50 / p95 / p99 ms | peak RSS MB (batch) | first citation | facts |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results["runs"]:
        ing, warm, q = r["ingest"], r["warm"], r["quality"]
        lines.append(
            f"| {r['notices']:,} | {r['chunks']:,} | {_cell(ing['full_s'], 1)} | {_cell(ing['add_one_s'], 1)} "
            f"| {_cell(ing['add_one_over_full'], 3)} | {_cell(ing['noop_s'], 1)} "
            f"| {_cell(r['cold_ask']['median_s'], 2)} "
            f"| {_cell(warm['p50_ms'], 1)} / {_cell(warm['p95_ms'], 1)} / {_cell(warm['p99_ms'], 1)} "
            f"| {_cell(warm['max_rss_mb'], 0)} | {_cell(q['first_citation'], 3)} | {_cell(q['facts'], 3)} |"
        )
    local = results.get("local_embeddings")
    if local:
        lines += [
            "",
            f"Local model ({local['model']}): {local['notices']} bundled notices, {local['chunks']} chunks. "
            f"`policybot ingest` took {_cell(local['ingest_s'])} s. The same ingest with the hashed embeddings took "
            f"{_cell(local['non_embedding_s'])} s, so {_cell((local['non_embedding_share'] or 0) * 100, 0)}% of the "
            "local-model ingest is not embedding (start-up, reading, chunking, writing the index) and the rest, "
            f"{_cell(local['embedding_in_ingest_s'])} s, is {_cell(local['chunks_per_s_in_ingest'], 2)} chunks/s. "
            f"The model alone (in the benchmark's process) embeds those chunks in {_cell(local['embed_s'])} s "
            f"({_cell(local['chunks_per_s'], 2)} chunks/s) after {_cell(local['model_load_s'])} s loading.",
            "",
            "Estimated full ingest with the local model (the hashed-embeddings ingest + model loading + every chunk "
            "at the rate above): "
            + "; ".join(
                f"{r['notices']:,} notices ≈ {_cell(est['full_ingest_s'], 0)} s "
                f"({_cell(est['non_embedding_share'] * 100, 0)}% not embedding)"
                for r in results["runs"]
                if (est := r.get("local_model_estimate"))
            )
            + ".",
        ]
    return "\n".join(lines) + "\n"


def write_chart(results: dict[str, Any], path: Path) -> None:
    """Log-log: warm p50/p95 answer latency and full / add-one ingest time against the number of notices."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, LogFormatter, NullFormatter

    runs = results["runs"]
    notices = [r["notices"] for r in runs]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(notices, [r["warm"]["p50_ms"] for r in runs], "o-", label="warm p50")
    left.plot(notices, [r["warm"]["p95_ms"] for r in runs], "s--", label="warm p95")
    left.set(title="answer latency", xlabel="notices", ylabel="ms per answer")
    right.plot(notices, [r["ingest"]["full_s"] for r in runs], "o-", label="full ingest")
    right.plot(notices, [r["ingest"]["add_one_s"] for r in runs], "s--", label="add one notice")
    right.set(title="ingest time", xlabel="notices", ylabel="seconds")
    for ax in (left, right):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks(notices, labels=[f"{n:,}" for n in notices])
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        ax.yaxis.set_minor_formatter(LogFormatter(labelOnlyBase=False, minor_thresholds=(1.5, 0.6)))
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    fig.suptitle(f"policybot scale benchmark {results['started'][:10]}")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
