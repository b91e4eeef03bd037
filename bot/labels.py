"""The printed labels that number a notice's units (GB/T 9704 and common practice).

Outline labels, outermost first: 一、 （一） 1. （1）. Regulation-style notices number
articles 第一条 … across chapters 第一章 and their parts 第一节. An attachment after the
sign-off starts at a line that is only 附件 or 附件1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["section", "sub", "item", "subitem"]
RANK: dict[str, int] = {"section": 0, "sub": 1, "item": 2, "subitem": 3}

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN = "一二三四五六七八九十"
_CN_BIG = "零〇一二两三四五六七八九十百"

SECTION_RE = re.compile(rf"^([{_CN}]{{1,3}})、")
SUB_RE = re.compile(rf"^[（(]([{_CN}]{{1,3}})[）)]")
# "1." but not a decimal ("2.5倍", "27.3 万人"); a year may follow the label ("1.2025年5月…").
ITEM_RE = re.compile(r"^(\d{1,2})[.．](?:(?=\d{4}年)|(?![\d．.]))")
SUBITEM_RE = re.compile(r"^[（(](\d{1,2})[）)]")
ARTICLE_RE = re.compile(rf"^第([{_CN_BIG}]{{1,6}})条(?:[\s\u3000]|$|(?=[^，。；、：]))")
CHAPTER_RE = re.compile(rf"^第([{_CN_BIG}]{{1,4}})([章节])(?:[\s\u3000]+|$)(.{{0,40}})$")
# "附件" or "附件1" (or "附件1：") alone on its line; "附件：1.…" is the attachment list of the sign-off.
ATTACHMENT_RE = re.compile(r"^附\s*件(?:\s*(\d{1,2})\s*[:：]?)?$")


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
        if self.kind == "subitem":
            return f"（{self.number}）"
        return f"{self.number}."


def cn_to_int(numeral: str) -> int:
    """Convert a Chinese numeral from 一 to 九百九十九 to an int (KeyError/IndexError if malformed)."""
    if not numeral:
        raise KeyError(numeral)
    total = 0
    if "百" in numeral:
        hundreds, _, numeral = numeral.partition("百")
        total += _DIGITS[hundreds] * 100
        numeral = numeral.lstrip("零〇")
        if len(numeral) == 1 and total and numeral != "十":
            return total + _DIGITS[numeral]
    if not numeral:
        return total
    if numeral == "十":
        return total + 10
    if numeral.startswith("十"):
        return total + 10 + _DIGITS[numeral[1]] if len(numeral) == 2 else _bad(numeral)
    if "十" in numeral:
        tens, _, ones = numeral.partition("十")
        if len(tens) != 1 or len(ones) > 1:
            return _bad(numeral)
        return total + _DIGITS[tens] * 10 + (_DIGITS[ones] if ones else 0)
    if len(numeral) != 1:
        return _bad(numeral)
    return total + _DIGITS[numeral]


def _bad(numeral: str) -> int:
    """Reject a malformed numeral."""
    raise KeyError(numeral)


def int_to_cn(number: int) -> str:
    """Convert 1..999 to a Chinese numeral (一百零一, 二十四)."""
    names = "一二三四五六七八九"
    hundreds, rest = divmod(number, 100)
    tens, ones = divmod(rest, 10)
    if hundreds:
        head = names[hundreds - 1] + "百"
        if rest == 0:
            return head
        if tens == 0:
            return head + "零" + names[ones - 1]
        return head + names[tens - 1] + "十" + (names[ones - 1] if ones else "")
    if tens == 0:
        return names[ones - 1]
    head = "" if tens == 1 else names[tens - 1]
    return head + "十" + (names[ones - 1] if ones else "")


def _strip(paragraph: str) -> str:
    """The paragraph without leading whitespace or Markdown heading/emphasis marks."""
    return re.sub(r"^[\s#>*]+", "", paragraph)


def match_label(paragraph: str) -> Label | None:
    """Return the outline label a paragraph starts with, if any (not checked against its neighbours)."""
    text = _strip(paragraph)
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
    m = SUBITEM_RE.match(text)
    if m:
        return Label("subitem", int(m.group(1)), m.group(0))
    return None


def match_article(paragraph: str) -> tuple[int, str] | None:
    """The number and printed label of a 第N条 article a paragraph starts with."""
    m = ARTICLE_RE.match(_strip(paragraph))
    if not m:
        return None
    try:
        return cn_to_int(m.group(1)), f"第{m.group(1)}条"
    except (KeyError, IndexError):
        return None


def match_chapter(paragraph: str) -> tuple[str, int, str] | None:
    """A heading line 第N章 … or 第N节 …: ("章" or "节", its number, the heading as printed)."""
    text = _strip(paragraph).strip()
    m = CHAPTER_RE.match(text)
    if not m or re.search(r"[。；，]", m.group(3)):
        return None
    try:
        number = cn_to_int(m.group(1))
    except (KeyError, IndexError):
        return None
    return m.group(2), number, re.sub(r"[\s\u3000]+", " ", text)


def match_attachment(paragraph: str) -> str | None:
    """The clause label of an attachment heading line (附件 / 附件1), or None."""
    m = ATTACHMENT_RE.match(paragraph.strip())
    if not m:
        return None
    return f"附件{m.group(1) or ''}"


def label_text(paragraph: str, label_len: int) -> str:
    """A labelled paragraph's text after its label."""
    return _strip(paragraph)[label_len:].strip()


def normalize_path(path: str) -> str:
    """Normalise a clause path for comparison: no whitespace, full-width brackets, ASCII dot."""
    path = re.sub(r"\s+", "", path)
    return path.replace("(", "（").replace(")", "）").replace("．", ".")
