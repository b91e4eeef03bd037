"""Run a dataset through the answer chain and print headline metrics and latency.

Usage: python -m eval.run [DATASET] [--mode extractive]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bot.chain import AnswerChain
from bot.chunks import clause_texts
from bot.labels import normalize_path
from bot.services import Services
from bot.settings import REPO_ROOT, Settings
from eval.scorers import declining, facts, first_citation, quotes

DEFAULT = REPO_ROOT / "eval" / "datasets" / "policy_qa.jsonl"


def load(path: Path) -> list[dict[str, Any]]:
    """Read a CONTRACT.md §5 dataset."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def run(path: Path, mode: str) -> dict[str, Any]:
    """Answer every item and score it; return the summary."""
    services = Services(Settings())
    services.ensure_index()
    chain = AnswerChain(services, mode=mode)
    manifest = services.index.require(services.model_id)
    texts = {
        (d, normalize_path(c)): t for (d, c), t in clause_texts(services.index.chunks(manifest.collection)).items()
    }
    chain.answer("预热")  # load the model and the lexical index before timing
    items = load(path)
    rows = []
    for item in items:
        started = time.perf_counter()
        answer = chain.answer(item["question"], history=item.get("history") or []).to_json_dict()
        ms = (time.perf_counter() - started) * 1000
        rows.append((item, answer, ms))
    answerable = [(i, a) for i, a, _ in rows if i["answerable"]]
    unanswerable = [(i, a) for i, a, _ in rows if not i["answerable"]]
    lat = sorted(ms for *_, ms in rows)
    summary = {
        "items": len(rows),
        "first_citation": statistics.mean(first_citation(i, a).value or 0.0 for i, a in answerable),
        "facts": statistics.mean(facts(i, a).value or 0.0 for i, a in answerable if i.get("facts")),
        "declined_unanswerable": statistics.mean(declining(i, a).value or 0.0 for i, a in unanswerable),
        "declined_answerable": statistics.mean(1.0 - (declining(i, a).value or 0.0) for i, a in answerable),
        "quotes_verbatim": statistics.mean(s.value for i, a, _ in rows if (s := quotes(a, texts)).value is not None),
        "latency_ms_p50": lat[len(lat) // 2],
        "latency_ms_p95": lat[min(len(lat) - 1, int(len(lat) * 0.95))],
    }
    for item, answer, _ in rows:
        fc, fa, de = first_citation(item, answer), facts(item, answer), declining(item, answer)
        if (fc.value == 0.0) or (fa.value == 0.0) or (de.value == 0.0):
            print(f"FAIL {item['id']} [{item['kind']}] {item['question']}\n   {fc.reason}; {fa.reason}; {de.reason}")
            print(f"   gold {[g['clause'] for g in item['gold']]} got: {answer['answer'][:160]}")
    return summary


def cold_start(question: str) -> float:
    """Wall seconds of `policybot ask` in a fresh process."""
    started = time.perf_counter()
    subprocess.run(["policybot", "ask", "--json", question], check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    """Print the metrics for a dataset."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dataset", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--mode", default="extractive")
    parser.add_argument("--cold", type=int, default=0, help="also time N cold `policybot ask` runs")
    args = parser.parse_args()
    summary = run(args.dataset, args.mode)
    if args.cold:
        runs = sorted(cold_start("贵州2022年特岗计划招多少人？") for _ in range(args.cold))
        summary["cold_ask_s_median"] = runs[len(runs) // 2]
        summary["cold_ask_s_max"] = runs[-1]
    json.dump(summary, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
