"""The evaluation chart: the metrics that matter, on an axis that shows their differences, beside the baseline."""

from __future__ import annotations

import json
from pathlib import Path

from eval.report import axis_start, chart_rows, compare_runs, write_chart

SUMMARY = {
    "dataset": "policy_qa.jsonl",
    "mode": "extractive",
    "items": 3,
    "answerable": 2,
    "overall": {"first_citation": 0.952, "facts": 0.938, "recall_at_5": 1.0, "mrr": 0.974, "no_leakage": None},
    "by_kind": {
        "fact": {"items": 2, "first_citation": 0.97, "facts": 0.96},
        "refuse": {"items": 1, "first_citation": None, "facts": None},
    },
    "facts_in_top4": {"ours": 0.986, "textbook_baseline": 0.772},
}


def test_the_axis_starts_just_below_the_lowest_value():
    assert axis_start([0.952, 0.772, 1.0]) == 0.7
    assert axis_start([0.96, 0.98]) == 0.9
    assert axis_start([0.02]) == 0.0


def test_the_rows_are_the_metrics_that_apply_then_ours_beside_the_baseline():
    rows = chart_rows(SUMMARY)
    labels = [label for label, _, _ in rows]
    assert labels[0] == "first citation is a gold clause" and "no leakage" not in " ".join(labels)
    assert rows[-2:] == [
        ("facts in top-4 retrieved: ours", 0.986, False),
        ("facts in top-4: textbook baseline", 0.772, True),
    ]


def test_the_chart_is_written(tmp_path: Path):
    write_chart(json.loads(json.dumps(SUMMARY)), tmp_path / "chart.png")
    assert (tmp_path / "chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def write_run(folder: Path, scores: dict, overall: dict) -> Path:
    folder.mkdir()
    row = {"id": "a", "answer": {"citations": [{"doc": "d", "clause": "一、"}]}, "scores": scores}
    (folder / "results.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    (folder / "summary.json").write_text(json.dumps({"overall": overall}), encoding="utf-8")
    return folder


def test_compare_skips_metrics_one_run_did_not_have(tmp_path: Path):
    old = write_run(tmp_path / "old", {"facts": {"value": 1.0, "reason": "ok"}}, {"facts": 1.0})
    scores = {"facts": {"value": 0.0, "reason": "missing 6000"}, "no_false_caveats": {"value": 1.0, "reason": "none"}}
    new = write_run(tmp_path / "new", scores, {"facts": 0.0, "no_false_caveats": 1.0})
    assert compare_runs(old, new) == ["a: facts 1.000 → 0.000 (missing 6000)", "overall facts: 1.000 → 0.000 (-1.000)"]
    assert compare_runs(old, old) == []
