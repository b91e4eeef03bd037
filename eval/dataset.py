"""Evaluation datasets in the CONTRACT.md §5 format, validated line by line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, model_validator

from bot.answer import CaveatKind
from bot.labels import normalize_path

Kind = Literal["student", "fact", "paraphrase", "compare", "multiturn", "english", "refuse", "injection"]
DEFAULT_DATASET = Path(__file__).resolve().parent / "datasets" / "policy_qa.jsonl"  # shipped in the wheel too
KINDS: tuple[str, ...] = ("student", "fact", "paraphrase", "compare", "multiturn", "english", "refuse", "injection")


class DatasetError(ValueError):
    """A dataset line that is not a valid item."""


class Gold(BaseModel):
    """A clause that is an acceptable citation."""

    doc: str
    clause: str

    def key(self) -> tuple[str, str]:
        """(doc, clause path) compared the way CONTRACT.md §2 says: whitespace ignored, . and ． alike."""
        return self.doc, normalize_path(self.clause)


class EvalItem(BaseModel):
    """One labelled question."""

    id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    history: list[str] = Field(default_factory=list)
    answerable: bool
    gold: list[Gold] = Field(default_factory=list)
    facts: list[list[str]] = Field(default_factory=list)
    kind: Kind
    caveats: list[CaveatKind] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> EvalItem:
        """Answerable items name their gold clauses; unanswerable ones have none."""
        if self.answerable and not self.gold:
            raise ValueError("an answerable item needs at least one gold clause")
        if not self.answerable and (self.gold or self.facts):
            raise ValueError("an unanswerable item has no gold clauses and no facts")
        if any(not group for group in self.facts):
            raise ValueError("a fact group needs at least one alternative")
        return self

    def gold_keys(self) -> set[tuple[str, str]]:
        """The acceptable (doc, clause path) pairs."""
        return {g.key() for g in self.gold}


def load_dataset(path: Path) -> list[EvalItem]:
    """Read and validate a dataset; a bad line is a DatasetError naming the file, line and field."""
    items: list[EvalItem] = []
    seen: set[str] = set()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{path}: cannot read the dataset ({exc})") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = EvalItem.model_validate(json.loads(line))
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{path}:{number}: not JSON ({exc.msg})") from exc
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "item"
            raise DatasetError(f"{path}:{number}: {where}: {first['msg']}") from exc
        if item.id in seen:
            raise DatasetError(f"{path}:{number}: duplicate id {item.id!r}")
        seen.add(item.id)
        items.append(item)
    if not items:
        raise DatasetError(f"{path}: the dataset has no items")
    return items
