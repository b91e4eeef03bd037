"""Measure one corpus size through policybot's command line: ingest, add one notice, cold and warm answers,
memory, and the evaluation metrics with the distractors present."""

from __future__ import annotations

import json
import re
import shutil
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from bot.stats import percentile
from eval.scale.chroma_server import ChromaServer
from eval.scale.config import COLD_QUESTION, Say, ScaleConfig, dataset_items, run_env
from eval.scale.distractors import build_knowledge
from eval.scale.embed_server import EmbeddingsServer
from eval.scale.measure import median, policybot

WARMUP_ID = "_bench_warmup"


def ingest_report(stderr: str) -> dict[str, Any]:
    """What `policybot ingest` said it did (None for what it no longer prints)."""
    embedded = re.search(r"embedded (\d+) chunks in ([\d.]+) s", stderr)
    notices = re.search(r"notices:\s+(\d+) added", stderr)
    chunks = re.search(r"chunks:\s+(\d+) added", stderr)
    return {
        "notices_added": int(notices[1]) if notices else None,
        "chunks_added": int(chunks[1]) if chunks else None,
        "embedded": int(embedded[1]) if embedded else None,
        "reported_s": float(embedded[2]) if embedded else None,
    }


def _warm(config: ScaleConfig, root: Path, env: dict[str, str], logs: Path) -> dict[str, Any]:
    """`ask --json --batch` over the dataset's questions in one process: per-answer latency and peak memory."""
    batch = root / "batch.jsonl"
    lines = [{"id": WARMUP_ID, "question": COLD_QUESTION, "history": []}]
    items = dataset_items(config)
    lines += [{"id": i["id"], "question": i["question"], "history": i.get("history", [])} for i in items]
    batch.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    run = policybot(["ask", "--json", "--batch", str(batch)], env, root, logs, "ask-batch")
    answers = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    first: dict[str, Any] = next((a for a in answers if a.get("id") == WARMUP_ID), {})
    timed = [a for a in answers if a.get("id") != WARMUP_ID and "timings_ms" in a]
    totals = [float(a["timings_ms"]["total"]) for a in timed]
    return {
        "answers": len(timed),
        "errors": len(answers) - 1 - len(timed),
        "p50_ms": percentile(totals, 0.50),
        "p95_ms": percentile(totals, 0.95),
        "p99_ms": percentile(totals, 0.99),
        "mean_ms": round(sum(totals) / len(totals), 1) if totals else 0.0,
        "first_answer_ms": first.get("timings_ms", {}).get("total"),
        "process_s": round(run.seconds, 2),
        "max_rss_mb": round(run.max_rss_mb, 1),
    }


def _cold(config: ScaleConfig, root: Path, env: dict[str, str], logs: Path) -> dict[str, Any]:
    """Wall seconds of `policybot ask --json QUESTION` in fresh processes, and what the last one cited."""
    times, answer = [], {}
    for n in range(config.cold_runs):
        run = policybot(["ask", "--json", COLD_QUESTION], env, root, logs, f"ask-cold-{n}")
        times.append(run.seconds)
        answer = json.loads(run.stdout)
    cited = answer.get("citations") or [{}]
    return {
        "question": COLD_QUESTION,
        "runs_s": [round(t, 2) for t in times],
        "median_s": round(median(times), 2),
        "first_citation": cited[0].get("doc"),
        "clause": cited[0].get("clause"),
    }


def _quality(config: ScaleConfig, root: Path, env: dict[str, str], logs: Path) -> dict[str, Any]:
    """`policybot eval --no-baseline` on the dataset with the distractors indexed: its headline metrics."""
    dataset = config.dataset
    if config.questions:
        dataset = root / "dataset.jsonl"
        dataset.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in dataset_items(config)), "utf-8")
    out = root / "eval"
    run = policybot(["eval", "--dataset", str(dataset), "--out", str(out), "--no-baseline"], env, root, logs, "eval")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    overall = summary.get("overall", {})
    return {
        "items": summary.get("items"),
        "first_citation": overall.get("first_citation"),
        "facts": overall.get("facts"),
        "overall": overall,
        "process_s": round(run.seconds, 2),
        "run": str(out),
    }


def measure_corpus(notices: int, config: ScaleConfig, work: Path, server: EmbeddingsServer, say: Say) -> dict[str, Any]:
    """Every measurement at one corpus size, in a fresh data folder and knowledge folder of its own."""
    root = work / f"n{notices}"
    shutil.rmtree(root, ignore_errors=True)  # a kept work folder from an earlier run: start fresh
    knowledge, data, logs = root / "knowledge", root / "data", root / "logs"
    started = time.perf_counter()
    maker = build_knowledge(knowledge, notices, config.seed)
    bundled = len(maker.sources)
    result: dict[str, Any] = {
        "notices": notices,
        "factor": round(notices / bundled, 3),
        "distractors": max(0, notices - bundled),
        "generate_s": round(time.perf_counter() - started, 2),
    }
    say(f"{notices} notices: generated in {result['generate_s']} s; ingesting…")
    chroma = ChromaServer(root / "chroma-server", logs / "chroma.log") if config.chroma_server else None
    with chroma or nullcontext():
        env = run_env(data, knowledge, config, server.base_url, chroma.port if chroma else None)
        texts_before, hashing_before = server.texts, server.seconds
        full = policybot(["ingest"], env, root, logs, "ingest-full")
        embedded_texts, hashing_s = server.texts - texts_before, server.seconds - hashing_before
        noop = policybot(["ingest"], env, root, logs, "ingest-noop")
        maker.make(result["distractors"]).write(knowledge)  # the next distractor: one notice more
        added = policybot(["ingest"], env, root, logs, "ingest-add-one")
        result["chunks"] = embedded_texts  # every chunk of a fresh index is embedded once
        result["ingest"] = {
            "full_s": round(full.seconds, 2),
            "full": ingest_report(full.stderr),
            "full_max_rss_mb": round(full.max_rss_mb, 1),
            "full_embedding_server_s": round(hashing_s, 3),
            "noop_s": round(noop.seconds, 2),
            "add_one_s": round(added.seconds, 2),
            "add_one": ingest_report(added.stderr),
            "add_one_max_rss_mb": round(added.max_rss_mb, 1),
            "add_one_over_full": round(added.seconds / full.seconds, 3) if full.seconds else None,
        }
        say(f"{notices} notices: ingest {full.seconds:.1f} s, add one {added.seconds:.1f} s; asking…")
        result["queries_on_notices"] = notices + 1
        result["cold_ask"] = _cold(config, root, env, logs)
        result["warm"] = _warm(config, root, env, logs)
        say(f"{notices} notices: warm p50 {result['warm']['p50_ms']} ms; evaluating…")
        result["quality"] = _quality(config, root, env, logs)
    if chroma:
        result["chroma_server"] = {"port": chroma.port, "max_rss_mb": chroma.max_rss_mb}
    return result
