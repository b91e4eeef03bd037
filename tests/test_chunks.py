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


def test_an_article_chunk_carries_its_chapter_and_part_as_context(tmp_path):
    from bot.notice import parse_notice

    raw = (
        "---\ndoc: made-up-rules\ntitle: 某市就业扶持办法\ndoc_number: null\nissuer: 某市人社局\n"
        "issued: '2031-12-01'\nscope: 某省某市\ncohort: 2032届\n---\n"
        "第一章　总则\n第一条　为促进就业，制定本办法。\n第二章　扶持\n第一节　基层就业\n"
        "第二条　到基层就业的，给予补贴3000元。\n"
    )
    chunk = next(c for c in build_chunks(parse_notice(raw, "rules.md"), counter(tmp_path)) if c.clause == "第二条")
    assert (chunk.section_heading, chunk.context) == ("第二章 扶持", "第一节 基层就业")
    assert "第二章 扶持" in chunk.embed_text and "第一节 基层就业" in chunk.lexical_text
    assert chunk.to_metadata()["section_heading"] == "第二章 扶持"


class RecordingCount:
    """A token counter (one token per character) that records how much text each call sees."""

    def __init__(self):
        self.calls = 0
        self.longest = 0

    def __call__(self, text):
        self.calls += 1
        self.longest = max(self.longest, len(text))
        return len(text)


def test_splitting_a_huge_clause_takes_linear_work_and_never_counts_a_huge_text():
    from bot.chunks import _split_long

    for text in ("各高校要切实加强校园招聘，建立完善就业资源开发机制。" * 20_000, "高校毕业生就业创业" * 50_000):
        count = RecordingCount()
        parts = _split_long(text, 500, count)
        assert "".join(parts) == text
        assert all(len(p) <= 500 for p in parts)
        assert count.longest <= 4 * 500 + 50  # one part and one piece at most
        assert count.calls <= 4 * len(text) / 500 + len(text) / 20  # linear in the text


def test_a_long_sentence_without_commas_is_cut_within_the_budget(tmp_path):
    from bot.chunks import _split_long

    count = counter(tmp_path)
    text = "第一句。" + "高校毕业生就业创业" * 300 + "。最后一句。"
    parts = _split_long(text, 100, count)
    assert "".join(parts) == text and all(count(p) <= 100 for p in parts)
