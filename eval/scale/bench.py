"""The scale benchmark (`policybot bench --scale`): the bundled notices plus look-alike distractors at growing
corpus sizes, each measured through policybot's own command line in a fresh index, with cheap embeddings;
then the local embedding model's share of a real ingest. Writes JSON, a markdown table and a chart."""

from __future__ import annotations

import json
import shlex
import sys
import tempfile
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import Any

from eval.scale.config import DEFAULT_FACTORS, Say, ScaleConfig
from eval.scale.corpus_run import measure_corpus
from eval.scale.distractors import notices_for
from eval.scale.embed_server import DIMENSIONS, EmbeddingsServer
from eval.scale.local_model import measure_local_embeddings
from eval.scale.machine import machine_info
from eval.scale.report import render_markdown, write_chart

EMBEDDINGS = (
    f"feature-hashed character 1–2-grams, {DIMENSIONS} dimensions, L2-normalised, from a local "
    "OpenAI-compatible server (eval/scale/embed_server.py; POLICYBOT_EMBEDDINGS=openai)"
)


def factors_config(factors: list[int] | None = None, **options: Any) -> ScaleConfig:
    """A run over corpus sizes given as multiples of the bundled notices (1 = just them)."""
    chosen = list(factors or DEFAULT_FACTORS)
    notices = [notices_for(f) for f in chosen]
    return ScaleConfig(notices=notices, label="-".join(map(str, chosen)), factors=[float(f) for f in chosen], **options)


def notices_config(notices: list[int], **options: Any) -> ScaleConfig:
    """A run over corpus sizes given as notice counts (e.g. 10,000 for a one-off run)."""
    return ScaleConfig(notices=list(notices), label="n" + "-".join(map(str, notices)), **options)


def smoke_config(**options: Any) -> ScaleConfig:
    """A tiny run that checks the harness end to end: the bundled five and one distractor, a few questions."""
    defaults: dict[str, Any] = {"cold_runs": 1, "questions": 4, "local_notices": 1, "local_chars": 600}
    return ScaleConfig(notices=[6], label="smoke", **(defaults | options))


def local_estimate(size: dict[str, Any], local: dict[str, Any]) -> dict[str, Any] | None:
    """What a full ingest of this size would take with the local model: the measured hashed-embeddings ingest
    plus loading the model and embedding every chunk at its measured rate (an estimate, not a measurement)."""
    rate = local.get("chunks_per_s")
    if not rate:
        return None
    seconds = size["ingest"]["full_s"] + local["model_load_s"] + size["chunks"] / rate
    return {"full_ingest_s": round(seconds, 1), "non_embedding_share": round(size["ingest"]["full_s"] / seconds, 3)}


def results_path(config: ScaleConfig, started: datetime) -> Path:
    """bench/results/scale-<sizes>-<date>.json."""
    return config.out / f"scale-{config.label}-{started:%Y-%m-%d}.json"


def _write(results: dict[str, Any], path: Path) -> None:
    """Write the JSON, the markdown beside it and (with at least one size measured) the chart."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if results["runs"]:
        path.with_suffix(".md").write_text(render_markdown(results), encoding="utf-8")
        write_chart(results, path.with_suffix(".png"))


def run(config: ScaleConfig, say: Say = lambda _: None, command: list[str] | None = None) -> Path:
    """Run the benchmark; return the JSON file (rewritten after every corpus size, so a long run keeps its
    finished sizes when stopped)."""
    started = datetime.now().astimezone()
    path = results_path(config, started)
    results: dict[str, Any] = {
        "benchmark": "policybot bench --scale",
        "command": shlex.join(command or ["policybot", *sys.argv[1:]]),
        "started": started.isoformat(timespec="seconds"),
        "finished": None,
        "config": config.to_json(),
        "machine": machine_info(),
        "embeddings": EMBEDDINGS,
        "runs": [],
        "local_embeddings": None,
    }
    with ExitStack() as stack:
        work = config.work or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="policybot-bench-")))
        server = stack.enter_context(EmbeddingsServer())
        for notices in config.notices:
            results["runs"].append(measure_corpus(notices, config, work, server, say))
            _write(results, path)
        if config.local_embeddings:
            local = results["local_embeddings"] = measure_local_embeddings(config, work, say)
            for size in results["runs"]:
                size["local_model_estimate"] = local_estimate(size, local)
    finished = datetime.now().astimezone()
    results["finished"] = finished.isoformat(timespec="seconds")
    results["duration_s"] = round((finished - started).total_seconds(), 1)
    _write(results, path)
    return path
