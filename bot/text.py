"""Text analysis shared by ingest and query: normalised text and the n-grams lexical matching uses."""

from __future__ import annotations

import itertools
import re

_FULL_WIDTH = str.maketrans("０１２３４５６７８９：", "0123456789:")
_TOKEN = re.compile(r"[\u4e00-\u9fff]|[a-z0-9]+")


def normalize(text: str) -> str:
    """Map full-width digits and colons to ASCII and drop whitespace."""
    return re.sub(r"\s+", "", text.translate(_FULL_WIDTH))


def char_ngrams(text: str) -> list[str]:
    """Lexical tokens: CJK characters and their bigrams, plus ASCII words and numbers."""
    units = _TOKEN.findall(normalize(text).lower())
    return units + [a + b for a, b in itertools.pairwise(units)]
