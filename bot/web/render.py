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


_COHORT = re.compile(r"(20\d{2})\s*届")
_REGION_SUFFIX = re.compile(r"(?:壮族|回族|维吾尔)?自治区$|特别行政区$|省$|市$")
_DOC_KIND = re.compile(r"(通知|意见|办法|方案|规定|公告|通告|决定|函)$")


def source_tag(citation: Citation) -> str:
    """A short name for a cited clause, as the Telegram bot and the page give it: 贵州 2022届通知 二、6."""
    scope = citation.scope
    region = "全国" if scope in (None, "national") else _REGION_SUFFIX.sub("", scope) or scope
    cohort = _COHORT.search(citation.title)
    year = (citation.issued or "")[:4]
    when = f"{cohort[1]}届" if cohort else (f"{year}年" if year.isdigit() else "")
    kind = _DOC_KIND.search(citation.title.strip())
    return " ".join(x for x in (region, when + (kind[1] if kind else "通知"), citation.clause) if x)


def source_line(citation: Citation) -> str:
    """The tag with the doc number: 贵州 2022届通知 二、6. · 黔教发〔2022〕5号"""
    return source_tag(citation) + (f" · {citation.doc_number}" if citation.doc_number else "")


def notice_line(citation: Citation) -> str:
    """The notice's full title, issuer and date: 《…》（贵州省教育厅，2022-02-24）"""
    details = "，".join(x for x in (citation.issuer, citation.issued) if x)
    return f"《{citation.title}》" + (f"（{details}）" if details else "")


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
        lines += [f"[{n}] {source_line(c)}", notice_line(c)]
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
