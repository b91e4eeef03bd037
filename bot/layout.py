"""Which layout a notice was read as, and a preview of its clauses for staff (`ingest --dry-run`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.clauses import FOOTER, PREAMBLE, LayoutKind, parse_structure
from bot.injection import suspicious_lines
from bot.notice import Notice

# One label of a clause path, and the style it is printed in.
_TOKEN = re.compile(
    r"(?P<attachment>附件\d*)"
    r"|(?P<article>第[零〇一二两三四五六七八九十百]+条)"
    r"|(?P<paragraph>第\d+段)"
    r"|(?P<section>[一二三四五六七八九十百]+、)"
    r"|(?P<sub>（[一二三四五六七八九十百]+）)"
    r"|(?P<item>\d+\.)"
    r"|(?P<subitem>（\d+）)"
)
_STYLE = {
    "section": "一、",
    "sub": "（一）",
    "item": "1.",
    "subitem": "（1）",
    "article": "第N条",
    "paragraph": "第N段",
}
_ORDER = ["section", "sub", "item", "subitem"]


@dataclass(frozen=True)
class Layout:
    """How a notice is laid out: its kind, the label styles in use, its attachments."""

    kind: LayoutKind
    levels: tuple[str, ...]
    attachments: tuple[str, ...] = ()

    def __str__(self) -> str:
        """A one-line summary, e.g. "numbered 一、/（一）/1.; 附件1, 附件2"."""
        text = f"{self.kind} {'/'.join(self.levels)}".strip()
        if self.kind == "paragraphs":
            text += " (no printed labels)"
        if self.attachments:
            text += "; " + ", ".join(self.attachments)
        return text


def layout_of(clauses: Iterable[tuple[str, str, str]]) -> Layout:
    """The layout shown by clause paths with their section headings and contexts.

    Works from stored chunks too, so `sources` can show it for any index.
    """
    kinds: set[str] = set()
    chapters = parts = False
    attachments: list[str] = []
    for path, section_heading, context in clauses:
        if path in (PREAMBLE, FOOTER):
            continue
        outer = True
        for m in _TOKEN.finditer(path):
            kind = m.lastgroup or ""
            if kind == "attachment":
                if m.group(0) not in attachments:
                    attachments.append(m.group(0))
                continue
            if kind == "article" and outer:
                chapters = chapters or (section_heading.startswith("第") and "章" in section_heading[:8])
                parts = parts or (context.startswith("第") and "节" in context[:8])
            if not path.startswith("附件"):
                kinds.add(kind)
            outer = False
    if "article" in kinds:
        levels = [s for s, used in (("第N章", chapters), ("第N节", parts)) if used] + ["第N条"]
        return Layout("articles", tuple(levels), tuple(attachments))
    if "paragraph" in kinds or not kinds:
        return Layout("paragraphs", ("第N段",), tuple(attachments))
    return Layout("numbered", tuple(_STYLE[k] for k in _ORDER if k in kinds), tuple(attachments))


def describe_layout(text: str) -> Layout:
    """The layout a notice's text is parsed as."""
    parsed = parse_structure(text)
    return layout_of((c.path, c.section_heading, c.context) for c in parsed.clauses)


def preview(notice: Notice, width: int = 40) -> str:
    """What ingesting a notice would make: its layout, title block and clauses (path, heading, start)."""
    parsed = parse_structure(notice.text)
    layout = layout_of((c.path, c.section_heading, c.context) for c in parsed.clauses)
    lines = [
        f"{notice.path or notice.meta.doc}: {notice.meta.doc}, {len(parsed.clauses)} clauses, layout: {layout}",
    ]
    if parsed.title:
        kept = any(c.path == PREAMBLE for c in parsed.clauses)
        where = f"kept in {PREAMBLE}" if kept else "not a clause"
        lines.append(f"  title block ({where}): {' / '.join(parsed.title)}")
    path_width = max((len(c.path) for c in parsed.clauses), default=0) + 2
    for clause in parsed.clauses:
        heading = " › ".join(dict.fromkeys(h for h in (clause.section_heading, clause.context, clause.heading) if h))
        start = " ".join(clause.text.split("\n"))
        start = start if len(start) <= width else start[: width - 1] + "…"
        lines.append(f"  {clause.path:<{path_width}}{heading[:width]}  |  {start}")
    flagged = suspicious_lines(notice.text)
    if flagged:
        lines.append(f"  ⚠ {len(flagged)} line(s) read like orders to a language model (check before ingesting):")
        lines += [f"    {line[: width * 2]}" for line in flagged]
    return "\n".join(lines)
