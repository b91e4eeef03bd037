"""Repair text copied from PDFs and web pages: join lines broken mid-sentence, drop junk.

Cleaning changes whitespace only (plus the listed extraction-error fixes), so that a clause's
text stays a faithful copy of the notice.
"""

from __future__ import annotations

import re

from bot.labels import match_label

SENTENCE_END = "。：:；;！!？?）)"
PAGE_JUNK = re.compile(r"^(?:[-—–\s]*\d{1,3}[-—–\s]*|第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+)$")
CELL_SEPARATOR = "｜"
# Lines of the sign-off and contact block: each is its own line in the source, never a wrapped one.
OWN_LINE = re.compile(
    r"^(?:联系人|联系电话|联系方式|咨询电话|电话[:：]|传真[:：]|电子信箱|电子邮箱|邮箱[:：]|地址[:：]|邮编[:：]"
    r"|抄送|部内发送|附件[:：]|[（(]此件)"
)

# Extraction errors found in the seeds: (wrong, right, why).
EXTRACTION_FIXES: list[tuple[str, str, str]] = [
    ("思想 and 党的", "思想和党的", "seed 001: the notice has 和; the copy turned it into English 'and'"),
    ("地区 and 高校", "地区和高校", "seed 001: the notice has 和; the copy turned it into English 'and'"),
    ("高校畢業生", "高校毕业生", "seed 003: traditional characters in a simplified notice, a conversion error"),
]


def fix_extraction_errors(text: str) -> str:
    """Apply the known extraction-error fixes."""
    for wrong, right, _why in EXTRACTION_FIXES:
        text = text.replace(wrong, right)
    return text


def _typical_width(lines: list[str]) -> int:
    """Return the width at which the source wrapped its lines (90th percentile of lengths)."""
    lengths = sorted(len(line) for line in lines)
    if not lengths:
        return 0
    return lengths[min(len(lengths) - 1, int(len(lengths) * 0.9))] if len(lengths) > 3 else max(lengths)


def _ends_paragraph(line: str, width: int) -> bool:
    """Guess whether a source line is the last line of its paragraph.

    A line that stops short of the wrap width ends its paragraph when it closes a sentence;
    a line with no closing punctuation only when it is very short (a header, a date, a name).
    """
    if line.endswith(tuple(SENTENCE_END)):
        return len(line) < 0.92 * width
    if line.endswith("的通知"):  # a title line
        return True
    return len(line) < 0.6 * width and len(line) <= 40


def _is_heading(paragraph: str, width: int) -> bool:
    """A short labelled line with no sentence in it is a heading and ends its paragraph."""
    return match_label(paragraph) is not None and "。" not in paragraph and len(paragraph) < 0.9 * width


def is_table_row(line: str) -> bool:
    """A table row as extraction writes it: cells joined by the cell separator (or tabs)."""
    return CELL_SEPARATOR in line or "\t" in line.strip()


def starts_own_line(line: str) -> bool:
    """Whether a source line always starts a paragraph: a label, a table row, a contact or sign-off line."""
    return match_label(line) is not None or is_table_row(line) or bool(OWN_LINE.match(line))


def _lines(raw: str) -> list[str]:
    """The non-empty source lines, stripped, without page numbers."""
    raw = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "").replace("\u3000", " ")
    lines = [line.strip() for line in raw.split("\n")]
    return [line for line in lines if line and not PAGE_JUNK.match(line)]


def keep_paragraphs(raw: str) -> str:
    """The text of a source that marks its paragraphs (DOCX, Markdown): one per line, none joined."""
    return fix_extraction_errors("\n".join(_lines(raw))) + "\n"


def clean_text(raw: str) -> str:
    """Return the text as paragraphs, one per line, with lines broken mid-sentence joined.

    For PDF and web extracts that wrap paragraphs into lines. A table row, a contact or
    sign-off line and a labelled line always start a paragraph, and a table row is never
    continued by the next line.
    """
    lines = _lines(raw)
    width = max(_typical_width(lines), 1)
    paragraphs: list[str] = []
    last_line = ""
    for line in lines:
        starts_new = (
            not paragraphs
            or starts_own_line(line)
            or is_table_row(last_line)
            or _ends_paragraph(last_line, width)
            or _is_heading(paragraphs[-1], width)
        )
        if starts_new:
            paragraphs.append(line)
        else:
            paragraphs[-1] = join_lines(paragraphs[-1], line)
        last_line = line
    return fix_extraction_errors("\n".join(paragraphs)) + "\n"


def join_lines(left: str, right: str) -> str:
    """Join two pieces of a broken line, keeping a space only between two Latin words."""
    if left and right and left[-1].isascii() and left[-1].isalpha() and right[0].isascii() and right[0].isalpha():
        return left + " " + right
    return left + right


def squash(text: str) -> str:
    """Remove all whitespace, for comparing texts that differ only in layout."""
    return re.sub(r"\s+", "", text)


def split_sentences(text: str) -> list[str]:
    """Split text into sentences at Chinese and Western sentence ends, keeping the punctuation."""
    parts = re.findall(r"[^。！？!?；;\n]+[。！？!?；;]?", text)
    return [p.strip() for p in parts if p.strip()]
