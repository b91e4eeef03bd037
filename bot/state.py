"""The chain's state between retrieval and answering, shared by the answer modes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.profile import CorpusProfile
from bot.question import QuestionInfo
from bot.retrieval import Hit


@dataclass
class Retrieved:
    """What retrieval found for one question, carried to the answering step."""

    question: str
    query: str
    info: QuestionInfo
    hits: list[Hit]
    history: list[str] = field(default_factory=list)
    started: float = 0.0
    retrieve_ms: float = 0.0
    idf: Mapping[str, float] = field(default_factory=dict)
    profile: CorpusProfile = field(default_factory=lambda: CorpusProfile(notices={}))
