"""Figures in text read as numbers with units: "6,000人", "六千名" and "0.6万人" are one figure, "600人" another."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

_WIDE = str.maketrans("０１２３４５６７８９：，．％", "0123456789:,.%")
_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_LARGE = {"万": 10_000, "亿": 100_000_000}
CN_NUMERAL = "零〇一二两三四五六七八九十百千万亿"

# Units that name what is counted; words in one group are the same unit.
_UNIT_GROUPS = {
    "人": ("人次", "人", "名", "位"),
    "元": ("元", "块钱"),
    "个月": ("个月",),
    "月": ("月",),
    "日": ("日", "号"),
    "年": ("年",),
    "届": ("届",),
    "%": ("%", "个百分点"),
    "天": ("天",),
    "周": ("周", "星期"),
    "小时": ("小时",),
    "岁": ("岁",),
    "次": ("次",),
    "个": ("个",),
    "家": ("家",),
    "所": ("所",),
    "项": ("项",),
    "场": ("场",),
    "批": ("批",),
    "条": ("条",),
    "倍": ("倍",),
    "户": ("户",),
    "岗": ("岗位", "岗"),
}
_UNIT_OF = {word: unit for unit, words in _UNIT_GROUPS.items() for word in words}
_UNIT = "|".join(sorted(map(re.escape, _UNIT_OF), key=len, reverse=True))
# A figure: Arabic digits (thousands separators allowed) with an optional 千/万/亿, or a run of Chinese numerals;
# then an optional unit. Chinese numerals count only with a unit, or with a digit and a magnitude (六千),
# so 统一, 一是, 三支一扶, 十分, 千万 are not figures.
_FIGURE = re.compile(
    rf"(?P<pct>百分之)?(?:(?P<arabic>\d{{1,3}}(?:,\d{{3}})+(?!\d)|\d+(?:\.\d+)?)(?P<mag>[千万亿]+)?"
    rf"|(?P<cn>[{CN_NUMERAL}]+))(?P<unit>{_UNIT})?"
)
_ORDINAL = "第"


@dataclass(frozen=True)
class Figure:
    """A number as written, with its value and its unit (None when the text gives none)."""

    text: str
    value: Decimal
    unit: str | None

    def matches(self, other: Figure) -> bool:
        """Same value, and the same unit unless one of the two names none."""
        return self.value == other.value and (self.unit is None or other.unit is None or self.unit == other.unit)


def chinese_number(text: str) -> int | None:
    """The value of a Chinese numeral (六千, 一万二千, 十二, 三百五十, 二〇二二); None when it is not one."""
    if not text or any(c not in CN_NUMERAL for c in text):
        return None
    if all(c in _CN_DIGIT for c in text) and len(text) > 1:  # digit by digit: 二〇二二
        return int("".join(str(_CN_DIGIT[c]) for c in text))
    total, section, digit = 0, 0, None
    for char in text:
        if char in _CN_DIGIT:
            if digit is not None:  # two digits in a row inside a positional numeral: not a number
                return None
            digit = _CN_DIGIT[char]
        elif char in _CN_SMALL:
            section += (1 if digit is None else digit) * _CN_SMALL[char]
            digit = None
        else:
            if section == 0 and digit is None and total == 0:
                return None
            total = (total + section + (digit or 0)) * _CN_LARGE[char]
            section, digit = 0, None
    return total + section + (digit or 0)


def _spelled_number(cn: str) -> bool:
    """A Chinese numeral that is a number without a unit: a digit and a magnitude (六千, 一万), not 十分 or 千万."""
    return any(c in _CN_DIGIT for c in cn) and any(c in "十百千万亿" for c in cn)


def _magnitude(chars: str) -> int:
    """The multiplier of a run such as 万 or 千万."""
    value = 1
    for char in chars:
        value *= {"千": 1000, **_CN_LARGE}[char]
    return value


def figures(text: str) -> list[Figure]:
    """Every figure in a text, in order (full-width digits, 6,000 and 六千 read as 6000)."""
    flat = re.sub(r"\s+", "", text.translate(_WIDE))
    found: list[Figure] = []
    for m in _FIGURE.finditer(flat):
        unit = _UNIT_OF.get(m.group("unit") or "")
        if m.group("arabic"):
            value = Decimal(m.group("arabic").replace(",", "")) * _magnitude(m.group("mag") or "")
        else:
            cn = m.group("cn")
            number = chinese_number(cn)
            if number is None:
                continue
            if cn == "一" and not m.group("pct"):
                continue  # 一名、一次性、一人一策: a lone 一 is rarely a figure
            if unit is None and not m.group("pct") and not _spelled_number(cn):
                continue
            if m.start() > 0 and flat[m.start() - 1] == _ORDINAL and unit is None:
                continue  # 第一、第二 without a unit are ordinals of prose
            value = Decimal(number)
        if m.group("pct"):
            unit = "%"
        found.append(Figure(m.group(0), value.normalize(), unit))
    return found


def unsupported(claimed: str, evidence: str) -> list[str]:
    """The figures in `claimed` that no figure in `evidence` matches (value and unit), as written."""
    known = figures(evidence)
    missing = [f.text for f in figures(claimed) if not any(f.matches(k) for k in known)]
    return list(dict.fromkeys(missing))


def unit_of(word: str) -> str | None:
    """The unit a unit word stands for (名 → 人, 块钱 → 元), None for a word that is not one."""
    return _UNIT_OF.get(word)
