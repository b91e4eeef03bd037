"""Relevance: a question that names a topic (三支一扶, 国企) is answered from a clause that names it.

A clause that shares other words with the question (招多少人, 扩招) but not the topic it names is about
something else: the clause that names the topic answers instead, or the bot declines. The topics and their
spellings are data (`topics` in the lexicon).
"""

from __future__ import annotations

import re

from bot.chunks import Chunk
from bot.lexicon import Lexicon, Topic, lexicon
from bot.question import QuestionInfo
from bot.retrieval import Hit
from bot.text import normalize


def asked_topics(text: str, words: Lexicon | None = None) -> list[tuple[str, Topic]]:
    """The topics a question names, each with the word it was named by."""
    flat = normalize(text).lower()
    words = words or lexicon()
    found = []
    for topic in words.topics:
        said = next((w for w in topic.ask if words.says(normalize(w).lower(), flat) and not _says_who(w, flat)), None)
        if said is not None:
            found.append((said, topic))
    return found


def _says_who(word: str, flat: str) -> bool:
    """Whether every mention of the word says who the asker is (我非全研究生, 我是研究生), not what is asked about."""
    spots = [m.start() for m in re.finditer(re.escape(normalize(word).lower()), flat)]
    who = _STUDYING if word.startswith("读") else _I_AM
    return bool(spots) and all(who.search(flat[max(0, i - 8) : i]) for i in spots)


_STUDYING = re.compile(r"(我们?是?|在[\u4e00-\u9fff]{1,4})$")  # 在成都读研: where the asker studies, not what is asked
_I_AM = re.compile(r"我们?是?(一[个名])?(非全|在读|应届|往届|全日制)?$")  # 我是研究生, 我非全研究生; not 我想考研


def question_topics(info: QuestionInfo, words: Lexicon | None = None) -> list[tuple[str, Topic]]:
    """The topics a question names: a follow-up's own (那进事业单位呢？), else those of the chat it continues."""
    return asked_topics(info.own, words) or asked_topics(info.text, words)


def states(chunk: Chunk, topic: Topic) -> bool:
    """Whether a clause names the topic: in its text, its headings (its own, its section's), or its notice's title."""
    where = normalize("|".join((chunk.text, chunk.heading, chunk.context, chunk.section_heading, chunk.title)))
    where = where.lower()
    return any(normalize(w).lower() in where for w in (*topic.cite, *topic.ask))


def on_topic(hits: list[Hit], info: QuestionInfo, words: Lexicon | None = None) -> list[Hit]:
    """The hits with the best one that names every topic the question names first (unless the first does)."""
    topics = [t for _, t in question_topics(info, words)]
    if not topics or info.compare or not hits or all(states(hits[0].chunk, t) for t in topics):
        return hits
    best = next((h for h in hits if all(states(h.chunk, t) for t in topics)), None)
    if best is None:
        return hits
    return [best, *[h for h in hits if h is not best]]


def unstated_topic(info: QuestionInfo, hits: list[Hit], words: Lexicon | None = None) -> str | None:
    """The topic word a question names that the clause it would be answered from does not (None: all named).

    A comparison is answered from several clauses: each topic needs only one of them.
    """
    answering = hits if info.compare else hits[:1]
    for said, topic in question_topics(info, words):
        if not any(states(h.chunk, topic) for h in answering):
            return said
    return None
