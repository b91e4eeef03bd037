"""Read notices as staff receive them: knowledge files, PDF and DOCX (with a metadata sidecar)."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.cleaning import (
    CELL_SEPARATOR,
    PAGE_JUNK,
    clean_text,
    fix_extraction_errors,
    join_lines,
    keep_paragraphs,
    starts_own_line,
)
from bot.notice import Notice, NoticeError, load_notice, meta_from_dict

TEXT_SUFFIXES = {".md", ".txt"}
BINARY_SUFFIXES = {".pdf", ".docx"}
SKIP_NAMES = {"readme.md", "readme.txt"}


def pdf_text(path: Path) -> str:
    """A PDF's text, one paragraph per line: lines rejoined by their position on the page.

    Table rows become one line with the cells joined by "｜"; a PDF whose text carries no
    positions falls back to pypdf's plain text with wrapped lines joined by `clean_text`.
    """
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        pages = [_page_lines(page) for page in reader.pages]
        if not any(pages):
            plain = [page.extract_text() or "" for page in reader.pages]
            return clean_text("\n".join(_drop_running_heads(plain)))
    except (PdfReadError, OSError, ValueError) as exc:
        raise NoticeError(f"{path}: cannot read this PDF ({exc})") from exc
    return fix_extraction_errors("\n".join(pdf_paragraphs(pages))) + "\n"


def _drop_running_heads(pages: list[str]) -> list[str]:
    """Drop header/footer lines: the same line at the top or bottom of at least 3 and most pages."""
    if len(pages) < 3:
        return pages
    edges: Counter[str] = Counter()
    for page in pages:
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        edges.update(set(lines[:2] + lines[-2:]))
    repeated = {line for line, n in edges.items() if n >= 3 and n > len(pages) / 2}
    return ["\n".join(line for line in page.splitlines() if line.strip() not in repeated) for page in pages]


@dataclass
class PdfLine:
    """One printed line: where it starts and (roughly) ends, its font size and its cells."""

    x: float
    end: float
    size: float
    cells: list[str]

    @property
    def text(self) -> str:
        """The line's text, table cells joined by the cell separator."""
        return CELL_SEPARATOR.join(self.cells)


def _em_width(text: str) -> float:
    """A text's printed width in ems: a CJK, full-width or Chinese-quote character is 1, anything else about 0.5."""
    return sum(1.0 if ord(ch) > 0x2E7F or 0x2010 <= ord(ch) <= 0x206F else 0.5 for ch in text)


def _page_lines(page: Any) -> list[PdfLine]:
    """The page's text runs with their positions, grouped into lines from top to bottom."""
    runs: list[tuple[float, float, float, str]] = []  # y, x, size, text

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        text = text.replace("\n", "")
        if not text.strip():
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = math.hypot(tm[0] * cm[0] + tm[1] * cm[2], tm[0] * cm[1] + tm[1] * cm[3]) or 1.0
        em = (size or 10.0) * scale
        stripped = text.lstrip()
        x += _em_width(text[: len(text) - len(stripped)]) * em  # an indent typed as leading spaces
        runs.append((y, x, em, stripped))

    page.extract_text(visitor_text=visit)
    runs.sort(key=lambda r: (-r[0], r[1]))
    grouped: list[list[tuple[float, float, float, str]]] = []
    for run in runs:
        if grouped and abs(grouped[-1][0][0] - run[0]) <= 0.4 * min(run[2], grouped[-1][0][2]):
            grouped[-1].append(run)
        else:
            grouped.append([run])
    lines = []
    for group in grouped:
        group.sort(key=lambda r: r[1])
        size = max(r[2] for r in group)
        cells: list[str] = []
        end = group[0][1]
        for _y, x, run_size, text in group:
            if not cells or x - end > 1.2 * size:
                cells.append(text.strip())
            else:
                cells[-1] = _join_runs(cells[-1], text, x - end > 0.2 * size)
            end = max(end, x) + _em_width(text) * run_size
        lines.append(PdfLine(x=group[0][1], end=end, size=size, cells=[c for c in cells if c]))
    return [line for line in lines if line.cells]


def _join_runs(left: str, right: str, gap: bool) -> str:
    """Two runs of one line: a space between them only where a visible gap separates two Latin words."""
    if gap and left[-1:].isascii() and left[-1:].isalnum() and right[:1].isascii() and right[:1].isalnum():
        return left + " " + right
    return left + right.lstrip() if left.endswith(" ") or not gap else left + right


def _drop_running_lines(pages: list[list[PdfLine]]) -> list[list[PdfLine]]:
    """Drop page numbers and header/footer lines repeated at the top or bottom of most pages."""
    texts = ["\n".join(line.text for line in page) for page in pages]
    kept = _drop_running_heads(texts)
    out = []
    for page, text in zip(pages, kept, strict=True):
        keep = Counter(t.strip() for t in text.splitlines())
        lines = []
        for line in page:
            if keep[line.text.strip()] > 0 and not PAGE_JUNK.match(line.text.strip()):
                keep[line.text.strip()] -= 1
                lines.append(line)
        out.append(lines)
    return out


def _quantile(values: list[float], share: float) -> float:
    """A nearest-rank quantile of a non-empty list."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def pdf_paragraphs(pages: list[list[PdfLine]]) -> list[str]:
    """Rejoin printed lines into the source's paragraphs.

    A line starts a paragraph when it is indented (first-line indent, centred or right-aligned),
    when the line before it stopped short of the right margin (and its next word would have
    fitted), when it is a table row or follows one, or when it starts with a label or a contact
    or sign-off key. Otherwise it continues the paragraph, also across a page break.
    """
    lines = [line for page in _drop_running_lines(pages) for line in page]
    if not lines:
        return []
    chars: Counter[float] = Counter()
    for line in lines:
        chars[round(line.size)] += len(line.text)
    body_size = chars.most_common(1)[0][0]
    body = [line for line in lines if round(line.size) == body_size and len(line.cells) == 1]
    left = Counter(round(line.x) for line in body).most_common(1)[0][0] if body else lines[0].x
    right = _quantile([line.end for line in body], 0.9) if body else max(line.end for line in lines)
    paragraphs: list[str] = []
    previous: PdfLine | None = None
    for line in lines:
        text = line.text
        if previous is None or _starts_paragraph(line, previous, left, right, body_size):
            paragraphs.append(text)
        else:
            paragraphs[-1] = join_lines(paragraphs[-1], text)
        previous = line
    return paragraphs


def _starts_paragraph(line: PdfLine, previous: PdfLine, left: float, right: float, body_size: float) -> bool:
    """Whether a printed line starts a new paragraph (see `pdf_paragraphs`)."""
    em = min(line.size, previous.size)
    if len(line.cells) > 1 or len(previous.cells) > 1 or starts_own_line(line.text):
        return True
    if abs(line.size - previous.size) > 0.15 * em:
        return True
    centred = abs((line.x + line.end) / 2 - (left + right) / 2) < em
    if centred and line.size > 1.1 * body_size and right - previous.end < 1.8 * em and previous.x < left + em:
        return False  # a title in a larger type, wrapped onto a centred second line
    if line.x > left + 0.8 * em or previous.x > left + 3 * em:  # indented; or after a centred line
        return True
    room = right - previous.end
    first_word = re.match(r"[A-Za-z0-9@._:/%+-]+", line.text)
    if first_word and _em_width(first_word.group(0)) * line.size > room:
        return False  # a Latin word or number that did not fit on the line before
    return room > 1.8 * em


def docx_text(path: Path) -> str:
    """A DOCX's paragraphs and table rows in document order, one per line (cells joined by "｜")."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several unrelated types for a bad file
        raise NoticeError(f"{path}: cannot read this DOCX ({exc})") from exc
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            lines.append(block.text)
        elif isinstance(block, Table):
            lines.extend(_table_rows(block))
    return "\n".join(lines)


def _table_rows(table: Any) -> list[str]:
    """One line per table row; a merged cell counts once; line breaks inside a cell become spaces."""
    rows = []
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(cell.text.split()))
        if any(cells):
            rows.append(CELL_SEPARATOR.join(cells))
    return rows


def _sidecar(path: Path) -> dict[str, Any]:
    """Metadata for a PDF/DOCX from `<name>.yaml` or `<stem>.yaml` beside it."""
    for candidate in (path.with_name(path.name + ".yaml"), path.with_suffix(".yaml")):
        if candidate.exists():
            data = yaml.safe_load(candidate.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise NoticeError(f"{candidate}: the metadata sidecar must be a mapping of fields")
            return data
    return {}


DEFAULT_MAX_CHARS = 500_000
BINARY_BYTES_PER_CHAR = 64  # PDF and DOCX files carry fonts and images besides their text


def _check_file_size(path: Path, max_chars: int) -> None:
    """Refuse, before reading it, a file too large to hold a notice of at most `max_chars` characters."""
    per_char = 4 if path.suffix.lower() in TEXT_SUFFIXES else BINARY_BYTES_PER_CHAR  # UTF-8: at most 4 bytes
    size = path.stat().st_size
    if size > per_char * max_chars:
        shown = f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size:,} bytes"
        raise NoticeError(
            f"{path}: the file is {shown}, too large for a notice of at most {max_chars:,} characters "
            "(POLICYBOT_MAX_NOTICE_CHARS); split it or raise the limit"
        )


def _check_text_size(path: Path, text: str, max_chars: int) -> None:
    """Refuse a notice whose text is longer than `max_chars` characters."""
    if len(text) > max_chars:
        raise NoticeError(
            f"{path}: the notice has {len(text):,} characters, more than the limit of {max_chars:,} "
            "(POLICYBOT_MAX_NOTICE_CHARS); split it or raise the limit"
        )


def load_document(path: Path, overrides: dict[str, Any] | None = None, max_chars: int = DEFAULT_MAX_CHARS) -> Notice:
    """Load one notice file of any supported kind, refusing one longer than `max_chars` characters."""
    suffix = path.suffix.lower()
    if suffix not in TEXT_SUFFIXES | BINARY_SUFFIXES:
        raise NoticeError(f"{path}: unsupported file type (use .md, .txt, .pdf or .docx)")
    _check_file_size(path, max_chars)
    if suffix in TEXT_SUFFIXES:
        notice = load_notice(path)
        _check_text_size(path, notice.text, max_chars)
        return notice
    raw = pdf_text(path) if suffix == ".pdf" else docx_text(path)
    fields = {**_sidecar(path), **(overrides or {})}
    if not fields:
        raise NoticeError(
            f"{path}: no metadata: put a {path.name}.yaml sidecar beside it or pass the fields as options"
        )
    fields.setdefault("source", path.name)
    text = raw if suffix == ".pdf" else keep_paragraphs(raw)
    if not text.strip():
        raise NoticeError(f"{path}: no text could be extracted (a scanned image?)")
    _check_text_size(path, text, max_chars)
    return Notice(meta=meta_from_dict(fields, str(path)), text=text, path=str(path))


def find_files(paths: list[Path]) -> list[Path]:
    """Expand folders into the notice files inside them; a missing path is an error."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.suffix.lower() in TEXT_SUFFIXES | BINARY_SUFFIXES and p.name.lower() not in SKIP_NAMES
            )
        elif path.is_file():
            found.append(path)
        else:
            raise NoticeError(f"{path}: no such file or folder")
    return found


def load_documents(
    paths: list[Path], overrides: dict[str, Any] | None = None, max_chars: int = DEFAULT_MAX_CHARS
) -> list[Notice]:
    """Load every notice under the paths; duplicate doc ids and oversized notices are errors."""
    notices: list[Notice] = []
    seen: dict[str, str] = {}
    for path in find_files(paths):
        notice = load_document(path, overrides, max_chars)
        if notice.meta.doc in seen:
            raise NoticeError(f"{path}: doc id '{notice.meta.doc}' is also used by {seen[notice.meta.doc]}")
        seen[notice.meta.doc] = str(path)
        notices.append(notice)
    return notices
