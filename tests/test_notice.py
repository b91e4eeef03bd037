"""Knowledge files carry the CONTRACT.md §1 metadata; bad ones fail with the file and field named."""

from __future__ import annotations

import pytest

from bot.notice import NoticeError, load_notice, parse_notice
from tests.conftest import KNOWLEDGE

CONTRACT = {
    "moe-2022-class": (None, "教育部", "2021-11-15", "national", "2022届"),
    "moe-2024-class": ("教就业〔2023〕4号", "教育部", "2023-12-01", "national", "2024届"),
    "guizhou-2022-class": ("黔教发〔2022〕5号", "贵州省教育厅", "2022-02-24", "贵州省", "2022届"),
    "moe-2022-sprint": ("教学厅函〔2022〕11号", "教育部办公厅", "2022-04-24", "national", "2022届"),
    "moe-2023-spring": ("教学厅函〔2023〕3号", "教育部办公厅", "2023-02-23", "national", "2023届"),
}


@pytest.mark.parametrize("doc", sorted(CONTRACT))
def test_metadata_follows_the_contract(doc):
    meta = load_notice(KNOWLEDGE / f"{doc}.md").meta
    number, issuer, issued, scope, cohort = CONTRACT[doc]
    assert (meta.doc, meta.doc_number, meta.issuer, meta.scope, meta.cohort) == (doc, number, issuer, scope, cohort)
    assert meta.issued.startswith(issued)


def test_doc_numbers_are_printed_in_their_notices():
    for doc, (number, *_rest) in CONTRACT.items():
        text = load_notice(KNOWLEDGE / f"{doc}.md").text.replace(" ", "")
        if number:
            assert number in text


GOOD = "---\ndoc: x-2024-class\ntitle: 某某通知标题\ndoc_number: null\nissuer: 教育部\nissued: '2024-01-01'\nscope: national\ncohort: 2024届\n---\n正文。\n"


def test_a_good_header_parses():
    notice = parse_notice(GOOD, "x.md")
    assert notice.meta.year == 2024 and notice.text == "正文。\n"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("正文，没有头。", "x.md: no metadata header"),
        (GOOD.replace("issuer: 教育部\n", ""), "x.md: metadata field 'issuer' is missing"),
        (GOOD.replace("'2024-01-01'", "last spring"), "x.md: metadata field 'issued'"),
        (GOOD.replace("doc: x-2024-class", "doc: Bad Id!"), "x.md: metadata field 'doc'"),
        (GOOD.replace("title: 某某通知标题", "title: [unclosed"), "x.md: the metadata header is not valid YAML"),
    ],
)
def test_malformed_headers_name_file_and_field(raw, message):
    with pytest.raises(NoticeError) as exc:
        parse_notice(raw, "x.md")
    assert str(exc.value).startswith(message)


def test_content_hash_changes_with_text_and_metadata():
    a = parse_notice(GOOD, "x.md")
    assert a.content_hash != parse_notice(GOOD.replace("正文", "正文改"), "x.md").content_hash
    assert a.content_hash != parse_notice(GOOD.replace("2024届", "2025届"), "x.md").content_hash
    assert a.content_hash == parse_notice(GOOD, "y.md").content_hash
