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
    notice_hash: str = ""

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


Piece = tuple[str, int]  # a piece of text and its token count


def _fit(piece: str, budget: int, count: Callable[[str], int]) -> list[Piece]:
    """Cut a sentence into pieces of at most `budget` tokens: at its commas, else in halves.

    Text longer than a window of characters is cut before it is counted, so that no call of
    `count` sees more than a bounded text (tokenising one very long run is itself slow).
    """
    window = 4 * budget
    if len(piece) > window:
        commas = re.findall(r"[^，,]+[，,]?", piece)
        if len(commas) > 1:
            return [p for c in commas for p in _fit(c, budget, count)]
        return [p for i in range(0, len(piece), window) for p in _fit(piece[i : i + window], budget, count)]
    n = count(piece)
    if n <= budget or len(piece) < 2:
        return [(piece, n)]
    commas = re.findall(r"[^，,]+[，,]?", piece)
    if len(commas) > 1:
        return [p for c in commas for p in _fit(c, budget, count)]
    half = len(piece) // 2
    return _fit(piece[:half], budget, count) + _fit(piece[half:], budget, count)


def _pieces(text: str, budget: int, count: Callable[[str], int]) -> list[Piece]:
    """A clause's sentences with their token counts, each line's last piece keeping its line break."""
    pieces: list[Piece] = []
    lines = text.split("\n")
    for i, line in enumerate(lines):
        line_pieces = [p for sentence in split_sentences(line) or [line] for p in _fit(sentence, budget, count)]
        if i < len(lines) - 1:
            if line_pieces:
                last, n = line_pieces[-1]
                line_pieces[-1] = (last + "\n", n)
            else:
                line_pieces = [("\n", 0)]
        pieces.extend(line_pieces)
    return pieces


def _pack(pieces: list[Piece], budget: int, count: Callable[[str], int]) -> list[str]:
    """Pack pieces in order into parts of at most `budget` tokens, each part as long as fits.

    The pieces' token counts are summed to find a part's end; the joined text is then counted
    to move that end (a join can merge tokens differently), so every call of `count` sees at
    most about one part and the whole runs in linear time.
    """
    parts: list[str] = []
    start = 0
    while start < len(pieces):
        end, total = start + 1, pieces[start][1]
        while end < len(pieces) and total + pieces[end][1] <= budget:
            total += pieces[end][1]
            end += 1
        while end < len(pieces) and count(_joined(pieces, start, end + 1)) <= budget:
            end += 1
        while end - start > 1 and count(_joined(pieces, start, end)) > budget:
            end -= 1
        parts.append(_joined(pieces, start, end))
        start = end
    return parts


def _joined(pieces: list[Piece], start: int, end: int) -> str:
    """The text of pieces[start:end]."""
    return "".join(p for p, _ in pieces[start:end])


def _split_long(text: str, budget: int, count: Callable[[str], int]) -> list[str]:
    """Split a clause's text at sentence ends into parts of at most `budget` tokens each, in linear time."""
    if len(text) <= 4 * budget and count(text) <= budget:
        return [text]
    parts = [p.strip("\n") for p in _pack(_pieces(text, budget, count), budget, count)]
    return [p for p in parts if p.strip()] or [text]


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
                    notice_hash=notice.content_hash,
                )
            )
    return chunks


def clause_texts(chunks: list[Chunk]) -> dict[tuple[str, str], str]:
    """Join the parts of each clause back into the clause's full stored text."""
    texts: dict[tuple[str, str], list[Chunk]] = {}
    for chunk in chunks:
        texts.setdefault((chunk.doc, chunk.clause), []).append(chunk)
    return {key: "\n".join(c.text for c in sorted(parts, key=lambda c: c.part)) for key, parts in texts.items()}
