"""Parse a notice's text into its clauses, named by clause paths (CONTRACT.md §2).

A notice is read as one of three layouts (GB/T 9704 and common practice):

- numbered: outline labels 一、 （一） 1. （1）; a clause is a unit with no units below it,
  its path the labels from the section down (`三、（二）2.（1）`);
- articles: 第一条 … numbered across 第一章 chapters (and 第一节 parts); the path is the
  article (`第五条`), the chapter and part are its section_heading and context;
- paragraphs: no printed labels at all; every paragraph is a clause `第1段`, `第2段`, ….

In every layout the title block (masthead, 文号, title lines) is not a clause of its own: it
stays at the head of `序言` when the notice has an addressee or preamble before its first label,
and otherwise belongs to no clause (the notice's metadata carries it). Text before the first
label is `序言`; the sign-off (contacts, issuer, date, distribution) is `落款`. An attachment
after it (a line that is only 附件 or 附件1) is its own clause `附件1`, or, when it has
numbered units, those units (`附件1 3.`); it is never part of `落款`. Inline enumerations
(一是……；二是……) are running text and stay inside their clause.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from bot.cleaning import is_table_row, squash
from bot.labels import (
    RANK,
    Label,
    label_text,
    match_article,
    match_attachment,
    match_chapter,
    match_label,
)

PREAMBLE = "序言"
FOOTER = "落款"
LayoutKind = Literal["numbered", "articles", "paragraphs"]

_FOOTER_START = re.compile(
    r"^(联系人|联系电话|联系方式[:：]|咨询电话|电子信箱|电子邮箱|抄送|部内发送|附件[:：]|[（(]此件|主题词)"
)
_DATE_LINE = re.compile(
    r"^(\d{4}年\d{1,2}月\d{1,2}日|[〇零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日)"
    r"(印发|发布)?$"
)
# A sign-off issuer: one or more organisation names (generic suffixes, no particular issuer).
_ORG = r"[^\s，。；：:,;！？!?、|｜（）()]{1,28}(?:部|厅|局|委|委员会|办公室|办公厅|政府|中心|大学|学院|学校|团委)"
_ISSUER_LINE = re.compile(rf"^{_ORG}(?:[\s、]+{_ORG})*$")
_TITLE_PUNCT = re.compile(r"[，。；：:,;！？!?｜]")
_SENTENCE_PUNCT = re.compile(r"[。；！？!?;]")


@dataclass
class Clause:
    """One citable unit of a notice."""

    path: str
    heading: str
    section_heading: str
    context: str
    text: str


@dataclass
class _Node:
    """A unit while parsing: its path, its paragraphs, and whether units lie below it."""

    path: str
    kind: str
    paragraphs: list[str] = field(default_factory=list)
    has_children: bool = False
    section_heading: str = ""
    context: str = ""
    label_len: int = 0
    children: Counter[str] = field(default_factory=Counter)
    # Title-block lines and attachment heading lines at its head: never the whole of a clause.
    header_lines: int = 0


def _is_date(paragraph: str) -> bool:
    """A date line such as 2025年5月28日 (or 二〇二五年五月二十八日, …印发)."""
    return bool(_DATE_LINE.match(squash(paragraph)))


def _is_issuer(paragraph: str) -> bool:
    """A short line naming the issuing organisations and nothing else."""
    flat = paragraph.strip()
    if len(squash(flat)) > 60 or is_table_row(flat):
        return False
    return bool(_ISSUER_LINE.match(flat) or _ISSUER_LINE.match(squash(flat)))  # also "教 育 部"


def _starts_footer(paragraph: str, following: str | None) -> bool:
    """Whether a paragraph after the body begins the sign-off block.

    Contact, distribution and attachment-list lines and a date line always do; an issuer line
    only when a date or another issuer line follows it (or nothing does).
    """
    flat = squash(paragraph)
    if _FOOTER_START.match(flat) or _is_date(paragraph):
        return True
    if _is_issuer(paragraph) and match_label(paragraph) is None:
        return following is None or _is_date(following) or _is_issuer(following)
    return False


def is_title_line(paragraph: str) -> bool:
    """A line of the title block: masthead, 文号 or title, with no sentence punctuation."""
    text = paragraph.strip()
    return (
        0 < len(text) <= 60
        and not _TITLE_PUNCT.search(text)
        and match_label(text) is None
        and match_article(text) is None
        and match_chapter(text) is None
        and match_attachment(text) is None
    )


def title_block(paragraphs: list[str]) -> int:
    """How many leading paragraphs form the title block."""
    n = 0
    while n < len(paragraphs) and n < 6 and is_title_line(paragraphs[n]):
        n += 1
    return n


def lead_phrase(paragraph: str) -> str:
    """The clause heading: the lead phrase after the label, up to the first full stop."""
    label = match_label(paragraph)
    article = match_article(paragraph) if label is None else None
    if label:
        text = label_text(paragraph, len(label.text))
    elif article:
        text = label_text(paragraph, len(article[1]))
    else:
        text = paragraph.strip()
    head = re.split(r"[。；]", text, maxsplit=1)[0]
    return head[:60]


def _is_heading_only(node: _Node) -> bool:
    """A unit whose only text is its heading line (a short phrase, no sentence of its own)."""
    if len(node.paragraphs) - node.header_lines != 1:
        return len(node.paragraphs) <= node.header_lines
    line = node.paragraphs[-1]
    if "。" not in line:
        return True
    rest = label_text(line, node.label_len) if node.label_len else line.strip()
    rest = rest.rstrip("。：:")
    return len(rest) <= 30 and not _SENTENCE_PUNCT.search(rest) and "，" not in rest


class _Part:
    """The main text or one attachment: its own numbering, with paths under `prefix`."""

    def __init__(self, layout: LayoutKind, prefix: str = "", heading: str = "") -> None:
        self.layout = layout
        self.prefix = prefix  # "" for the notice, "附件1" for an attachment
        self.heading = heading  # an attachment's title line, the context of its units
        lead = _Node(prefix or PREAMBLE, "preamble" if not prefix else "attachment")
        self.nodes: list[_Node] = [lead]
        self.root = lead
        self.stack: list[_Node] = []
        self.last: Counter[str] = Counter()
        self.chapter = ""
        self.part = ""
        self.started = False
        self.in_footer = False
        self.paragraph_no = 0

    # -- numbered outline ---------------------------------------------------------------
    def _parent(self, label: Label) -> _Node | None:
        """The open unit a label would sit under (None: the top level)."""
        for node in reversed(self.stack):
            if RANK[node.kind] < RANK[label.kind]:
                return node
        return None

    def _accepts(self, label: Label) -> bool:
        """Whether the label continues the numbering (labels inside running text do not).

        A label continues its kind's numbering across parents (some notices number their
        （一）…（二十四） or 1.…26. across sections) or starts it again at 1 under a new parent.
        """
        parent = self._parent(label)
        siblings = (parent or self.root).children[label.kind]
        return label.number == self.last[label.kind] + 1 or (label.number == 1 and siblings == 0)

    def _open(self, label: Label, paragraph: str) -> None:
        """Start a new unit at an accepted label."""
        parent = self._parent(label)
        while self.stack and RANK[self.stack[-1].kind] >= RANK[label.kind]:
            self.stack.pop()
        owner = parent or self.root
        owner.children[label.kind] += 1
        self.last[label.kind] = label.number
        if parent is not None:
            parent.has_children = True
        else:
            self.root.has_children = True
        section = self.stack[0] if self.stack and self.stack[0].kind == "section" else None
        if label.kind == "section":
            section_heading = label_text(paragraph, len(label.text))
            context = ""
        else:
            section_heading = section.section_heading if section else self.heading
            inner = [n for n in self.stack if n.kind != "section"]
            context = " / ".join(lead_phrase(n.paragraphs[n.header_lines]) for n in inner if n.paragraphs)
        base = parent.path if parent else self._base()
        node = _Node(
            base + label.canonical,
            label.kind,
            [paragraph],
            section_heading=section_heading,
            context=context,
            label_len=len(label.text),
        )
        self.stack.append(node)
        self.nodes.append(node)

    def _base(self) -> str:
        """The path prefix of a top-level unit."""
        return f"{self.prefix} " if self.prefix else ""

    # -- articles -------------------------------------------------------------------------
    def _article(self, number: int, label: str, paragraph: str) -> bool:
        """Open an article when it continues the numbering."""
        if number != self.last["article"] + 1:
            return False
        self.last["article"] = number
        self.root.has_children = True
        self.nodes.append(
            _Node(
                self._base() + label,
                "article",
                [paragraph],
                section_heading=self.chapter,
                context=self.part,
                label_len=len(label),
            )
        )
        return True

    def _chapter_heading(self, paragraph: str) -> bool:
        """Take a 第N章 / 第N节 line (or, among articles, a bare 一、总则 line) as context."""
        chapter = match_chapter(paragraph)
        if chapter is not None:
            kind, _number, heading = chapter
            if kind == "章":
                self.chapter, self.part = heading, ""
            else:
                self.part = heading
            return True
        label = match_label(paragraph)
        if label is not None and label.kind == "section" and "。" not in paragraph and len(paragraph) <= 30:
            self.chapter, self.part = paragraph.strip(), ""
            return True
        return False

    # -- feeding --------------------------------------------------------------------------
    def feed(self, paragraph: str, following: str | None) -> None:
        """Place one paragraph."""
        if self.in_footer:
            if self._leaves_footer(paragraph):
                return
            self.nodes[-1].paragraphs.append(paragraph)
            return
        if self.started and not self.prefix and _starts_footer(paragraph, following):
            self.in_footer = True
            self.nodes.append(_Node(FOOTER, "footer", [paragraph]))
            return
        if self.layout == "numbered":
            label = match_label(paragraph)
            if label is not None and self._accepts(label):
                self._open(label, paragraph)
                self.started = True
                return
        elif self.layout == "articles":
            if self._chapter_heading(paragraph):
                return
            article = match_article(paragraph)
            if article is not None and self._article(*article, paragraph):
                self.started = True
                return
        elif self.layout == "paragraphs" and not self.prefix:
            self.paragraph_no += 1
            self.nodes.append(_Node(f"第{self.paragraph_no}段", "paragraph", [paragraph]))
            self.started = True
            return
        self.nodes[-1].paragraphs.append(paragraph)

    def _leaves_footer(self, paragraph: str) -> bool:
        """A section or article that continues the numbering after a false sign-off start.

        The sign-off block is moved back into the unit it interrupted.
        """
        label = match_label(paragraph)
        article = match_article(paragraph)
        if self.layout == "numbered":
            resumes = label is not None and label.kind == "section" and self._accepts(label)
        else:
            resumes = self.layout == "articles" and article is not None and article[0] == self.last["article"] + 1
        if not resumes:
            return False
        footer = self.nodes.pop()
        self.nodes[-1].paragraphs.extend(footer.paragraphs)
        self.in_footer = False
        self.feed(paragraph, None)
        return True


def detect_layout(paragraphs: list[str]) -> LayoutKind:
    """The layout of the notice's main text: articles, numbered outline, or bare paragraphs."""
    articles = [n for n, _ in filter(None, (match_article(p) for p in paragraphs))]
    if 1 in articles and 2 in articles and articles.index(2) > articles.index(1):
        return "articles"
    probe = _Part("numbered")
    for paragraph in paragraphs:
        probe.feed(paragraph, None)
        if probe.started:
            return "numbered"
    return "paragraphs"


def _split_attachments(paragraphs: list[str]) -> list[tuple[str, list[str]]]:
    """The main text and each attachment (from a line that is only 附件 or 附件N)."""
    parts: list[tuple[str, list[str]]] = [("", [])]
    for i, paragraph in enumerate(paragraphs):
        label = match_attachment(paragraph) if i > 0 else None
        if label is not None:
            parts.append((label, [paragraph]))
        else:
            parts[-1][1].append(paragraph)
    return parts


def _clauses_of(part: _Part, title_lines: int) -> list[Clause]:
    """Turn a parsed part's nodes into clauses (leaves only)."""
    clauses: list[Clause] = []
    for node in part.nodes:
        if not node.paragraphs:
            continue
        if node.kind == "preamble":
            if len(node.paragraphs) <= title_lines:
                continue  # only the title block: metadata, not a clause
            heading = PREAMBLE
        elif node.kind == "footer":
            heading = FOOTER
        elif node.kind == "attachment":
            if node.has_children and _is_heading_only(node):
                continue
            heading = part.heading or node.path
        else:
            if node.has_children and _is_heading_only(node):
                continue
            heading = lead_phrase(node.paragraphs[node.header_lines])
        clauses.append(
            Clause(
                path=node.path,
                heading=heading,
                section_heading=node.section_heading,
                context=node.context,
                text="\n".join(node.paragraphs),
            )
        )
    return clauses


@dataclass
class ParsedNotice:
    """A notice's layout, its title block and its clauses in reading order."""

    layout: LayoutKind
    title: list[str]
    clauses: list[Clause]


def parse_structure(text: str) -> ParsedNotice:
    """Parse a notice: the layout of its main text, its title block and its clauses."""
    paragraphs = [p.strip() for p in text.split("\n") if p.strip()]
    (_, main), *attachments = _split_attachments(paragraphs)
    layout = detect_layout(main)
    titles = title_block(main)
    part = _Part(layout)
    body = main
    if layout == "paragraphs":
        body = main[titles:]  # the title block is not a paragraph of the text
    for i, paragraph in enumerate(body):
        part.feed(paragraph, body[i + 1] if i + 1 < len(body) else None)
    clauses = _clauses_of(part, titles if layout != "paragraphs" else 0)
    for label, lines in attachments:
        heading_lines = 1 + title_block(lines[1:])
        sub_layout = detect_layout(lines[heading_lines:])
        heading = " ".join(lines[1:heading_lines])
        attachment = _Part(sub_layout if sub_layout != "paragraphs" else "numbered", label, heading)
        attachment.root.section_heading = heading
        attachment.root.header_lines = heading_lines
        for i, paragraph in enumerate(lines):
            if i < heading_lines:
                attachment.root.paragraphs.append(paragraph)
            else:
                attachment.feed(paragraph, None)
        clauses.extend(_clauses_of(attachment, 0))
    return ParsedNotice(layout, main[:titles], clauses)


def parse_clauses(text: str) -> list[Clause]:
    """Return a notice's clauses in reading order."""
    return parse_structure(text).clauses
