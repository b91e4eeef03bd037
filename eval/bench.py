"""Latency benchmark (not part of CI): warm in-process answers over the dataset, and cold `policybot ask`.

Usage: python -m eval.bench [--rounds 3] [--cold 5] [--mode extractive]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bot.chain import AnswerChain
from bot.corpus import Corpus
from bot.services import Services
from bot.settings import Settings
from bot.stats import percentile
from eval.dataset import DEFAULT_DATASET, load_dataset

COLD_QUESTION = "贵州2022年特岗计划招多少人？"


def warm(mode: str, rounds: int) -> dict[str, float]:
    """Milliseconds per answer with the index and model loaded, over every dataset question."""
    corpus = Corpus(Services(Settings()))
    corpus.ensure()
    chain = AnswerChain(corpus, mode=mode)
    chain.answer("预热")
    items = load_dataset(DEFAULT_DATASET)
    times = []
    for _ in range(rounds):
        for item in items:
            started = time.perf_counter()
            chain.answer(item.question, history=list(item.history))
            times.append((time.perf_counter() - started) * 1000)
    return {"answers": len(times), "p50_ms": percentile(times, 0.5), "p95_ms": percentile(times, 0.95)}


def cold(runs: int) -> dict[str, float]:
    """Wall seconds of `policybot ask` in a fresh process (index already built)."""
    beside = Path(sys.executable).with_name("policybot")  # installed with this interpreter, on PATH or not
    exe = str(beside) if beside.exists() else shutil.which("policybot") or sys.exit("policybot is not installed")
    subprocess.run([exe, "ask", "--json", COLD_QUESTION], check=True, capture_output=True)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([exe, "ask", "--json", COLD_QUESTION], check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    times.sort()
    return {"runs": runs, "median_s": round(times[len(times) // 2], 2), "max_s": round(times[-1], 2)}


def main() -> None:
    """Print the benchmark as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cold", type=int, default=5)
    parser.add_argument("--mode", default="extractive")
    args = parser.parse_args()
    report = {"warm": warm(args.mode, args.rounds), "cold_ask": cold(args.cold) if args.cold else None}
    json.dump(report, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
