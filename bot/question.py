"""A question read once into a typed value: its years, cohorts, regions and what it asks for.

The word lists come from the lexicon (bot/lexicon/zh.yaml); the regions and cities a corpus knows
come from its profile. Nothing here names a particular notice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from pypinyin import lazy_pinyin

from bot.lexicon import Lexicon, lexicon
from bot.profile import CorpusProfile, Region
from bot.text import normalize

__all__ = [
    "QuestionInfo",
    "asks_as_before",
    "correct",
    "lexical_form",
    "normalize",
    "plain",
    "read_question",
    "region_words",
]

_CN_DIGIT = {ch: str(n) for n, ch in enumerate("〇一二三四五六七八九")} | {"零": "0"}
_CN_YEAR = re.compile(r"(?:二[〇零]|20)?([〇零一二三四五六七八九]{2})(?=[届年级])")


def _digits_year(text: str) -> str:
    """二〇二二年 / 二二届 → 2022年 / 2022届."""

    def to_digits(m: re.Match[str]) -> str:
        return "20" + "".join(_CN_DIGIT.get(ch, ch) for ch in m.group(1))

    return _CN_YEAR.sub(to_digits, text)


def expand_english(text: str, words: Lexicon | None = None) -> str:
    """Add the Chinese terms an English question's keywords stand for (for lexical search)."""
    words = words or lexicon()
    lower = text.lower()
    return " ".join([text, *[cn for en, cn in words.english.items() if en in lower]])


_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,200}>")
_MD_LINK = re.compile(r"!?\[([^\]]{0,200})\]\((?:[^()]|\([^()]*\)){0,500}\)")
_MD_PAIR = re.compile(r"(\*{1,3}|_{2,3}|~~|`{1,3})(\S(?:.*?\S)?)\1")
_MD_LINE = re.compile(r"^\s{0,3}(?:#{1,6}|>)\s*", re.M)
_URL = re.compile(r"\b(?:javascript|data|vbscript|https?):\S*", re.I)


_ASKS_HOW_MUCH = re.compile(r"(多少|几)(钱|块)?[啊呀呢吗？?。！!]*$")


def plain(text: str) -> str:
    """A question as typed, without HTML tags, Markdown marks or links (<b>特岗</b> → 特岗)."""
    text = _MD_LINK.sub(r"\1", text)
    text = _URL.sub(" ", _TAG.sub("", text))
    text = _MD_PAIR.sub(r"\2", text)
    return _MD_LINE.sub("", text).strip()


def correct(text: str, words: Lexicon | None = None) -> str:
    """The question with students' typos and near-miss programme names put into the notices' words."""
    words = words or lexicon()
    for wrong, right in words.corrections.items():
        text = text.replace(wrong, right)
    for name in words.programmes:
        if len(name) < 4 or name in text:
            continue
        for start in range(0, len(text) - len(name) + 1):
            window = text[start : start + len(name)]
            if window in words.not_typos:
                continue
            if sum(a != b for a, b in zip(window, name, strict=True)) == 1 and window[0] == name[0]:
                text = text[:start] + name + text[start + len(name) :]
                break
    return _homophones_fixed(text, words)


def _homophones_fixed(text: str, words: Lexicon) -> str:
    """The text with each word typed by sound for a programme or topic name (见系 → 见习, 专生本 → 专升本) put right.

    A pinyin keyboard's slip: the same syllables, other characters, the first one right. Words a name sounds like
    but that mean something else are listed in `not_typos` (考验 is not 考研).
    """
    names = {n for n in (*words.programmes, *(w for t in words.topics for w in t.ask)) if len(n) >= 2 and _is_cjk(n)}
    sounds = [_sound(c) for c in text]
    for name in sorted(names, key=len, reverse=True):
        if name in text:
            continue
        target = [_sound(c) for c in name]
        for start in range(len(text) - len(name) + 1):
            window = text[start : start + len(name)]
            if window[0] == name[0] and window not in words.not_typos and sounds[start : start + len(name)] == target:
                text = text[:start] + name + text[start + len(name) :]
                break
    return text


@cache
def _sound(char: str) -> str:
    """A character's syllable without its tone (岗, 刚 → gang); other characters stand for themselves."""
    return lazy_pinyin(char)[0] if _is_cjk(char) else char


def _is_cjk(text: str) -> bool:
    """Whether every character is a Chinese character."""
    return all("\u4e00" <= c <= "\u9fff" for c in text)


def asks_as_before(text: str) -> bool:
    """Whether a follow-up asks what the question before it asked (那三支一扶呢？ ends in 呢)."""
    return text.rstrip("？?。. ").endswith("呢")


def synonyms(text: str, words: Lexicon | None = None) -> list[str]:
    """The notices' words for the student words a question uses (考公 → 公务员, 招录)."""
    words = words or lexicon()
    return [w for student, notice_words in words.synonyms.items() if words.says(student, text) for w in notice_words]


def lexical_form(text: str, info: QuestionInfo) -> str:
    """The question as matched against clause text: English keywords and student words in the notices' terms."""
    extra = synonyms(text)
    base = expand_english(text) if info.english else text
    return " ".join([base, *[w for w in extra if w not in base]])


def region_words(profile: CorpusProfile | None = None, words: Lexicon | None = None) -> list[str]:
    """The words that name a notice's region: provinces, their full names, and cities that have a notice.

    Other cities stay in the text: a notice may name them (a venue, a provincial capital's programme).
    """
    words = words or lexicon()
    names = [n for p, e in words.provinces.items() for n in (p, e.full)]
    names += list(profile.cities if profile else [])
    return sorted(set(names), key=len, reverse=True)


def _has(flat: str, lower: str, zh: list[str], en: list[str]) -> bool:
    """Whether the text holds one of the Chinese words or (as whole words) one of the English ones."""
    return any(w in flat for w in zh) or any(re.search(rf"\b{re.escape(w)}", lower) for w in en)


def _is_overview(flat: str, profile: CorpusProfile | None, words: Lexicon) -> bool:
    """A broad question: an overview phrase and hardly any topic of its own (我是贵州的应届生有什么政策)."""
    hits = [w for w in words.overview if w in flat]
    if not hits:
        return False
    rest = flat
    filler = [*hits, *region_words(profile, words), *words.cities, *words.overview_filler]
    for word in sorted(filler, key=len, reverse=True):
        rest = rest.replace(word, "")
    rest = re.sub(r"(?:20)?\d\d[年届级]?|[^\u4e00-\u9fff]", "", rest)
    return len(rest) <= words.overview_topic_chars


def _without_venues(flat: str, places: list[str], venues: list[str]) -> str:
    """The text with each place that names where an event is held (郑州主会场, 北京举办) blanked out."""
    if not venues:
        return flat
    pattern = "|".join(map(re.escape, sorted(places, key=len, reverse=True)))
    after = "|".join(map(re.escape, venues))
    return re.sub(rf"(?:{pattern})(?=(?:市|省)?(?:{after}))", " ", flat)


def _short_form(short: str, context: str, flat: str) -> bool:
    """Whether a province's one-character form opens a word such as 川教 or 黔人社 (not 台 inside 平台办)."""
    return re.search(rf"(?<![\u4e00-\u9fff]){re.escape(short + context)}", flat) is not None


def read_regions(flat: str, lower: str, profile: CorpusProfile | None, words: Lexicon) -> list[Region]:
    """The regions a question names: cities (as a city in its province) first, then provinces."""
    found: list[Region] = []
    cities = {**words.cities, **(profile.cities if profile else {})}
    flat = _without_venues(flat, [*cities, *words.provinces], words.venue_words)
    for city in sorted(cities, key=len, reverse=True):  # the longer name first: 马鞍山 is not 鞍山
        if city in flat:
            found.append(Region(cities[city], city))
            flat = flat.replace(city, " ")
    named = {r.province for r in found}
    for province, entry in words.provinces.items():
        hit = province in flat or entry.full in flat
        hit = hit or any(re.search(rf"(?<![a-z]){re.escape(en)}(?![a-z])", lower) for en in entry.en)
        hit = hit or any(_short_form(short, ctx, flat) for short in entry.short for ctx in words.short_form_context)
        if hit and province not in named:
            found.append(Region(province))
    return found


@dataclass
class QuestionInfo:
    """Rule-based reading of a question."""

    text: str
    years: list[int] = field(default_factory=list)
    cohorts: list[int] = field(default_factory=list)
    regions: list[Region] = field(default_factory=list)
    english: bool = False
    wants_number: bool = False
    wants_amount: bool = False
    wants_date: bool = False
    wants_day: bool = False
    wants_hour: bool = False
    wants_duration: bool = False
    wants_phone: bool = False
    wants_place: bool = False
    wants_procedure: bool = False
    wants_condition: bool = False
    wants_list: bool = False
    wants_definition: bool = False
    overview: bool = False
    compare: bool = False
    follow_up: bool = False
    now: bool = False
    next_year: bool = False
    wants_materials: bool = False
    confirm: bool = False
    national: bool = False
    own: str = ""
    """The question's own words, without the chat it continues (empty when it stands alone: see `text`)."""

    def asks_own(self) -> bool:
        """Whether the question says itself what it asks for (a figure, a date, a place, a procedure...)."""
        return (
            any((self.wants_number, self.wants_date, self.wants_place, self.wants_procedure, self.wants_condition))
            or self.wants_list
            or self.overview
        )

    @property
    def provinces(self) -> list[str]:
        """The provinces the question names (a city counts as its province)."""
        return list(dict.fromkeys(r.province for r in self.regions if r.province))

    @property
    def asked_years(self) -> set[int]:
        """The cohorts and years the question names."""
        return set(self.cohorts) | set(self.years)


def read_question(text: str, profile: CorpusProfile | None = None, words: Lexicon | None = None) -> QuestionInfo:
    """Read a question's years, cohorts, regions and intent."""
    words = words or lexicon()
    flat = _digits_year(normalize(text))
    lower = text.lower()
    cohorts = [int(y) for y in re.findall(r"(20\d\d)届", flat)]
    cohorts += [int("20" + y) for y in re.findall(r"(?<!\d)(\d\d)届", flat)]
    cohorts += [int(y) for y in re.findall(r"(?:class of|graduates of|graduating in) (20\d\d)", lower)]
    years = [int(y) for y in re.findall(r"(?<!\d)(20\d\d)(?!\d)", flat)]
    years += [int("20" + y) for y in re.findall(r"(?<![\d.])([12]\d)年(?!\d)", flat)]
    letters = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    english = letters > 3 * max(cjk, 1) and letters >= 6
    intents = words.intents
    en = intents.english

    def asks(name: str, zh: list[str]) -> bool:
        return _has(flat, lower, zh, en.get(name, []))

    money = _has(flat, lower, intents.money, []) and bool(_ASKS_HOW_MUCH.search(flat))
    wants_amount = asks("amount", intents.amount) or money
    stripped = text.strip()
    follow = words.follow_up
    follow_up = (
        any(stripped.startswith(w) for w in follow.starts)
        or any(stripped.rstrip("？?。. ").endswith(w) for w in follow.ends)
        or any(re.match(rf"{re.escape(w)}\b", stripped, re.I) for w in follow.english)
        or len(flat) <= follow.max_chars
    )
    all_years = set(years) | set(cohorts)
    regions = read_regions(flat, lower, profile, words)
    return QuestionInfo(
        text=text,
        years=sorted(set(years)),
        cohorts=sorted(set(cohorts)),
        regions=regions,
        english=english,
        wants_number=asks("number", intents.number) or wants_amount or asks("date", intents.date),
        wants_amount=wants_amount,
        wants_date=asks("date", intents.date),
        wants_day=asks("day", intents.day),
        wants_hour=asks("hour", intents.hour),
        wants_duration=asks("duration", intents.duration),
        wants_phone=asks("phone", intents.phone),
        wants_place=asks("place", intents.place),
        wants_procedure=asks("procedure", intents.procedure),
        wants_condition=asks("condition", intents.condition),
        wants_list=asks("listing", intents.listing),
        wants_definition=asks("definition", intents.definition),
        overview=_is_overview(flat, profile, words) or _has("", lower, [], [w for w in words.overview if w.isascii()]),
        compare=(asks("compare", intents.compare) and (len(all_years) >= 1 or len(regions) >= 2))
        or (asks("choice", intents.choice) and len(regions) >= 2)
        or len(all_years) >= 2
        or bool(re.search(r"\b(compare|difference|differ)\b", lower)),
        follow_up=follow_up,
        now=asks("now", intents.now),
        next_year=asks("next_year", intents.next_year),
        wants_materials=asks("materials", intents.materials),
        confirm=asks("confirm", intents.confirm),
        national=_has(flat, lower, words.national, words.national),
    )
