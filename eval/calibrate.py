"""Calibrate the relevance floor: what each candidate floor declines, of the questions the other rules answer.

Every item is retrieved as the chain retrieves it. Questions the other decline rules (off-topic words,
uncovered cohorts, attributes, regions) already decline are left out; for the rest, a floor declines an
item when its best clause falls below it. A floor is good when it catches the unanswerable items that get
through (recall) without declining answerable ones (precision). Candidates:

- `topic`: the question names a topic (lexicon `topics`) that the clause it would be answered from does not;
- `coverage ≥ t`: the share (weighted by rarity) of the question's own n-grams that the best clause has,
  after its region, years, intent words and filler are taken out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.chain import AnswerChain
from bot.decline import decline_reason
from bot.lexicon import lexicon
from bot.question import lexical_form, normalize
from bot.retrieval import topic_query
from bot.state import Retrieved
from bot.text import char_ngrams
from eval.dataset import EvalItem

COVERAGE_FLOORS = (0.05, 0.1, 0.2, 0.3, 0.4)
_CJK_PAIR = re.compile(r"^[\u4e00-\u9fff]{2}$")


@dataclass
class Reading:
    """One item as the floors see it."""

    id: str
    answerable: bool
    other: bool
    """Declined by a rule other than the relevance floor."""
    topic: bool
    """Declined by the topic floor."""
    coverage: float | None
    """The best clause's share of the question's own n-grams (None: the question has none the index knows)."""


def question_grams(state: Retrieved) -> list[str]:
    """The question's own character pairs: without region, years, intent words and filler."""
    words = lexicon()
    text = normalize(topic_query(lexical_form(state.query, state.info), state.profile)).lower()
    intents = [w for name, ws in words.intents.model_dump().items() if name != "english" for w in ws]
    for word in sorted({*intents, *words.overview_filler}, key=lambda w: (-len(w), w)):  # fixed order: they overlap
        if len(word) >= 2:
            text = text.replace(word, " ")
    return list(dict.fromkeys(g for g in char_ngrams(re.sub(r"\d+", " ", text)) if _CJK_PAIR.match(g)))


def coverage(grams: list[str], text: str, idf: Mapping[str, float]) -> float | None:
    """The rarity-weighted share of the n-grams the index knows that occur in the text."""
    known = [(g, idf[g]) for g in grams if g in idf]
    if not known:
        return None
    flat = normalize(text).lower()
    return sum(w for g, w in known if g in flat) / sum(w for _, w in known)


def read(chain: AnswerChain, item: EvalItem) -> Reading:
    """Retrieve one item and read what each floor would do with it."""
    state = chain._retrieve({"question": item.question, "history": item.history})
    reason = decline_reason(state.info, state.hits, state.profile)
    cover = None
    if state.hits:
        top = state.hits[0].chunk
        cover = coverage(question_grams(state), f"{top.heading} {top.context} {top.text}", state.idf)
    topic = bool(reason and reason.startswith("topic:"))
    return Reading(item.id, item.answerable, bool(reason) and not topic, topic, cover)


def trade_off(readings: Iterable[Reading]) -> list[dict[str, str | int | float]]:
    """Per candidate floor: unanswerable items caught, answerable ones declined, precision and recall."""
    rest = [r for r in readings if not r.other]
    missed = [r for r in rest if not r.answerable]
    answerable = [r for r in rest if r.answerable]
    floors: list[tuple[str, list[Reading]]] = [("topic", [r for r in rest if r.topic])]
    for floor in COVERAGE_FLOORS:
        below = [r for r in rest if not r.topic and r.coverage is not None and r.coverage < floor]
        floors.append((f"topic + coverage < {floor}", [r for r in rest if r.topic] + below))
    rows: list[dict[str, str | int | float]] = []
    for name, declined in floors:
        caught = sum(1 for r in declined if not r.answerable)
        wrong = sum(1 for r in declined if r.answerable)
        rows.append(
            {
                "floor": name,
                "unanswerable caught": f"{caught}/{len(missed)}",
                "answerable declined": f"{wrong}/{len(answerable)}",
                "precision": round(caught / (caught + wrong), 3) if caught + wrong else 1.0,
                "recall": round(caught / len(missed), 3) if missed else 1.0,
            }
        )
    return rows


def markdown(rows: list[dict[str, str | int | float]]) -> str:
    """The trade-off as a Markdown table."""
    head = list(rows[0])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(row[h]) for h in head) + " |" for row in rows]
    return "\n".join(lines)
