"""The multi-layout evaluation notices (PDF, DOCX, Markdown) parse into their hand-written clause paths."""

from __future__ import annotations

import json

import pytest

from bot.clauses import parse_structure
from bot.extract import load_document
from bot.labels import normalize_path
from bot.settings import REPO_ROOT

FIXTURES = REPO_ROOT / "eval" / "fixtures" / "multilayout"
EXPECTED = json.loads((FIXTURES / "expected_clauses.json").read_text(encoding="utf-8"))
FILES = sorted(p for p in FIXTURES.iterdir() if p.suffix in {".md", ".pdf", ".docx"} and p.name != "README.md")


def test_every_notice_has_expected_clauses():
    assert {p.name.split(".")[0] for p in FILES} == set(EXPECTED)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_a_notice_parses_into_its_expected_clause_paths(path):
    notice = load_document(path)
    got = [normalize_path(c.path) for c in parse_structure(notice.text).clauses]
    assert got == [normalize_path(p) for p in EXPECTED[notice.meta.doc]]


def test_each_layout_is_detected():
    layouts = {p.name.split(".")[0]: parse_structure(load_document(p).text).layout for p in FILES}
    assert layouts["hunan-2024-support"] == "articles"
    assert layouts["zhengzhou-2025-archives"] == "paragraphs"
    assert {layouts[d] for d in layouts if d not in ("hunan-2024-support", "zhengzhou-2025-archives")} == {"numbered"}


def test_a_pdf_table_stays_inside_its_clause_one_row_per_line():
    notice = load_document(FIXTURES / "sichuan-2026-class.pdf")
    clause = next(c for c in parse_structure(notice.text).clauses if c.path == "二、（二）")
    assert "特岗计划｜4200名｜2026年5月｜省教育厅" in clause.text.splitlines()
