"""Look-alike distractor notices: the bundled notices re-issued by other provinces and cities for other years.

Distractor `i` of a seed is always the same notice, so a smaller corpus is a prefix of a larger one. A
distractor never shares a region with a bundled notice and is never for a later class than the newest
bundled one, so the bundled evaluation labels stay right with distractors present: they measure confusion
between look-alikes, not a changed answer.
"""

from __future__ import annotations

import random
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.resources import bundled_knowledge
from eval.scale.regions import Region, all_regions, province_of
from eval.scale.rewrite import (
    DOC_NUMBER_MARK,
    NATIONAL_ADDRESSEES,
    mark_doc_number,
    perturb_numbers,
    phrase_table,
    shift_years,
    swap_phrases,
    swap_signoffs,
)

FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
CITY_SHARE = 0.4  # of distractors issued by a city rather than a province
YEARS_BACK = 5  # distractor classes range over the newest bundled class and the five before it


@dataclass(frozen=True)
class Source:
    """A bundled notice a distractor is made from."""

    meta: dict[str, Any]
    text: str

    @property
    def doc(self) -> str:
        """Its doc id."""
        return str(self.meta["doc"])

    @property
    def cohort_year(self) -> int:
        """The year of its graduating class (2022届 → 2022)."""
        return int(str(self.meta["cohort"])[:4])

    @property
    def kind(self) -> str:
        """What the notice is, from its doc id after the year: class, sprint, spring."""
        parts = self.doc.split("-")
        years = [i for i, p in enumerate(parts) if re.fullmatch(r"\d{4}", p)]
        return "-".join(parts[years[0] + 1 :]) if years and years[0] + 1 < len(parts) else "notice"

    @property
    def from_office(self) -> bool:
        """Whether an authority's general office issued it (教育部办公厅)."""
        return str(self.meta["issuer"]).endswith(("办公厅", "办公室"))


@dataclass(frozen=True)
class Distractor:
    """One generated notice: its metadata header and text."""

    meta: dict[str, Any]
    text: str

    @property
    def doc(self) -> str:
        """Its doc id."""
        return str(self.meta["doc"])

    def render(self) -> str:
        """The knowledge file: YAML front matter, then the text."""
        header = yaml.safe_dump(self.meta, allow_unicode=True, sort_keys=False)
        return f"---\n{header}---\n{self.text}"

    def write(self, folder: Path) -> Path:
        """Write it into a knowledge folder as DOC.md."""
        path = folder / f"{self.doc}.md"
        path.write_text(self.render(), encoding="utf-8")
        return path


def load_sources(folder: Path | None = None) -> list[Source]:
    """The notices of a knowledge folder (default: the bundled ones), sorted by doc id."""
    sources = []
    for path in sorted((folder or bundled_knowledge()).glob("*.md")):
        match = FRONT_MATTER.match(path.read_text(encoding="utf-8"))
        if match:
            raw = path.read_text(encoding="utf-8")
            sources.append(Source(yaml.safe_load(match.group(1)), raw[match.end() :]))
    return sorted(sources, key=lambda s: s.doc)


def _shift_date(issued: str, shift: int) -> str:
    """An issue date (with any note after it) moved by whole years; 29 February becomes the 28th."""
    year, month, day = int(issued[:4]) + shift, issued[5:7], issued[8:10]
    if (month, day) == ("02", "29") and not (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
        day = "28"
    return f"{year:04d}-{month}-{day}{issued[10:]}"


class DistractorMaker:
    """Makes distractor `i` of a seed from a set of source notices."""

    def __init__(self, seed: int = 0, sources: list[Source] | None = None) -> None:
        self.seed = seed
        self.sources = sources if sources is not None else load_sources()
        taken = {str(s.meta["scope"]) for s in self.sources}
        taken_provinces = {p.name for scope in taken if (p := province_of(scope))}
        self.regions = [r for r in all_regions() if r.scope not in taken and r.province not in taken_provinces]
        self.provinces = [r for r in self.regions if not r.is_city]
        self.cities = [r for r in self.regions if r.is_city]
        newest = max(s.cohort_year for s in self.sources)
        self.years = range(newest - YEARS_BACK, newest + 1)

    def make(self, index: int) -> Distractor:
        """Distractor number `index` (0-based): the same notice for the same seed, every time."""
        rng = random.Random(f"policybot-bench:{self.seed}:{index}")
        source = self.sources[index % len(self.sources)]
        pool = self.cities if self.cities and rng.random() < CITY_SHARE else self.provinces
        region = rng.choice(pool)
        year = rng.choice(self.years)
        return self._rewrite(source, region, year, index, rng)

    def _rewrite(self, source: Source, region: Region, year: int, index: int, rng: random.Random) -> Distractor:
        """The source notice as the region would have issued it for the class of `year`."""
        shift = year - source.cohort_year
        meta = source.meta
        issued = _shift_date(str(meta["issued"]), shift)
        issuer = region.office if source.from_office else region.org
        series = "教办函" if source.from_office else "教发"
        doc_number = f"{region.short}{series}〔{issued[:4]}〕{rng.randint(1, 400)}号"
        scope = str(meta["scope"])
        table = phrase_table(scope, region)
        title = str(meta["title"])
        tail = title[title.index("关于") :] if "关于" in title else title
        text = mark_doc_number(source.text, meta.get("doc_number"))
        signoffs = {str(meta["issuer"]): issuer, "教育部": region.org, "教育部办公厅": region.office}
        if scope != "national":
            signoffs["省教育厅"] = region.org
        text = swap_signoffs(text, signoffs)
        if scope == "national":
            text = NATIONAL_ADDRESSEES.sub(f"{region.subordinates}教育局，各普通高等学校：", text)
        text = perturb_numbers(swap_phrases(text, table), shift, rng).replace(DOC_NUMBER_MARK, doc_number)
        new_meta = {
            "doc": f"d{index:05d}-{region.slug}-{year}-{source.kind}",
            "title": issuer + shift_years(swap_phrases(tail, table), shift),
            "doc_number": doc_number,
            "issuer": issuer,
            "issued": issued,
            "scope": region.scope,
            "cohort": f"{year}届",
            "source": f"policybot bench distractor of {source.doc} (seed {self.seed})",
        }
        return Distractor(new_meta, text)


def notices_for(factor: int) -> int:
    """How many notices `factor`× the bundled ones is (1× = just the bundled notices)."""
    return factor * len(load_sources())


def build_knowledge(folder: Path, notices: int, seed: int = 0) -> DistractorMaker:
    """A knowledge folder with the bundled files (notices and examples) and distractors up to `notices` in all."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in bundled_knowledge().iterdir():
        if path.is_file():
            shutil.copy2(path, folder / path.name)
    maker = DistractorMaker(seed)
    for index in range(max(0, notices - len(maker.sources))):
        maker.make(index).write(folder)
    return maker
