"""The printed labels that number a notice's units: 一、 （一） 1."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["section", "sub", "item"]

_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN = "一二三四五六七八九十"

SECTION_RE = re.compile(rf"^([{_CN}]{{1,3}})、")
SUB_RE = re.compile(rf"^[（(]([{_CN}]{{1,3}})[）)]")
ITEM_RE = re.compile(r"^(\d{1,2})[.．](?![\d．.])")


@dataclass(frozen=True)
class Label:
    """A unit label at the start of a paragraph."""

    kind: Kind
    number: int
    text: str  # as printed, e.g. "(二)"

    @property
    def canonical(self) -> str:
        """The label as a clause path writes it: full-width brackets, ASCII dot."""
        if self.kind == "section":
            return f"{int_to_cn(self.number)}、"
        if self.kind == "sub":
            return f"（{int_to_cn(self.number)}）"
        return f"{self.number}."


def cn_to_int(numeral: str) -> int:
    """Convert a Chinese numeral from 一 to 九十九 to an int."""
    if numeral == "十":
        return 10
    if numeral.startswith("十"):
        return 10 + _DIGITS[numeral[1]]
    if "十" in numeral:
        tens, _, ones = numeral.partition("十")
        return _DIGITS[tens] * 10 + (_DIGITS[ones] if ones else 0)
    return _DIGITS[numeral]


def int_to_cn(number: int) -> str:
    """Convert 1..99 to a Chinese numeral."""
    names = "一二三四五六七八九"
    tens, ones = divmod(number, 10)
    if tens == 0:
        return names[ones - 1]
    head = "" if tens == 1 else names[tens - 1]
    return head + "十" + (names[ones - 1] if ones else "")


def match_label(paragraph: str) -> Label | None:
    """Return the label a paragraph starts with, if any (not checked against its neighbours)."""
    text = paragraph.lstrip()
    for kind, pattern in (("section", SECTION_RE), ("sub", SUB_RE)):
        m = pattern.match(text)
        if m:
            try:
                return Label(kind, cn_to_int(m.group(1)), m.group(0))  # type: ignore[arg-type]
            except (KeyError, IndexError):
                return None
    m = ITEM_RE.match(text)
    if m:
        return Label("item", int(m.group(1)), m.group(0))
    return None


def normalize_path(path: str) -> str:
    """Normalise a clause path for comparison: no whitespace, full-width brackets, ASCII dot."""
    path = re.sub(r"\s+", "", path)
    return path.replace("(", "（").replace(")", "）").replace("．", ".")
