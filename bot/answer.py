"""The answer object every front end renders (CONTRACT.md §3)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from bot.chunks import Chunk


class Citation(BaseModel):
    """One cited clause with a verbatim quote from it."""

    doc: str
    title: str
    doc_number: str | None
    clause: str
    quote: str
    issuer: str | None = None
    issued: str | None = None
    scope: str | None = None

    @classmethod
    def from_chunk(cls, chunk: Chunk, quote: str) -> Citation:
        """Cite a chunk's clause with a quote from it."""
        return cls(
            doc=chunk.doc,
            title=chunk.title,
            doc_number=chunk.doc_number,
            clause=chunk.clause,
            quote=quote,
            issuer=chunk.issuer,
            issued=chunk.issued,
            scope=chunk.scope,
        )


CaveatKind = Literal["detail_missing", "year_mismatch", "region_mismatch", "stale"]


class Caveat(BaseModel):
    """Something the student must know before the quote: a missing detail, another year or region, an old notice."""

    kind: CaveatKind
    text: str


class RetrievedClause(BaseModel):
    """One clause the retriever returned, with the scores that ranked it (for /debug and evaluation)."""

    doc: str
    clause: str
    score: float
    dense_rank: int | None = None
    lexical_rank: int | None = None
    text: str = ""


class Answer(BaseModel):
    """What the chain returns for one question."""

    question: str
    answer: str
    grounded: bool
    citations: list[Citation] = Field(default_factory=list)
    caveats: list[Caveat] = Field(default_factory=list)
    mode: Literal["extractive", "llm"]
    timings_ms: dict[str, float] = Field(default_factory=dict)
    fallback: str | None = None  # why an llm answer fell back to the extractive one
    id: str | int | None = None
    retrieved: list[RetrievedClause] = Field(default_factory=list, exclude=True)  # not part of the JSON contract

    def to_json_dict(self) -> dict[str, object]:
        """The contract's JSON shape: optional fields only when set."""
        data = self.model_dump(exclude_none=True)
        if not data["caveats"]:
            del data["caveats"]
        for citation in data["citations"]:
            citation.setdefault("doc_number", None)
        return data
