"""Answers as Telegram HTML: escaped text, caveats, short source tags, buttons, and splitting at 4,096 characters."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.answer import Answer, Citation

TELEGRAM_LIMIT = 4096
_BREAK = re.compile(r"(?<=[。！？!?；;\n])")


def split_message(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Cut a message into parts of at most `limit` characters, at line or sentence ends where possible."""
    parts: list[str] = []
    current = ""
    for piece in (p for p in _BREAK.split(text) if p):
        while len(piece) > limit:  # one sentence longer than a message: cut it, never inside an HTML entity
            room = limit - len(current)
            cut = room
            amp = piece.rfind("&", max(0, cut - 8), cut)
            if amp != -1 and ";" not in piece[amp:cut]:
                cut = amp
            if cut <= 0:
                parts.append(current)
                current = ""
                continue
            parts.append(current + piece[:cut])
            current, piece = "", piece[cut:]
        if len(current) + len(piece) > limit:
            parts.append(current)
            current = ""
        current += piece
    if current or not parts:
        parts.append(current)
    return [p.strip("\n") for p in parts if p.strip()] or [""]


_COHORT = re.compile(r"(20\d{2})\s*届")
_REGION_SUFFIX = re.compile(r"(?:壮族|回族|维吾尔)?自治区$|特别行政区$|省$|市$")
_DOC_KIND = re.compile(r"(通知|意见|办法|方案|规定|公告|通告|决定|函)$")


def region_name(scope: str | None) -> str:
    """A notice's region as students say it: 全国 for national notices, 贵州 for 贵州省."""
    if not scope or scope == "national":
        return "全国"
    return _REGION_SUFFIX.sub("", scope) or scope


def cohort(citation: Citation) -> str:
    """The graduating class a notice is for (2022届, from its title), else the year it was issued (2023年)."""
    match = _COHORT.search(citation.title)
    if match:
        return f"{match[1]}届"
    year = (citation.issued or "")[:4]
    return f"{year}年" if year.isdigit() else ""


def source_tag(citation: Citation) -> str:
    """A short name for a cited clause: 贵州 2022届通知 二、6."""
    kind = _DOC_KIND.search(citation.title.strip())
    return " ".join(x for x in (region_name(citation.scope), cohort(citation) + (kind[1] if kind else "通知"),
                                citation.clause) if x)  # fmt: skip


def render_answer(answer: Answer) -> str:
    """The answer in HTML parse mode: the caveats (before any quote), the text, then a short source tag per citation."""
    lines = [f"⚠️ {escape(c.text)}" for c in answer.caveats] + [""] * bool(answer.caveats)
    lines.append(escape(answer.answer))
    if answer.citations:
        lines.append("")
        for n, c in enumerate(answer.citations, start=1):
            number = f" · {escape(c.doc_number)}" if c.doc_number else ""
            lines.append(f"[{n}] {escape(source_tag(c))}{number}")
    if answer.fallback:
        lines += ["", "<i>（语言模型暂不可用，以上为条款原文摘录。）</i>"]
    return "\n".join(lines)


def answer_keyboard(answer_id: int, citations: int, sign: Callable[[str, int, int], str]) -> InlineKeyboardMarkup:
    """原文 [n] buttons for each citation, then 👍 / 👎; `sign(kind, answer_id, number)` makes their data."""
    rows = []
    sources = [
        InlineKeyboardButton(f"原文 [{n}]", callback_data=sign("src", answer_id, n)) for n in range(1, citations + 1)
    ]
    if sources:
        rows.append(sources[:4])
    rows.append(
        [
            InlineKeyboardButton("👍", callback_data=sign("fb", answer_id, 1)),
            InlineKeyboardButton("👎", callback_data=sign("fb", answer_id, -1)),
        ]
    )
    return InlineKeyboardMarkup(rows)


def render_clause(citation: Citation, text: str, number: int | None = None) -> str:
    """A clause's full text, headed by its short tag, the notice's full title, doc number, issuer and date."""
    tag = f"[{number}] {source_tag(citation)}" if number else source_tag(citation)
    details = " · ".join(x for x in (citation.doc_number, citation.issuer, citation.issued) if x)
    head = f"<b>{escape(tag)}</b>\n《{escape(citation.title)}》"
    return f"{head}\n{escape(details)}\n\n{escape(text)}" if details else f"{head}\n\n{escape(text)}"
