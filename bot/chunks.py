"""Chunks: one per clause (split at sentence ends only when a clause exceeds the model's window)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from bot.clauses import Clause, parse_clauses
from bot.cleaning import split_sentences
from bot.notice import Notice


class Chunk(BaseModel):
    """A clause (or part of one) with everything needed to cite it."""

    doc: str
    title: str
    doc_number: str | None
    issuer: str
    issued: str
    year: int
    scope: str
    cohort: str
    clause: str
    order: int
    part: int = 0
    parts: int = 1
    section_heading: str = ""
    heading: str = ""
    context: str = ""
    text: str

    @property
    def id(self) -> str:
        """A stable id: notice, clause path and part."""
        return f"{self.doc}:{self.clause}#{self.part}"

    @property
    def embed_text(self) -> str:
        """What the dense index embeds: the clause with its notice title and section as context."""
        header = " ".join(h for h in (self.title, self.section_heading, self.context) if h)
        return f"{header}\n{self.text}"

    @property
    def lexical_text(self) -> str:
        """What the lexical index sees: the clause with its section heading, but no title."""
        return " ".join(h for h in (self.section_heading, self.context, self.text) if h)

    def to_metadata(self) -> dict[str, Any]:
        """Flatten into Chroma metadata (str/int/float/bool values only)."""
        data = self.model_dump(exclude={"text"})
        data["doc_number"] = self.doc_number or ""
        return data

    @classmethod
    def from_record(cls, text: str, metadata: dict[str, Any]) -> Chunk:
        """Rebuild a chunk from a stored Chroma record."""
        data = dict(metadata)
        data["doc_number"] = data.get("doc_number") or None
        return cls.model_validate({**data, "text": text})


def _pieces(line: str, budget: int, count: Callable[[str], int]) -> list[str]:
    """A line's sentences; a sentence over the budget is cut further at its commas."""
    pieces: list[str] = []
    for sentence in split_sentences(line) or [line]:
        if count(sentence) > budget:
            pieces.extend(re.findall(r"[^，,]+[，,]?", sentence))
        else:
            pieces.append(sentence)
    return pieces


def _split_long(text: str, budget: int, count: Callable[[str], int]) -> list[str]:
    """Split a clause's text at sentence ends into parts of at most `budget` tokens each."""
    if count(text) <= budget:
        return [text]
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        for sentence in _pieces(line, budget, count):
            joined = current + sentence
            if current and count(joined) > budget:
                parts.append(current)
                current = sentence
            else:
                current = joined
        current += "\n"
    if current.strip():
        parts.append(current)
    return [p.strip("\n") for p in parts]


def build_chunks(notice: Notice, count: Callable[[str], int], max_tokens: int = 512) -> list[Chunk]:
    """Turn a notice into chunks: one per clause, split further only when over `max_tokens`."""
    meta = notice.meta
    chunks: list[Chunk] = []
    clauses: list[Clause] = parse_clauses(notice.text)
    for order, clause in enumerate(clauses):
        header_tokens = count(" ".join((meta.title, clause.section_heading, clause.context)))
        pieces = _split_long(clause.text, max(64, max_tokens - header_tokens - 8), count)
        for part, piece in enumerate(pieces):
            chunks.append(
                Chunk(
                    doc=meta.doc,
                    title=meta.title,
                    doc_number=meta.doc_number,
                    issuer=meta.issuer,
                    issued=meta.issued,
                    year=meta.year,
                    scope=meta.scope,
                    cohort=meta.cohort,
                    clause=clause.path,
                    order=order,
                    part=part,
                    parts=len(pieces),
                    section_heading=clause.section_heading,
                    heading=clause.heading,
                    context=clause.context,
                    text=piece,
                )
            )
    return chunks


def clause_texts(chunks: list[Chunk]) -> dict[tuple[str, str], str]:
    """Join the parts of each clause back into the clause's full stored text."""
    texts: dict[tuple[str, str], list[Chunk]] = {}
    for chunk in chunks:
        texts.setdefault((chunk.doc, chunk.clause), []).append(chunk)
    return {key: "\n".join(c.text for c in sorted(parts, key=lambda c: c.part)) for key, parts in texts.items()}
