"""One chunk per clause; long clauses split at sentence ends keep their clause path."""

from __future__ import annotations

from bot.chunks import build_chunks, clause_texts
from bot.clauses import parse_clauses
from bot.notice import load_notice
from bot.tokens import count_tokens
from tests.conftest import KNOWLEDGE


def counter(tmp_path):
    return lambda text: count_tokens(text, tmp_path / "tk")


def test_one_chunk_per_clause_with_its_metadata(tmp_path):
    notice = load_notice(KNOWLEDGE / "guizhou-2022-class.md")
    chunks = build_chunks(notice, counter(tmp_path), max_tokens=512)
    assert [c.clause for c in chunks] == [c.path for c in parse_clauses(notice.text)]
    six = next(c for c in chunks if c.clause == "二、6.")
    assert (six.doc, six.doc_number, six.scope, six.cohort, six.year) == (
        "guizhou-2022-class",
        "黔教发〔2022〕5号",
        "贵州省",
        "2022届",
        2022,
    )
    assert six.heading == "鼓励支持基层就业创业" and six.section_heading == "聚焦政策项目促就业"
    assert "2022 年全省“特岗计划”拟招聘 6000 人" in six.text


def test_embedded_text_carries_title_and_section_but_lexical_text_no_title(tmp_path):
    notice = load_notice(KNOWLEDGE / "moe-2023-spring.md")
    chunk = next(c for c in build_chunks(notice, counter(tmp_path)) if c.clause == "二、")
    assert chunk.embed_text.startswith(notice.meta.title)
    assert "行动时间" in chunk.embed_text
    assert notice.meta.title not in chunk.lexical_text


def test_long_clauses_split_at_sentence_ends_within_the_budget(tmp_path):
    notice = load_notice(KNOWLEDGE / "moe-2023-spring.md")
    count = counter(tmp_path)
    chunks = build_chunks(notice, count, max_tokens=200)
    parts = [c for c in chunks if c.clause == "四、（一）"]
    assert len(parts) > 1
    assert all(count(c.embed_text) <= 200 for c in chunks)
    assert all(c.text.rstrip().endswith(("。", "；", "：", "，")) for c in parts[:-1])
    whole = clause_texts(chunks)[("moe-2023-spring", "四、（一）")]
    original = next(c.text for c in parse_clauses(notice.text) if c.path == "四、（一）")
    assert whole.replace("\n", "") == original.replace("\n", "")


def test_chunk_ids_are_unique_across_the_corpus(tmp_path):
    ids = [c.id for p in KNOWLEDGE.glob("*.md") for c in build_chunks(load_notice(p), counter(tmp_path))]
    assert len(ids) == len(set(ids))
