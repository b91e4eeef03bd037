"""The word lists that read a question, loaded once from bot/lexicon/zh.yaml and validated."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.resources import lexicon_file


class LexiconError(ValueError):
    """The lexicon file is missing or does not follow its schema."""


class _Strict(BaseModel):
    """A lexicon section: unknown keys are mistakes."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Province(_Strict):
    """A province: its full name, one-character short forms, English names."""

    full: str
    short: list[str] = Field(default_factory=list)
    en: list[str] = Field(default_factory=list)


class FollowUp(_Strict):
    """How a follow-up question starts or ends, and how short a question must be to count as one."""

    starts: list[str]
    ends: list[str]
    english: list[str]
    max_chars: int = Field(ge=0)


class Intents(_Strict):
    """Words for each thing a question can ask for, in Chinese and English."""

    number: list[str]
    amount: list[str]
    money: list[str]
    date: list[str]
    day: list[str]
    hour: list[str]
    duration: list[str]
    phone: list[str]
    place: list[str]
    procedure: list[str]
    condition: list[str]
    listing: list[str]
    definition: list[str]
    compare: list[str]
    choice: list[str]
    now: list[str]
    next_year: list[str]
    materials: list[str]
    confirm: list[str]
    english: dict[str, list[str]]


class Topic(_Strict):
    """A named topic (a programme, an institution): asked by any of `ask`, stated by a clause naming any of `cite`
    or `ask`."""

    ask: list[str] = Field(min_length=1)
    cite: list[str] = Field(min_length=1)
    programme: bool = False
    """A programme the notices run (三支一扶): its salary or exam asked is a detail its clauses lack, not off-topic."""


class Detail(_Strict):
    """A detail a question can ask (网址, 学时) that a clause states only in so many words: `state` patterns."""

    name: str
    ask: list[str] = Field(min_length=1)
    state: list[str] = Field(min_length=1)


class Lexicon(_Strict):
    """Every word list policybot reads questions with."""

    intents: Intents
    overview: list[str]
    overview_topic_chars: int = Field(ge=0)
    overview_filler: list[str]
    follow_up: FollowUp
    corrections: dict[str, str]
    not_typos: list[str]
    false_friends: dict[str, list[str]]
    synonyms: dict[str, list[str]]
    programmes: list[str]
    topics: list[Topic]
    attributes: dict[str, list[str]]
    programme_attributes: list[str]
    events: list[str]
    details: list[Detail]
    domain: list[str]
    off_topic: list[str]
    advice: list[str]
    national: list[str]
    service_lines: list[str]
    provinces: dict[str, Province]
    short_form_context: list[str]
    venue_words: list[str]
    cities: dict[str, str]
    english: dict[str, str]

    def says(self, word: str, text: str) -> bool:
        """Whether the text uses the word itself, not only inside a longer word that holds it (全国考 for 国考)."""
        for longer in self.false_friends.get(word, []):
            text = text.replace(longer, " ")
        return word in text

    def province_of(self, name: str) -> str | None:
        """The province a name stands for: a province, its full name, or a city in it."""
        for province, entry in self.provinces.items():
            if name in (province, entry.full):
                return province
        return self.cities.get(name.removesuffix("市"))


def load_lexicon(path: Path) -> Lexicon:
    """Read and validate a lexicon file; errors name the file and the field."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise LexiconError(f"{path}: cannot read the lexicon ({exc})") from exc
    try:
        lexicon = Lexicon.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise LexiconError(f"{path}: {'.'.join(str(p) for p in err['loc'])}: {err['msg']}") from exc
    patterns = [("advice", p) for p in lexicon.advice]
    patterns += [(f"details.{d.name}", p) for d in lexicon.details for p in d.state]
    for field, pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise LexiconError(f"{path}: {field}: {pattern!r} is not a regular expression ({exc})") from exc
    stray = sorted(set(lexicon.programme_attributes) - set(lexicon.attributes))
    if stray:
        raise LexiconError(f"{path}: programme_attributes: {stray} are not listed under attributes")
    unknown = sorted(set(lexicon.cities.values()) - set(lexicon.provinces))
    if unknown:
        raise LexiconError(f"{path}: cities: provinces {unknown} are not listed under provinces")
    return lexicon


@cache
def lexicon() -> Lexicon:
    """The bundled lexicon (read once per process)."""
    return load_lexicon(lexicon_file())
