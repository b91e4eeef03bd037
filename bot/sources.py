"""The indexed notices, as `policybot sources` and the bots list them (CONTRACT.md §4)."""

from __future__ import annotations

from typing import Any

from bot.chunks import Chunk
from bot.layout import layout_of


def describe_sources(chunks: list[Chunk]) -> list[dict[str, Any]]:
    """One entry per notice: metadata, chunk count, clause paths in reading order and the layout read."""
    by_doc: dict[str, list[Chunk]] = {}
    for chunk in chunks:
        by_doc.setdefault(chunk.doc, []).append(chunk)
    entries = []
    for doc, items in by_doc.items():
        items.sort(key=lambda c: (c.order, c.part))
        first = items[0]
        clauses = list(dict.fromkeys(c.clause for c in items))
        entries.append(
            {
                "doc": doc,
                "title": first.title,
                "doc_number": first.doc_number,
                "issuer": first.issuer,
                "issued": first.issued,
                "scope": first.scope,
                "cohort": first.cohort,
                "chunks": len(items),
                "clauses": clauses,
                "layout": str(layout_of((c.clause, c.section_heading, c.context) for c in items)),
            }
        )
    return sorted(entries, key=lambda e: (e["issued"], e["doc"]))
