"""The relevance-floor calibration counts what each floor declines, beyond what the other rules decline."""

from __future__ import annotations

import pytest

from eval.calibrate import Reading, coverage, trade_off


def test_coverage_is_the_rarity_weighted_share_of_known_pairs_the_clause_has():
    idf = {"特岗": 3.0, "招聘": 1.0}
    assert coverage(["特岗", "招聘", "好卷"], "特岗计划拟招聘6000人", idf) == pytest.approx(1.0)
    assert coverage(["特岗", "招聘"], "各高校要做好招聘工作", idf) == pytest.approx(0.25)
    assert coverage(["好卷"], "任何文本", idf) is None  # nothing the index knows: no reading


def test_each_floor_is_scored_on_the_items_the_other_rules_let_through():
    readings = [
        Reading("u1", answerable=False, other=True, topic=False, coverage=0.0),  # already declined: left out
        Reading("u2", answerable=False, other=False, topic=True, coverage=0.5),
        Reading("u3", answerable=False, other=False, topic=False, coverage=0.08),
        Reading("a1", answerable=True, other=False, topic=False, coverage=0.15),
        Reading("a2", answerable=True, other=False, topic=False, coverage=0.9),
    ]
    rows = {row["floor"]: row for row in trade_off(readings)}
    assert rows["topic"] == {
        "floor": "topic",
        "unanswerable caught": "1/2",
        "answerable declined": "0/2",
        "precision": 1.0,
        "recall": 0.5,
    }
    assert rows["topic + coverage < 0.1"]["unanswerable caught"] == "2/2"
    assert rows["topic + coverage < 0.2"]["answerable declined"] == "1/2"
    assert rows["topic + coverage < 0.2"]["precision"] == pytest.approx(2 / 3, abs=1e-3)
