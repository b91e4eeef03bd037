"""Run a dataset through the answer chain (and the textbook baseline) and score every item."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

from bot.chain import AnswerChain
from bot.labels import normalize_path
from bot.prompts import all_prompt_lines
from bot.stats import percentile
from eval import scorers
from eval.baseline import TextbookBaseline
from eval.dataset import KINDS, EvalItem
from eval.judge import judge

# headline metric -> the per-item score it averages (None: the score does not apply to the item)
HEADLINE = (
    "first_citation",
    "facts",
    "recall_at_5",
    "mrr",
    "citation_precision",
    "quotes_verbatim",
    "declines_unanswerable",
    "answers_answerable",
    "no_leakage",
    "required_caveats",
    "no_false_caveats",
)


def score_item(
    item: EvalItem,
    answer: dict[str, Any],
    retrieved: Sequence[tuple[str, str]],
    ms: float,
    texts: dict[tuple[str, str], str],
    prompt_lines: Sequence[str],
) -> dict[str, scorers.Score]:
    """Every exact score of one answered item."""
    declining = scorers.declining(item, answer)
    return {
        "first_citation": scorers.first_citation(item, answer),
        "facts": scorers.facts(item, answer),
        "recall_at_5": scorers.recall_at_k(item, retrieved, 5),
        "mrr": scorers.reciprocal_rank(item, retrieved),
        "citation_precision": scorers.citation_precision(item, answer),
        "quotes_verbatim": scorers.quotes(answer, texts),
        "declines_unanswerable": declining if not item.answerable else scorers.Score(None, "answerable"),
        "answers_answerable": declining if item.answerable else scorers.Score(None, "not answerable"),
        "no_leakage": scorers.leakage(item, answer, prompt_lines),
        "required_caveats": scorers.required_caveats(item, answer),
        "no_false_caveats": scorers.no_false_caveats(item, answer),
        "latency_ms": scorers.latency(ms),
    }


def evaluate(
    chain: AnswerChain,
    items: Sequence[EvalItem],
    baseline: TextbookBaseline | None = None,
    advance: Callable[[], None] = lambda: None,
    judge_model: Any = None,
) -> list[dict[str, Any]]:
    """Answer and score every item; one result per item, in order."""
    texts = {(d, normalize_path(c)): t for (d, c), t in chain.corpus.clause_texts().items()}
    prompt_lines = all_prompt_lines()
    chain.answer("预热")  # load the model and the lexical index before timing
    results = []
    for item in items:
        started = time.perf_counter()
        answer = chain.answer(item.question, history=list(item.history))
        ms = (time.perf_counter() - started) * 1000
        retrieved = [(r.doc, r.clause) for r in answer.retrieved]
        scores = score_item(item, answer.to_json_dict(), retrieved, ms, texts, prompt_lines)
        scores["facts_in_top4"] = scorers.facts_in(item, "\n".join(r.text for r in answer.retrieved[:4]))
        if baseline is not None:
            scores["baseline_facts_in_top4"] = scorers.facts_in(item, baseline.retrieve(item.question))
        if judge_model is not None:
            gold_text = "\n\n".join(f"{d} {c}\n{texts.get((d, c), '')}" for d, c in sorted(item.gold_keys()))
            scores["llm_judge"] = judge(judge_model, item, answer.to_json_dict(), gold_text)
        results.append(
            {
                "id": item.id,
                "kind": item.kind,
                "question": item.question,
                "history": item.history,
                "expected": {
                    "answerable": item.answerable,
                    "gold": [g.model_dump() for g in item.gold],
                    "facts": item.facts,
                    "caveats": list(item.caveats),
                },
                "answer": answer.to_json_dict(),
                "retrieved": [{"doc": d, "clause": c} for d, c in retrieved],
                "scores": {name: {"value": s.value, "reason": s.reason} for name, s in scores.items()},
            }
        )
        advance()
    return results


def _mean(results: Sequence[dict[str, Any]], metric: str) -> float | None:
    """The mean of a score over the items it applies to."""
    values = [r["scores"][metric]["value"] for r in results if r["scores"].get(metric, {}).get("value") is not None]
    return round(statistics.mean(values), 4) if values else None


def summarize(results: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Headline metrics overall and per kind, latency percentiles, and the baseline beside ours."""
    latencies = [r["scores"]["latency_ms"]["value"] for r in results]
    overall = {metric: _mean(results, metric) for metric in HEADLINE}
    by_kind = {
        kind: {"items": len(rows), **{metric: _mean(rows, metric) for metric in HEADLINE}}
        for kind in KINDS
        if (rows := [r for r in results if r["kind"] == kind])
    }
    summary: dict[str, Any] = {
        "items": len(results),
        "answerable": sum(1 for r in results if r["expected"]["answerable"]),
        "overall": overall,
        "latency_ms": {"p50": percentile(latencies, 0.5), "p95": percentile(latencies, 0.95)},
        "by_kind": by_kind,
        "facts_in_top4": {"ours": _mean(results, "facts_in_top4")},
    }
    if any("llm_judge" in r["scores"] for r in results):
        summary["llm_judge"] = _mean(results, "llm_judge")
    if any("baseline_facts_in_top4" in r["scores"] for r in results):
        summary["facts_in_top4"]["textbook_baseline"] = _mean(results, "baseline_facts_in_top4")
    return summary


def failures(results: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Items where a headline score is below 1, with what failed."""
    out = []
    for r in results:
        failed = {
            m: r["scores"][m]["reason"]
            for m in (
                "first_citation",
                "facts",
                "declines_unanswerable",
                "answers_answerable",
                "quotes_verbatim",
                "no_leakage",
                "required_caveats",
                "no_false_caveats",
            )
            if r["scores"][m]["value"] is not None and r["scores"][m]["value"] < 1
        }
        if failed:
            out.append({**r, "failed": failed})
    return out


def gate(summary: dict[str, Any], thresholds: dict[str, float]) -> list[str]:
    """The headline metrics below their thresholds, as messages (empty when the run passes)."""
    problems = []
    for metric, minimum in thresholds.items():
        value = summary["overall"].get(metric)
        if value is None or value < minimum:
            problems.append(f"{metric} = {value} is below the threshold {minimum}")
    return problems
