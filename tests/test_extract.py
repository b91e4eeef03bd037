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


def write_indented_pdf(path, blocks):
    """A notice printed as GB/T 9704 lays it out: body paragraphs indented two characters,
    table rows in a grid, contact lines flush left, the sign-off right-aligned."""
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("body", fontName="STSong-Light", fontSize=15, leading=27, firstLineIndent=30, wordWrap="CJK")
    plain = ParagraphStyle("plain", parent=body, firstLineIndent=0)
    right = ParagraphStyle("right", parent=plain, alignment=TA_RIGHT)
    cell = ParagraphStyle("cell", fontName="STSong-Light", fontSize=12, leading=16, wordWrap="CJK")
    styles = {"body": body, "plain": plain, "right": right}
    story = []
    for kind, item in blocks:
        if kind == "table":
            story.append(Table([[Paragraph(c, cell) for c in row] for row in item]))
        else:
            story.append(Paragraph(item, styles[kind]))
    SimpleDocTemplate(str(path), pagesize=A4).build(story)


def test_pdf_table_rows_and_contact_lines_are_never_joined_into_their_neighbours(tmp_path):
    long = "各高校要及时转发招募公告并做好组织报名工作，确保符合条件的毕业生应报尽报，" * 2
    pdf = tmp_path / "n.pdf"
    write_indented_pdf(
        pdf,
        [
            ("plain", "各高等学校："),
            ("body", "一、基层项目"),
            ("body", "（一）招募计划。" + long + "招募计划见下表。"),
            ("table", [["项目", "人数"], ["特岗计划", "4200名"], ["三支一扶", "1500名"]]),
            ("body", "（二）报名时间。" + long),
            ("plain", "联系人：某省教育厅学生处 张三，电话：000-86113052"),
            ("plain", "某省人力资源社会保障厅就业处 李四，电话：000-86520318"),
            ("right", "某省教育厅"),
            ("right", "2031年11月18日"),
        ],
    )
    pdf.with_name("n.pdf.yaml").write_text(
        "doc: made-up-pdf\ntitle: 某省通知标题\ndoc_number: null\nissuer: 某省教育厅\n"
        "issued: '2031-11-18'\nscope: 某省\ncohort: 2032届\n",
        encoding="utf-8",
    )
    lines = load_document(pdf).text.splitlines()
    assert lines == [
        "各高等学校：",
        "一、基层项目",
        "（一）招募计划。" + long + "招募计划见下表。",
        "项目｜人数",
        "特岗计划｜4200名",
        "三支一扶｜1500名",
        "（二）报名时间。" + long,
        "联系人：某省教育厅学生处 张三，电话：000-86113052",
        "某省人力资源社会保障厅就业处 李四，电话：000-86520318",
        "某省教育厅",
        "2031年11月18日",
    ]
    clauses = {c.path: c for c in parse_clauses("\n".join(lines))}
    assert list(clauses) == ["序言", "一、（一）", "一、（二）", "落款"]
    assert clauses["一、（一）"].text.endswith("特岗计划｜4200名\n三支一扶｜1500名")


def test_docx_paragraphs_are_kept_and_tables_become_one_line_per_row(tmp_path):
    import docx

    document = docx.Document()
    for line in ("各高等学校：", "一、见习岗位", "（一）募集计划。全省募集岗位8万个，安排如下表。"):
        document.add_paragraph(line)
    table = document.add_table(rows=0, cols=3)
    for row in (("项目", "人数", "时间"), ("示范基地岗位", "15000人", "3月至5月")):
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    for line in ("（二）基地认定", "新认定示范基地不少于100家", "联系人：张三", "电话：000-1234567"):
        document.add_paragraph(line)
    path = tmp_path / "n.docx"
    document.save(str(path))
    meta = {"doc": "made-up-docx", "title": "某省通知标题", "doc_number": None, "issuer": "某省人社厅"}
    notice = load_document(path, overrides={**meta, "issued": "2031-03-12", "scope": "某省", "cohort": "2031届"})
    assert notice.text.splitlines() == [
        "各高等学校：",
        "一、见习岗位",
        "（一）募集计划。全省募集岗位8万个，安排如下表。",
        "项目｜人数｜时间",
        "示范基地岗位｜15000人｜3月至5月",
        "（二）基地认定",
        "新认定示范基地不少于100家",
        "联系人：张三",
        "电话：000-1234567",
    ]


def test_a_notice_over_the_size_limit_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "long.md"
    header = "---\ndoc: made-up-long\ntitle: 某省通知标题\ndoc_number: null\nissuer: 某省教育厅\n"
    path.write_text(header + "issued: '2031-01-01'\nscope: 某省\ncohort: 2031届\n---\n" + "一" * 3000, encoding="utf-8")
    assert load_document(path, max_chars=5000).meta.doc == "made-up-long"
    with pytest.raises(NoticeError, match=r"long\.md: the notice has 3,001 characters, more than the limit of 2,500"):
        load_document(path, max_chars=2500)


def test_a_huge_file_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:
        f.truncate(50_000_000)  # sparse: 50 MB on paper

    def never(*args, **kwargs):
        raise AssertionError("the file was read")

    monkeypatch.setattr("bot.extract.load_notice", never)
    with pytest.raises(NoticeError, match=r"huge\.txt: the file is 50\.0 MB, too large .*POLICYBOT_MAX_NOTICE_CHARS"):
        load_document(path, max_chars=500_000)


def test_the_size_limit_is_a_setting(tmp_path, monkeypatch):
    from bot.settings import Settings

    monkeypatch.setenv("POLICYBOT_MAX_NOTICE_CHARS", "20000")
    assert Settings().max_notice_chars == 20000


def test_a_pdf_indent_typed_as_leading_spaces_starts_a_paragraph(tmp_path):
    from pypdf import PdfReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    from bot.extract import _page_lines, pdf_paragraphs

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "typed.pdf"
    c = canvas.Canvas(str(path))
    c.setFont("STSong-Light", 12)
    lines = [
        "\u3000\u3000第一段的第一行文字写满了整整一行而没有结束这句话还在",
        "继续写下去直到这里才结束。",
        "\u3000\u3000第二段只有一行。",
        "\u3000\u3000第三段的第一行文字也写满了整整一行而没有结束这句话",
        "还在继续。",
    ]
    for i, line in enumerate(lines):
        c.drawString(72, 760 - 18 * i, line)
    c.save()
    pages = [_page_lines(page) for page in PdfReader(str(path)).pages]
    assert pdf_paragraphs(pages) == [
        "第一段的第一行文字写满了整整一行而没有结束这句话还在继续写下去直到这里才结束。",
        "第二段只有一行。",
        "第三段的第一行文字也写满了整整一行而没有结束这句话还在继续。",
    ]
