"""Parse a notice's text into its clauses, named by clause paths (CONTRACT.md §2)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.cleaning import squash
from bot.labels import Label, match_label

PREAMBLE = "序言"
FOOTER = "落款"

_FOOTER_START = re.compile(r"^(联系人|电子信箱|抄送|部内发送|[（(]此件)")
_DATE_LINE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日(印发)?$")
_ISSUER_LINE = re.compile(r"^.{0,12}(教育部|办公厅|教育厅|人民政府|人力资源和社会保障厅|委员会)$")


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
    """A labelled unit while parsing: its path, its paragraphs, and whether units lie below it."""

    path: str
    kind: str
    paragraphs: list[str] = field(default_factory=list)
    has_children: bool = False
    section_heading: str = ""
    context: str = ""


def _is_footer(paragraph: str) -> bool:
    """Whether a paragraph after the last clause begins the sign-off block."""
    flat = squash(paragraph)
    return bool(_FOOTER_START.match(flat) or _DATE_LINE.match(flat) or (_ISSUER_LINE.match(flat) and len(flat) <= 16))


def _after_label(paragraph: str, label: Label) -> str:
    """The paragraph's text after its label."""
    return paragraph.lstrip()[len(label.text) :].strip()


def lead_phrase(paragraph: str) -> str:
    """The clause heading: the lead phrase after the label, up to the first full stop."""
    label = match_label(paragraph)
    text = _after_label(paragraph, label) if label else paragraph.strip()
    head = re.split(r"[。；]", text, maxsplit=1)[0]
    return head[:60]


def _is_heading_only(paragraphs: list[str]) -> bool:
    """A unit whose only text is its heading line (no sentence of its own)."""
    return len(paragraphs) == 1 and "。" not in paragraphs[0]


class _Parser:
    """A single pass over the paragraphs, checking each label against the ones before it."""

    def __init__(self) -> None:
        self.nodes: list[_Node] = [_Node(PREAMBLE, "preamble")]
        self.section: _Node | None = None
        self.sub: _Node | None = None
        self.section_no = 0
        self.sub_no = 0
        self.item_no = 0
        self.items_under_parent = 0
        self.subs_in_section = 0
        self.in_footer = False

    def _accepts(self, label: Label) -> bool:
        """Whether the label continues the numbering (labels inside running text do not)."""
        if label.kind == "section":
            return label.number == self.section_no + 1
        if self.section is None:
            return False
        if label.kind == "sub":
            return label.number == self.sub_no + 1 or (label.number == 1 and self.subs_in_section == 0)
        return label.number == self.item_no + 1 or (label.number == 1 and self.items_under_parent == 0)

    def _open(self, label: Label, paragraph: str) -> None:
        """Start a new unit at an accepted label."""
        if label.kind == "section":
            self.section_no = label.number
            self.subs_in_section = 0
            self.items_under_parent = 0
            self.sub = None
            node = _Node(label.canonical, "section", section_heading=_after_label(paragraph, label))
            self.section = node
        elif label.kind == "sub":
            assert self.section is not None
            self.sub_no = label.number
            self.subs_in_section += 1
            self.items_under_parent = 0
            self.section.has_children = True
            node = _Node(self.section.path + label.canonical, "sub", section_heading=self.section.section_heading)
            self.sub = node
        else:
            assert self.section is not None
            parent = self.sub or self.section
            self.item_no = label.number
            self.items_under_parent += 1
            parent.has_children = True
            context = lead_phrase(self.sub.paragraphs[0]) if self.sub else ""
            node = _Node(
                parent.path + label.canonical,
                "item",
                section_heading=self.section.section_heading,
                context=context,
            )
        node.paragraphs.append(paragraph)
        self.nodes.append(node)

    def feed(self, paragraph: str) -> None:
        """Place one paragraph in the tree."""
        label = match_label(paragraph)
        if not self.in_footer and label is not None and self._accepts(label):
            self._open(label, paragraph)
            return
        if self.section is not None and not self.in_footer and _is_footer(paragraph):
            self.in_footer = True
            self.nodes.append(_Node(FOOTER, "footer"))
        self.nodes[-1].paragraphs.append(paragraph)


def parse_clauses(text: str) -> list[Clause]:
    """Return a notice's clauses in reading order."""
    parser = _Parser()
    for paragraph in (p.strip() for p in text.split("\n")):
        if paragraph:
            parser.feed(paragraph)
    clauses: list[Clause] = []
    for node in parser.nodes:
        if not node.paragraphs:
            continue
        if node.has_children and _is_heading_only(node.paragraphs):
            continue
        if node.kind == "preamble":
            heading = PREAMBLE
        elif node.kind == "footer":
            heading = FOOTER
        else:
            heading = lead_phrase(node.paragraphs[0])
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
