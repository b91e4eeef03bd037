"""Rewrite a notice's text for another region and year: names swapped, years shifted, figures perturbed."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping

from eval.scale.regions import Region, cities_in, province_of

UNITS = "万人次|万人|万名|万个|万元|万家|万|亿元|亿|人次|人|名|个|元|所|家|场|次|项|批|%|％|倍"
NUMBERS = re.compile(
    r"(?P<ratio>(?<![\d.])(?:1\s*[:：∶]\s*\d{2,}|\d{2,}\s*[:：∶]\s*1)(?![\d.]))"
    rf"|(?P<figure>(?<![\d.])\d+(?:\.\d+)?(?=\s*(?:{UNITS})))"
    r"|(?P<year>(?<![\d.])20[0-4]\d(?!\d))"
)
NATIONAL_ADDRESSEES = re.compile(r"^各省、自治区、直辖市.*$", re.MULTILINE)
DOC_NUMBER_MARK = "\x00DOC_NUMBER\x00"
# Place names in the bundled texts that the lexicon does not list (a new area beside a capital).
LOCAL_PHRASES = {"贵阳贵安": "{capital}"}


def shift_years(text: str, shift: int) -> str:
    """Every year 2000–2049 in the text moved by `shift` years (figures and ratios untouched)."""
    return NUMBERS.sub(lambda m: str(int(m["year"]) + shift) if m["year"] else m[0], text)


def _perturbed(number: str, rng: random.Random) -> str:
    """Another plausible value for a figure: same precision, clearly different, positive."""
    decimals = len(number.partition(".")[2])
    value = float(number)
    if decimals == 0 and value < 10:
        return str(rng.choice([v for v in range(1, int(value) * 2 + 4) if v != int(value)]))
    zeros = len(number) - len(number.rstrip("0")) if decimals == 0 else 0
    step = 10.0 ** (zeros if zeros < len(number) else 0) if decimals == 0 else 10.0**-decimals
    for _ in range(40):
        factor = rng.uniform(0.5, 0.9) if rng.random() < 0.5 else rng.uniform(1.1, 1.8)
        new = round(value * factor / step) * step
        if new > 0 and abs(new - value) > 1e-9:
            return f"{new:.{decimals}f}"
        step = max(step / 10, 10.0**-decimals if decimals else 1.0)
    return f"{value + step:.{decimals}f}"


def perturb_numbers(text: str, shift: int, rng: random.Random) -> str:
    """Shift years by `shift`; give every figure (a number with a unit) and ratio another value, the same
    value the same new value within the text."""
    chosen: dict[str, str] = {}

    def new(number: str) -> str:
        if number not in chosen:
            chosen[number] = _perturbed(number, rng)
        return chosen[number]

    def replace(match: re.Match[str]) -> str:
        if match["year"]:
            return str(int(match["year"]) + shift)
        if match["figure"]:
            return new(match["figure"])
        return re.sub(r"\d{2,}", lambda m: new(m[0]), match["ratio"])

    return NUMBERS.sub(replace, text)


def phrase_table(scope: str, target: Region) -> dict[str, str]:
    """What the source's own region words become in the target region's notice."""
    level = target.level
    table: dict[str, str] = {}
    if scope == "national":
        table |= {
            "教育部高校学生司": f"{target.org}学生处",
            "教育部办公厅": target.office,
            "教育部": target.org_short,
            "全国": f"全{level}",
            "各省级": target.subordinates,
            "部内发送": f"{target.unit}内发送",
            "有关部领导": f"有关{target.unit}领导",
        }
        return table
    source = province_of(scope)
    if source is None:
        raise ValueError(f"no province for scope {scope!r} in the lexicon")
    table |= {
        f"{source.full}教育厅": target.org,
        "省教育厅": target.org_short,
        source.full: target.full,
        source.name: target.name,
        source.short: target.short,
    }
    table |= {city: target.capital for city in cities_in(source.name)}
    table |= {phrase: value.format(capital=target.capital) for phrase, value in LOCAL_PHRASES.items()}
    if target.is_city or level != "省":
        council = "自治区党委政府" if level == "区" else "市委市政府"
        table |= {"全省": f"全{level}", "我省": f"我{level}", "省内": f"{level}内", "本省": f"本{level}"}
        table |= {"省委省政府": council, "各市（州）": target.subordinates}
    return table


def swap_phrases(text: str, table: Mapping[str, str]) -> str:
    """Replace every phrase of the table in one pass, longest first (a replacement is never replaced again)."""
    if not table:
        return text
    pattern = re.compile("|".join(re.escape(p) for p in sorted(table, key=len, reverse=True)))
    return pattern.sub(lambda m: table[m[0]], text)


def swap_signoffs(text: str, names: Mapping[str, str]) -> str:
    """Lines that are only an issuer's name (教 育 部, 省教育厅, 教育部文件) become the new issuer's."""
    lines = []
    for line in text.split("\n"):
        key = re.sub(r"\s", "", line)
        base = key.removesuffix("文件")
        lines.append(names[base] + key[len(base) :] if base in names else line)
    return "\n".join(lines)


def mark_doc_number(text: str, doc_number: str | None) -> str:
    """Put a mark where the source prints its doc number (spaces inside it allowed), or above the text."""
    if doc_number:
        printed = re.compile(r"\s*".join(re.escape(ch) for ch in doc_number if not ch.isspace()))
        marked, found = printed.subn(DOC_NUMBER_MARK, text, count=1)
        if found:
            return marked
    return f"{DOC_NUMBER_MARK}\n{text}"
