"""Answers as Telegram HTML: escaped text, numbered sources, buttons, and splitting at 4,096 characters."""

from __future__ import annotations

import re
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


def source_label(citation: Citation) -> str:
    """How a source is named in a reply: 黔教发〔2022〕5号 二、6. (the title when there is no doc number)."""
    return f"{citation.doc_number or '《' + citation.title + '》'} {citation.clause}"


def _where(citation: Citation) -> str:
    """Issuer, year and region of a cited notice."""
    region = "全国" if citation.scope in (None, "national") else citation.scope
    year = (citation.issued or "")[:4]
    return "，".join(x for x in (citation.issuer, f"{year}年" if year else "", region) if x)


def render_answer(answer: Answer) -> str:
    """The answer in HTML parse mode: the text, then the numbered sources with issuer, year and region."""
    lines = [escape(answer.answer)]
    if answer.citations:
        lines += ["", "<b>来源</b>"]
        lines += [
            f"[{n}] {escape(source_label(c))}（{escape(_where(c))}）" for n, c in enumerate(answer.citations, start=1)
        ]
    if answer.fallback:
        lines += ["", "<i>（语言模型暂不可用，以上为条款原文摘录。）</i>"]
    return "\n".join(lines)


def answer_keyboard(answer_id: int, citations: int) -> InlineKeyboardMarkup:
    """原文 [n] buttons for each citation, then 👍 / 👎."""
    rows = []
    sources = [
        InlineKeyboardButton(f"原文 [{n}]", callback_data=f"src:{answer_id}:{n}") for n in range(1, citations + 1)
    ]
    if sources:
        rows.append(sources[:4])
    rows.append(
        [
            InlineKeyboardButton("👍", callback_data=f"fb:{answer_id}:1"),
            InlineKeyboardButton("👎", callback_data=f"fb:{answer_id}:-1"),
        ]
    )
    return InlineKeyboardMarkup(rows)


def render_clause(citation: Citation, text: str) -> str:
    """A clause's full text, headed by its source."""
    return f"<b>{escape(source_label(citation))}</b>\n《{escape(citation.title)}》\n\n{escape(text)}"
