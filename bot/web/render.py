"""Answers as plain text for OpenAI-compatible clients: caveats, the answer, then numbered sources with quotes."""

from __future__ import annotations

import re

from bot.answer import Answer, Citation

MARKER = re.compile(r"\[(\d+)\]")
# held back at the end of a piece: an unfinished marker `[1`, or a new line too short to tell from the
# model's quotes header (`\n引用：`), which the chain cuts only once it is complete
_HOLD = re.compile(r"\[\d{0,3}$|\n[^\n]{0,12}$")
FALLBACK_NOTE = "（语言模型暂不可用，以上为条款原文摘录。）"
CORRECTION = "以上文字未通过条款核对，请以下面的回答为准："


def source_label(citation: Citation) -> str:
    """How a source is named: 黔教发〔2022〕5号 二、6. (the title when the notice prints no doc number)."""
    return f"{citation.doc_number or '《' + citation.title + '》'} {citation.clause}"


def where(citation: Citation) -> str:
    """Issuer, year and region of a cited notice."""
    region = "全国" if citation.scope in (None, "national") else citation.scope
    year = (citation.issued or "")[:4]
    return "，".join(x for x in (citation.issuer, f"{year}年" if year else "", region) if x)


def caveats_text(answer: Answer) -> str:
    """The caveats, one line each, or nothing."""
    return "\n".join(f"⚠️ 请注意：{c.text}" for c in answer.caveats)


def quoted_in(text: str, quote: str) -> bool:
    """Whether the answer text already holds the quote (an extractive answer does): it is not repeated."""
    return "".join(quote.split()) in "".join(text.split())


def sources_text(answer: Answer) -> str:
    """The numbered sources, each with its notice, where it applies, and the verbatim quote if not yet shown."""
    if not answer.citations:
        return ""
    lines = ["来源："]
    for n, c in enumerate(answer.citations, start=1):
        lines.append(f"[{n}] {source_label(c)}（{where(c)}）")
        if c.doc_number:
            lines.append(f"《{c.title}》")
        if not quoted_in(answer.answer, c.quote):
            lines.append(f"“{c.quote}”")
    return "\n".join(lines)


def reply_text(answer: Answer) -> str:
    """The whole reply: caveats first (before any quote), the answer, the fallback note, the sources."""
    parts = [
        caveats_text(answer),
        answer.answer.strip(),
        FALLBACK_NOTE if answer.fallback else "",
        sources_text(answer),
    ]
    return "\n\n".join(p for p in parts if p)


def stream_tail(answer: Answer, streamed: str) -> str:
    """What follows text already streamed: the rest of the reply, or the checked answer when it differs."""
    if not streamed.strip():
        return reply_text(answer)
    if streamed.strip() != answer.answer.strip():  # declined, repaired or fell back after the model spoke
        return "\n\n——\n" + CORRECTION + "\n\n" + reply_text(answer)
    parts = [caveats_text(answer), FALLBACK_NOTE if answer.fallback else "", sources_text(answer)]
    return "".join("\n\n" + p for p in parts if p)


class MarkerRenumber:
    """Renumbers [n] markers in streamed text in order of first use, as the checked answer numbers them."""

    def __init__(self) -> None:
        self.numbers: dict[int, int] = {}
        self.pending = ""

    def feed(self, piece: str) -> str:
        """The piece with its markers renumbered; an unfinished marker or line is held until the next piece."""
        text = self.pending + piece
        cut = _HOLD.search(text)
        self.pending, text = (text[cut.start() :], text[: cut.start()]) if cut else ("", text)
        return MARKER.sub(self._renumber, text)

    def flush(self) -> str:
        """Whatever was held back at the end of the stream."""
        rest, self.pending = self.pending, ""
        return rest

    def _renumber(self, match: re.Match[str]) -> str:
        """The marker's number in order of first use."""
        number = self.numbers.setdefault(int(match.group(1)), len(self.numbers) + 1)
        return f"[{number}]"
