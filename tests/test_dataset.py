"""The bundled evaluation dataset: valid, covering every clause, with every fact in a gold clause."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bot.clauses import parse_clauses
from bot.labels import normalize_path
from bot.notice import load_notice
from eval.dataset import KINDS, DatasetError, load_dataset
from eval.scorers import canonical
from tests.conftest import KNOWLEDGE

DATASETS = KNOWLEDGE.parent / "eval" / "datasets"
DATASET = DATASETS / "policy_qa.jsonl"


@pytest.fixture(scope="module")
def items():
    return load_dataset(DATASET)


BUNDLED_SETS = ("policy_qa.jsonl", "holdout.jsonl", "student_dev.jsonl", "student_holdout.jsonl")


@pytest.fixture(scope="module", params=BUNDLED_SETS)
def any_items(request):
    """Every dataset over the bundled notices (the main set, the held-out one, the student-style sets)."""
    return load_dataset(DATASETS / request.param)


@pytest.fixture(scope="module")
def clauses() -> dict[tuple[str, str], str]:
    """Every parsed clause of every bundled notice, by (doc, clause path)."""
    out = {}
    for path in sorted(KNOWLEDGE.glob("*.md")):
        notice = load_notice(path)
        for clause in parse_clauses(notice.text):
            out[(notice.meta.doc, normalize_path(clause.path))] = clause.text
    return out


def test_the_dataset_has_at_least_150_items_of_every_kind(items):
    kinds = Counter(item.kind for item in items)
    assert len(items) >= 150
    assert set(kinds) == set(KINDS) - {"student"}, kinds  # student-style questions have sets of their own


def test_the_student_sets_are_mostly_student_typed_and_need_every_caveat_kind():
    items = [i for name in ("student_dev.jsonl", "student_holdout.jsonl") for i in load_dataset(DATASETS / name)]
    assert len(items) >= 120
    assert Counter(i.kind for i in items)["student"] >= 0.9 * len(items)
    needed = Counter(kind for i in items for kind in i.caveats)
    assert set(needed) == {"detail_missing", "year_mismatch", "region_mismatch", "stale"}, needed


def test_every_clause_of_every_notice_is_the_gold_of_some_question(items, clauses):
    covered = {key for item in items for key in item.gold_keys()}
    assert sorted(set(clauses) - covered) == []


def test_every_gold_clause_exists_in_the_notices(any_items, clauses):
    unknown = [(item.id, key) for item in any_items for key in item.gold_keys() if key not in clauses]
    assert unknown == []


def test_every_fact_occurs_in_one_of_its_items_gold_clauses(any_items, clauses):
    missing = []
    for item in any_items:
        gold_text = canonical("\n".join(clauses[key] for key in item.gold_keys()))
        missing += [(item.id, group) for group in item.facts if not any(canonical(alt) in gold_text for alt in group)]
    assert missing == []


def test_a_bad_line_is_reported_with_its_line_number_and_field(tmp_path: Path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"id": "a", "question": "q", "answerable": false, "kind": "refuse"}\n'
        '{"id": "b", "question": "q", "answerable": true, "gold": [], "kind": "fact"}\n',
        encoding="utf-8",
    )
    with pytest.raises(DatasetError, match=r"bad.jsonl:2: .*gold clause"):
        load_dataset(bad)


def test_an_unknown_kind_and_a_duplicate_id_are_errors(tmp_path: Path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "question": "q", "answerable": false, "kind": "chitchat"}\n', encoding="utf-8")
    with pytest.raises(DatasetError, match=r":1: kind"):
        load_dataset(bad)
    bad.write_text('{"id": "a", "question": "q", "answerable": false, "kind": "refuse"}\n' * 2, encoding="utf-8")
    with pytest.raises(DatasetError, match="duplicate id 'a'"):
        load_dataset(bad)
