"""Read notices as staff receive them: knowledge files, PDF and DOCX (with a metadata sidecar)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from bot.cleaning import clean_text
from bot.notice import Notice, NoticeError, load_notice, meta_from_dict

TEXT_SUFFIXES = {".md", ".txt"}
BINARY_SUFFIXES = {".pdf", ".docx"}
SKIP_NAMES = {"readme.md", "readme.txt"}


def pdf_text(path: Path) -> str:
    """Extract a PDF's text with pypdf, dropping header/footer lines repeated on most pages."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        pages = [page.extract_text() or "" for page in PdfReader(str(path)).pages]
    except (PdfReadError, OSError, ValueError) as exc:
        raise NoticeError(f"{path}: cannot read this PDF ({exc})") from exc
    return "\n".join(_drop_running_heads(pages))


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


def docx_text(path: Path) -> str:
    """Extract a DOCX's paragraphs with python-docx."""
    import docx

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several unrelated types for a bad file
        raise NoticeError(f"{path}: cannot read this DOCX ({exc})") from exc
    return "\n".join(p.text for p in document.paragraphs)


def _sidecar(path: Path) -> dict[str, Any]:
    """Metadata for a PDF/DOCX from `<name>.yaml` or `<stem>.yaml` beside it."""
    for candidate in (path.with_name(path.name + ".yaml"), path.with_suffix(".yaml")):
        if candidate.exists():
            data = yaml.safe_load(candidate.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise NoticeError(f"{candidate}: the metadata sidecar must be a mapping of fields")
            return data
    return {}


def load_document(path: Path, overrides: dict[str, Any] | None = None) -> Notice:
    """Load one notice file of any supported kind."""
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return load_notice(path)
    if suffix not in BINARY_SUFFIXES:
        raise NoticeError(f"{path}: unsupported file type (use .md, .txt, .pdf or .docx)")
    raw = pdf_text(path) if suffix == ".pdf" else docx_text(path)
    fields = {**_sidecar(path), **(overrides or {})}
    if not fields:
        raise NoticeError(
            f"{path}: no metadata: put a {path.name}.yaml sidecar beside it or pass the fields as options"
        )
    fields.setdefault("source", path.name)
    text = clean_text(raw)
    if not text.strip():
        raise NoticeError(f"{path}: no text could be extracted (a scanned image?)")
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


def load_documents(paths: list[Path], overrides: dict[str, Any] | None = None) -> list[Notice]:
    """Load every notice under the paths; duplicate doc ids are an error."""
    notices: list[Notice] = []
    seen: dict[str, str] = {}
    for path in find_files(paths):
        notice = load_document(path, overrides)
        if notice.meta.doc in seen:
            raise NoticeError(f"{path}: doc id '{notice.meta.doc}' is also used by {seen[notice.meta.doc]}")
        seen[notice.meta.doc] = str(path)
        notices.append(notice)
    return notices
