"""The corpus profile: what the indexed notices cover, read from their metadata when an index is loaded.

Regions, cohorts, years, doc numbers, issuers and the words only one notice's title has all come
from here, never from code, so a notice for a new province, city or cohort is understood the
moment it is ingested.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property

from bot.chunks import Chunk
from bot.lexicon import Lexicon, lexicon
from bot.text import char_ngrams, normalize

NATIONAL = "national"
NAMING_SHARE = 0.15  # a title bigram used by more than this share of clauses says nothing about which notice
_YEARISH = re.compile(r"\d|届")
_YEAR = re.compile(r"20\d\d")


@dataclass(frozen=True)
class Region:
    """Where a notice applies, or where a student asks about: the nation, a province, or a city in one."""

    province: str | None = None
    city: str | None = None

    @property
    def national(self) -> bool:
        """Whether this is the whole country."""
        return self.province is None and self.city is None

    @property
    def name(self) -> str:
        """The region as a student names it: 全国, 四川, 成都."""
        return self.city or self.province or "全国"

    def label(self, words: Lexicon | None = None) -> str:
        """The region as a source line names it: 全国, 四川省, 四川省成都市."""
        if self.national:
            return "全国"
        words = words or lexicon()
        entry = words.provinces.get(self.province or "")
        province = entry.full if entry else (self.province or "")
        return province + (f"{self.city}市" if self.city else "")

    def contains(self, other: Region) -> bool:
        """Whether a notice for this region applies to `other` (the nation contains every region)."""
        if self.national:
            return True
        if self.province != other.province:
            return False
        return self.city is None or self.city == other.city


def parse_scope(scope: str, words: Lexicon | None = None) -> Region:
    """A notice's scope as a region: `national`, a province (贵州省) or a city in one (四川省成都市)."""
    words = words or lexicon()
    scope = scope.strip()
    if scope.lower() == NATIONAL or scope in ("全国", ""):
        return Region()
    for province, entry in sorted(words.provinces.items(), key=lambda kv: -len(kv[1].full)):
        for name in (entry.full, province):
            if scope.startswith(name):
                rest = scope[len(name) :].removesuffix("市").strip()
                return Region(province, rest or None)
    city = scope.removesuffix("市")
    if city in words.cities:
        return Region(words.cities[city], city)
    return Region(re.sub(r"(省|市|自治区)$", "", scope) or scope)


def cohort_of(cohort: str, issued: str) -> int:
    """The graduating class a notice is about, as a year (the issue year when it names none)."""
    m = _YEAR.search(cohort)
    return int(m.group(0)) if m else int(issued[:4])


@dataclass(frozen=True)
class NoticeInfo:
    """One indexed notice's metadata, as the profile reads it."""

    doc: str
    title: str
    doc_number: str | None
    issuer: str
    issued: str
    scope: str
    cohort: str
    region: Region
    cohort_year: int

    @property
    def year(self) -> int:
        """The year the notice was issued."""
        return int(self.issued[:4])

    def tag(self) -> str:
        """A short source tag: 贵州省 2022届通知, 全国 2024届通知."""
        return f"{self.region.label()} {self.cohort or str(self.year) + '年'}通知"


@dataclass
class CorpusProfile:
    """What the indexed notices cover: regions, cohorts, doc numbers, distinctive title words.

    Read once per index build; the derived sets are computed at first use and kept (the notices never change).
    """

    notices: dict[str, NoticeInfo]
    title_words: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def from_chunks(
        cls,
        chunks: Iterable[Chunk],
        words: Lexicon | None = None,
        used: Callable[[str], int] | None = None,
        clauses: int | None = None,
    ) -> CorpusProfile:
        """Read the profile off an index build's chunks (one pass; nothing per pair of notices).

        `used` says in how many clauses an n-gram occurs, of `clauses` in all (the lexical index knows both;
        then one chunk per notice is enough); they are counted here if not given.
        """
        words = words or lexicon()
        notices: dict[str, NoticeInfo] = {}
        counted: Counter[str] = Counter()
        total = 0
        for chunk in chunks:
            total += 1
            if used is None:
                counted.update(set(char_ngrams(chunk.lexical_text)))
            if chunk.doc not in notices:
                notices[chunk.doc] = NoticeInfo(
                    doc=chunk.doc,
                    title=chunk.title,
                    doc_number=chunk.doc_number,
                    issuer=chunk.issuer,
                    issued=chunk.issued,
                    scope=chunk.scope,
                    cohort=chunk.cohort,
                    region=parse_scope(chunk.scope, words),
                    cohort_year=cohort_of(chunk.cohort, chunk.issued),
                )
        grams = {
            doc: {g for g in char_ngrams(n.title) if len(g) == 2 and not _YEARISH.search(g)}
            for doc, n in notices.items()
        }
        titles_with: Counter[str] = Counter(g for gs in grams.values() for g in gs)
        rare = NAMING_SHARE * max(total if clauses is None else clauses, 1)
        clauses_with = used or counted.__getitem__
        distinct = {
            doc: {g for g in gs if titles_with[g] == 1 and clauses_with(g) <= rare} for doc, gs in grams.items()
        }
        return cls(notices=notices, title_words=distinct)

    # -- coverage ------------------------------------------------------------------------------

    @cached_property
    def regions(self) -> set[Region]:
        """Every region a notice applies to (the nation included when a national notice is indexed)."""
        return {n.region for n in self.notices.values()}

    @cached_property
    def cities(self) -> dict[str, str]:
        """Cities with a notice of their own, and their province."""
        return {n.region.city: n.region.province or "" for n in self.notices.values() if n.region.city}

    @cached_property
    def cohort_years(self) -> list[int]:
        """The graduating classes the notices are about, oldest first."""
        return sorted({n.cohort_year for n in self.notices.values()})

    @cached_property
    def newest(self) -> NoticeInfo | None:
        """The newest notice (by cohort, then issue date)."""
        return max(self.notices.values(), key=lambda n: (n.cohort_year, n.issued), default=None)

    @cached_property
    def names(self) -> set[str]:
        """Words only this corpus knows: its regions (and their English names), issuers and doc numbers."""
        words = lexicon()
        found = {n.region.name for n in self.notices.values()} | {n.issuer for n in self.notices.values()}
        found |= {normalize(n.doc_number) for n in self.notices.values() if n.doc_number}
        for notice in self.notices.values():
            entry = words.provinces.get(notice.region.province or "")
            found |= set(entry.en) if entry else set()
        return {name.lower() for name in found if name and name != "全国"}

    def has_region(self, region: Region) -> bool:
        """Whether some notice is for exactly this region (a province's, or a city's own)."""
        return region in self.regions

    @cached_property
    def by_province(self) -> dict[str | None, set[str]]:
        """The notices of each province (None: the nation's)."""
        found: dict[str | None, set[str]] = {}
        for notice in self.notices.values():
            found.setdefault(notice.region.province, set()).add(notice.doc)
        return found

    @cached_property
    def by_year(self) -> dict[int, set[str]]:
        """The notices of each year: the cohort they are about, and the year they were issued."""
        found: dict[int, set[str]] = {}
        for notice in self.notices.values():
            found.setdefault(notice.cohort_year, set()).add(notice.doc)
            found.setdefault(notice.year, set()).add(notice.doc)
        return found

    # -- naming a notice -----------------------------------------------------------------------

    @cached_property
    def _titled(self) -> dict[str, set[str]]:
        """The notices whose title alone has each distinctive word."""
        found: dict[str, set[str]] = {}
        for doc, grams in self.title_words.items():
            for gram in grams:
                found.setdefault(gram, set()).add(doc)
        return found

    @cached_property
    def _numbered(self) -> dict[str, dict[str, str]]:
        """Doc numbers by their last three characters (5号, 11号), each to its notice."""
        found: dict[str, dict[str, str]] = {}
        for doc, notice in self.notices.items():
            number = normalize(notice.doc_number or "")
            if number:
                found.setdefault(number[-3:], {})[number] = doc
        return found

    def docs_named(self, query: str) -> set[str]:
        """The notices a question names by doc number or by two or more words only their title has."""
        flat = normalize(query)
        named = Counter(doc for gram in set(char_ngrams(query)) for doc in self._titled.get(gram, ()))
        found = {doc for doc, words in named.items() if words >= 2}
        for end in range(3, len(flat) + 1):  # every place a doc number could end
            for number, doc in self._numbered.get(flat[end - 3 : end], {}).items():
                if flat[:end].endswith(number):
                    found.add(doc)
        return found

    # -- what I cover --------------------------------------------------------------------------

    @cached_property
    def _covers(self) -> str:
        """covers(), made once."""
        return self._list_covered()

    def covers(self) -> str:
        """One sentence listing the notices, grouped by region: what the bot can answer from."""
        return self._covers

    def _list_covered(self) -> str:
        """One sentence listing the notices, grouped by region: what the bot can answer from."""
        by_region: dict[str, list[NoticeInfo]] = {}
        for notice in sorted(self.notices.values(), key=lambda n: (not n.region.national, n.scope, n.cohort_year)):
            by_region.setdefault(notice.region.label(), []).append(notice)
        parts = []
        for region, notices in by_region.items():
            cohorts = "、".join(dict.fromkeys(n.cohort or f"{n.year}年" for n in notices))
            parts.append(f"{region}（{cohorts}，{len(notices)}份）")
        return "我能回答的是已收录的通知中的内容：" + "；".join(parts) + "。"

    def covers_en(self) -> str:
        """The same in English."""
        regions = sorted({n.region.label() for n in self.notices.values()})
        years = self.cohort_years
        span = f"the classes of {years[0]}–{years[-1]}" if years else "no graduating class"
        return f"I can answer from the {len(self.notices)} notices I hold ({', '.join(regions)}; {span})."
