"""PDF and DOCX notices, as staff receive them, parse into the same clause tree as the text."""

from __future__ import annotations

import pytest
import yaml

from bot.clauses import parse_clauses
from bot.cleaning import squash
from bot.extract import load_document
from bot.notice import NoticeError, load_notice
from tests.conftest import KNOWLEDGE


def write_pdf(path, paragraphs):
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("cn", fontName="STSong-Light", fontSize=11, leading=16, wordWrap="CJK")

    def page_number(canvas, doc):
        canvas.setFont("STSong-Light", 9)
        canvas.drawString(280, 20, f"- {doc.page} -")

    SimpleDocTemplate(str(path), pagesize=A4).build(
        [Paragraph(p, style) for p in paragraphs], onFirstPage=page_number, onLaterPages=page_number
    )


def sidecar(path, meta):
    path.with_name(path.name + ".yaml").write_text(
        yaml.safe_dump(meta.model_dump(), allow_unicode=True), encoding="utf-8"
    )


@pytest.mark.parametrize("doc", ["guizhou-2022-class", "moe-2022-sprint"])
def test_a_pdf_notice_parses_into_the_same_clauses_as_its_text(tmp_path, doc):
    notice = load_notice(KNOWLEDGE / f"{doc}.md")
    pdf = tmp_path / f"{doc}.pdf"
    write_pdf(pdf, notice.text.splitlines())
    sidecar(pdf, notice.meta)
    from_pdf = load_document(pdf)
    expected = [(c.path, squash(c.text)) for c in parse_clauses(notice.text)]
    got = [(c.path, squash(c.text)) for c in parse_clauses(from_pdf.text)]
    assert [p for p, _ in got] == [p for p, _ in expected]
    assert got == expected
    assert from_pdf.meta == notice.meta


def test_running_page_heads_are_dropped_but_a_repeated_issuer_is_kept():
    from bot.extract import _drop_running_heads

    pages = ["教育部办公厅\n正文一", "某某通知\n正文二\n- 2 -", "正文三\n教育部办公厅"]
    assert _drop_running_heads(pages) == pages
    headed = [f"页眉\n正文{i}" for i in range(4)]
    assert _drop_running_heads(headed) == [f"正文{i}" for i in range(4)]


def test_a_docx_notice_parses_into_the_same_clauses_as_its_text(tmp_path):
    import docx

    notice = load_notice(KNOWLEDGE / "moe-2023-spring.md")
    document = docx.Document()
    for line in notice.text.splitlines():
        document.add_paragraph(line)
    path = tmp_path / "spring.docx"
    document.save(str(path))
    got = load_document(path, overrides=notice.meta.model_dump())
    assert [c.path for c in parse_clauses(got.text)] == [c.path for c in parse_clauses(notice.text)]


def test_a_pdf_without_metadata_is_a_clear_error(tmp_path):
    pdf = tmp_path / "n.pdf"
    write_pdf(pdf, ["一、总体要求", "1.第一条。"])
    with pytest.raises(NoticeError, match=r"n.pdf: no metadata: put a n.pdf.yaml sidecar"):
        load_document(pdf)


def test_a_corrupt_pdf_is_a_clear_error(tmp_path):
    pdf = tmp_path / "bad.pdf"
    pdf.write_bytes(b"%PDF-1.4 this is not really a pdf")
    pdf.with_name("bad.pdf.yaml").write_text("doc: bad-one\n", encoding="utf-8")
    with pytest.raises(NoticeError, match=r"bad\.pdf"):
        load_document(pdf)


def test_an_unsupported_file_type_is_a_clear_error(tmp_path):
    path = tmp_path / "notice.xls"
    path.write_bytes(b"x")
    with pytest.raises(NoticeError, match="unsupported file type"):
        load_document(path)
