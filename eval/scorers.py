"""Exact scorers: each scores one item and returns a value with a reason."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.labels import normalize_path
from bot.question import normalize


@dataclass
class Score:
    """A scorer's verdict on one item."""

    value: float | None  # None when the scorer does not apply to the item
    reason: str


def _gold(item: dict[str, Any]) -> set[tuple[str, str]]:
    """The acceptable (doc, clause path) pairs."""
    return {(g["doc"], normalize_path(g["clause"])) for g in item.get("gold", [])}


def first_citation(item: dict[str, Any], answer: dict[str, Any]) -> Score:
    """Whether the first citation is a gold clause (answerable items only)."""
    if not item["answerable"]:
        return Score(None, "not answerable")
    cites = answer.get("citations") or []
    if not cites:
        return Score(0.0, "no citation")
    first = (cites[0]["doc"], normalize_path(cites[0]["clause"]))
    return Score(float(first in _gold(item)), f"first citation {first[0]} {first[1]}")


def facts(item: dict[str, Any], answer: dict[str, Any]) -> Score:
    """Whether the answer states every fact group (one alternative each)."""
    if not item["answerable"] or not item.get("facts"):
        return Score(None, "no facts")
    text = normalize(answer.get("answer", ""))
    missing = [group for group in item["facts"] if not any(normalize(alt) in text for alt in group)]
    return Score(float(not missing), "all facts stated" if not missing else f"missing {missing}")


def declining(item: dict[str, Any], answer: dict[str, Any]) -> Score:
    """1 when the bot declines exactly the unanswerable items."""
    declined = not answer.get("grounded", False)
    right = declined != item["answerable"]
    what = "declined" if declined else "answered"
    return Score(float(right), f"{what} an {'answerable' if item['answerable'] else 'unanswerable'} item")


def quotes(answer: dict[str, Any], clause_text: dict[tuple[str, str], str]) -> Score:
    """Whether every quote occurs verbatim in its cited clause."""
    cites = answer.get("citations") or []
    if not cites:
        return Score(None, "no citations")
    bad = [c["clause"] for c in cites if c["quote"] not in clause_text.get((c["doc"], normalize_path(c["clause"])), "")]
    return Score(float(not bad), "all quotes verbatim" if not bad else f"not verbatim in {bad}")
