"""A notice: its metadata (CONTRACT.md §1) and its cleaned text, stored as front matter + body."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator

DOC_ID_RE = re.compile(r"[a-z0-9][a-z0-9-]{2,62}")  # matched whole: `$` would let a final newline through


class NoticeError(ValueError):
    """A notice file that cannot be read; the message names the file and the field."""


class NoticeMeta(BaseModel):
    """The metadata every notice carries."""

    doc: str
    title: str = Field(min_length=4)
    doc_number: str | None
    issuer: str = Field(min_length=2)
    issued: str
    scope: str = Field(min_length=2)
    cohort: str
    source: str | None = None

    @field_validator("doc")
    @classmethod
    def _doc_id(cls, value: str) -> str:
        """Doc ids are lower-case slugs such as moe-2024-class."""
        if not DOC_ID_RE.fullmatch(value):
            raise ValueError("must be a lower-case slug like moe-2024-class")
        return value

    @field_validator("issued", mode="before")
    @classmethod
    def _issued(cls, value: Any) -> str:
        """Issued dates are ISO dates, optionally followed by a note such as (印发)."""
        text = str(value)
        if not re.match(r"^\d{4}-\d{2}-\d{2}", text):
            raise ValueError("must start with a date YYYY-MM-DD")
        return text

    @property
    def year(self) -> int:
        """The year the notice was issued."""
        return int(self.issued[:4])


class Notice(BaseModel):
    """A notice's metadata and cleaned text."""

    meta: NoticeMeta
    text: str
    path: str | None = None

    @property
    def content_hash(self) -> str:
        """A hash of everything that ends up in the index, to skip unchanged notices."""
        payload = self.meta.model_dump_json(exclude={"source"}) + "\n" + self.text
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


FRONT_MATTER_RE = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)


_YAML = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_notice(raw: str, name: str) -> Notice:
    """Parse a knowledge file's text; errors name the file and the field."""
    match = FRONT_MATTER_RE.match(raw.lstrip("\ufeff"))
    if not match:
        raise NoticeError(f"{name}: no metadata header (a '---' block at the top of the file)")
    try:
        data = yaml.load(match.group(1), Loader=_YAML)
    except yaml.YAMLError as exc:
        raise NoticeError(f"{name}: the metadata header is not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise NoticeError(f"{name}: the metadata header must be a mapping of fields")
    text = raw.lstrip("\ufeff")[match.end() :].strip("\n") + "\n"
    if not text.strip():
        raise NoticeError(f"{name}: no text after the metadata header: there is nothing to index")
    return Notice(meta=meta_from_dict(data, name), text=text, path=name)


def meta_from_dict(data: dict[str, Any], name: str) -> NoticeMeta:
    """Validate metadata fields, naming the file and the first bad field on error."""
    try:
        return NoticeMeta.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "header"
        problem = "is missing" if err["type"] == "missing" else err["msg"]
        raise NoticeError(f"{name}: metadata field '{field}' {problem}") from exc


def load_notice(path: Path) -> Notice:
    """Read one knowledge file (.md or .txt with a metadata header)."""
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise NoticeError(f"{path}: not UTF-8 text") from exc
    return parse_notice(raw, str(path))


def dump_notice(notice: Notice) -> str:
    """Render a notice as a knowledge file: YAML front matter, then the text."""
    header = yaml.safe_dump(notice.meta.model_dump(exclude_none=False), allow_unicode=True, sort_keys=False)
    return f"---\n{header}---\n{notice.text}"
