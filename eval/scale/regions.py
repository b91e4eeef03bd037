"""The provinces and big cities distractor notices are re-issued by, read from policybot's lexicon."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml

from bot.resources import lexicon_file

OUTSIDE = {"台湾", "香港", "澳门"}  # no provincial education departments issuing these notices


@dataclass(frozen=True)
class Region:
    """A province, autonomous region, municipality or city, and how its notices name things."""

    scope: str  # the notice's scope field: 四川省, 广西壮族自治区, 北京市, 四川省成都市
    name: str  # 四川, 成都
    full: str  # 四川省, 成都市
    short: str  # the one character of its doc numbers: 川, 成
    level: str  # what 全省/我省 become: 省, 区 (autonomous region), 市 (municipality or city)
    slug: str  # for doc ids: sichuan, sichuan-c3
    province: str  # the province's name (the region's own name for a province)
    capital: str  # its biggest city named in the lexicon, or its own name

    @property
    def is_city(self) -> bool:
        """A city under a province (not a municipality)."""
        return self.scope != self.full

    @property
    def org(self) -> str:
        """Its education authority: 四川省教育厅, 北京市教育委员会, 成都市教育局."""
        if self.is_city:
            return f"{self.full}教育局"
        return f"{self.full}教育委员会" if self.level == "市" else f"{self.full}教育厅"

    @property
    def org_short(self) -> str:
        """How its notices call the authority in the text: 省教育厅, 区教育厅, 市教委, 市教育局."""
        if self.is_city:
            return "市教育局"
        return "市教委" if self.level == "市" else f"{self.level}教育厅"

    @property
    def office(self) -> str:
        """The authority's general office (for notices the ministry's 办公厅 issued)."""
        return f"{self.org}办公室"

    @property
    def unit(self) -> str:
        """The one-character name of the authority (部内发送 → 厅内发送)."""
        return "局" if self.is_city else ("委" if self.level == "市" else "厅")

    @property
    def subordinates(self) -> str:
        """The local authorities its notices are addressed to."""
        if self.is_city:
            return "各区（市）县"
        return {"省": "各市（州）", "区": "各市（地）", "市": "各区"}[self.level]


def _lexicon() -> dict[str, Any]:
    """policybot's word lists (provinces with short forms, cities with their province)."""
    data = yaml.safe_load(lexicon_file().read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{lexicon_file()}: not a mapping")
    return data


def _level(full: str) -> str:
    """省, 区 or 市 from a province-level full name."""
    return "区" if full.endswith("自治区") else ("市" if full.endswith("市") else "省")


@cache
def all_regions() -> tuple[Region, ...]:
    """Every mainland province-level region, then every big city, in the lexicon's order."""
    data = _lexicon()
    provinces: dict[str, dict[str, Any]] = data["provinces"]
    cities: dict[str, str] = data["cities"]
    first_city: dict[str, str] = {}
    for city, province in cities.items():
        first_city.setdefault(province, city)
    shorts = {s for p in provinces.values() for s in p.get("short", [])}
    regions: list[Region] = []
    for name, p in provinces.items():
        if name in OUTSIDE:
            continue
        slug = str(p["en"][0]).replace(" ", "-")
        full = str(p["full"])
        regions.append(Region(full, name, full, p["short"][0], _level(full), slug, name, first_city.get(name, name)))
    by_name = {r.name: r for r in regions}
    for n, (city, province) in enumerate(cities.items()):
        parent = by_name.get(province)
        if parent is None:
            continue
        short = city[0] if city[0] not in shorts else city[:2]
        slug = f"{parent.slug}-c{n}"
        regions.append(Region(f"{parent.full}{city}市", city, f"{city}市", short, "市", slug, province, city))
    return tuple(regions)


def province_of(scope: str) -> Region | None:
    """The province-level region a scope such as 贵州省 or 四川省成都市 lies in (None for national)."""
    for region in all_regions():
        if not region.is_city and scope.startswith(region.full):
            return region
    return None


def cities_in(province: str) -> list[str]:
    """The lexicon's big cities of a province (by its short name, e.g. 贵州)."""
    return [city for city, p in _lexicon()["cities"].items() if p == province]
