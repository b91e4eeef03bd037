"""The lexical index: BM25 over character n-grams, as a sparse matrix scored by bm25s.

Each clause's n-gram counts are kept (term ids and counts, one row per clause), so a new build reuses
the rows of every unchanged notice and tokenises only the notices that changed; the BM25 weights are then
recomputed for the whole matrix with numpy (a second at 40,000 clauses). The weights are stored in
bm25s's column layout, saved with `bm25s.BM25.save` and loaded memory-mapped, and a query is scored by
bm25s from the posting lists of its n-grams only.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np

from bot.text import char_ngrams

K1 = 1.5
B = 0.75
EPSILON = 0.25
IDF_FLOOR = 0.1
"""The least rarity an n-gram is given when sentences are compared (an n-gram in most clauses)."""
_ROWS = "rows.npz"
Row = tuple[np.ndarray, np.ndarray]
"""One clause's n-gram term ids and their counts."""
_VOCAB = "vocab.json"


@dataclass
class Rows:
    """Per-clause n-gram counts: clause i has terms[offsets[i]:offsets[i+1]] with counts[...]."""

    terms: np.ndarray
    counts: np.ndarray
    offsets: np.ndarray

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def row(self, i: int) -> Row:
        """The term ids and counts of clause i."""
        start, end = self.offsets[i], self.offsets[i + 1]
        return self.terms[start:end], self.counts[start:end]

    @classmethod
    def stack(cls, rows: Sequence[Row]) -> Rows:
        """Rows from per-clause (terms, counts) pairs."""
        lengths = np.fromiter((len(t) for t, _ in rows), dtype=np.int64, count=len(rows))
        offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        terms = np.concatenate([t for t, _ in rows]) if rows else np.zeros(0, np.int32)
        counts = np.concatenate([c for _, c in rows]) if rows else np.zeros(0, np.int32)
        return cls(terms.astype(np.int32), counts.astype(np.int32), offsets)


class Vocabulary:
    """N-gram → term id; ids only grow, so the rows of unchanged clauses stay valid in a later build."""

    def __init__(self, ids: dict[str, int] | None = None) -> None:
        self.ids: dict[str, int] = ids or {}

    def __len__(self) -> int:
        return len(self.ids)

    def row(self, text: str) -> Row:
        """One clause's n-gram counts, adding new n-grams to the vocabulary."""
        counted = Counter(char_ngrams(text))
        terms = np.fromiter((self.ids.setdefault(g, len(self.ids)) for g in counted), np.int32, len(counted))
        return terms, np.fromiter(counted.values(), np.int32, len(counted))

    def lookup(self, grams: Sequence[str]) -> list[int]:
        """The ids of the n-grams the index knows (each as often as it occurs)."""
        return [self.ids[g] for g in grams if g in self.ids]


def _okapi_idf(df: np.ndarray, n: int) -> np.ndarray:
    """Okapi idf per term; an n-gram in more than half the clauses gets a quarter of the mean instead of a
    negative value (as rank_bm25 does, which the ranking weights were tuned with). Absent terms get 0."""
    present = df > 0
    idf = np.zeros(len(df), dtype=np.float64)
    idf[present] = np.log((n - df[present] + 0.5) / (df[present] + 0.5))
    if present.any():
        idf[present & (idf < 0)] = EPSILON * float(idf[present].mean())
    return idf


class Rarity(Mapping[str, float]):
    """How rare each n-gram is across the clauses (Okapi idf, floored)."""

    def __init__(self, vocabulary: Vocabulary, df: np.ndarray, n: int) -> None:
        self._vocabulary, self._df = vocabulary, df
        self._idf = np.maximum(_okapi_idf(df.astype(np.float64), n), IDF_FLOOR)

    def __getitem__(self, gram: str) -> float:
        term = self._vocabulary.ids.get(gram)
        if term is None or term >= len(self._df) or self._df[term] == 0:
            raise KeyError(gram)
        return float(self._idf[term])

    def __iter__(self) -> Iterator[str]:
        return (g for g, t in self._vocabulary.ids.items() if t < len(self._df) and self._df[t] > 0)

    def __len__(self) -> int:
        return int(np.count_nonzero(self._df))


class LexicalIndex:
    """BM25 (Okapi, k1 1.5, b 0.75) over every clause of one build; clause i is the build's i-th chunk."""

    def __init__(self, vocabulary: Vocabulary, rows: Rows, bm25: bm25s.BM25 | None = None) -> None:
        self.vocabulary = vocabulary
        self.rows = rows
        self.bm25 = bm25 or _weigh(rows, len(vocabulary))
        self.df = np.bincount(rows.terms, minlength=len(vocabulary))
        self.idf = Rarity(vocabulary, self.df, len(rows))

    def __len__(self) -> int:
        return len(self.rows)

    @classmethod
    def build(cls, texts: Sequence[str], vocabulary: Vocabulary | None = None) -> LexicalIndex:
        """An index over the given clause texts."""
        vocabulary = vocabulary or Vocabulary()
        return cls(vocabulary, Rows.stack([vocabulary.row(t) for t in texts]))

    def frequency(self, gram: str) -> int:
        """In how many clauses an n-gram occurs."""
        term = self.vocabulary.ids.get(gram)
        return int(self.df[term]) if term is not None and term < len(self.df) else 0

    def scores(self, query: str, mask: np.ndarray | None = None) -> np.ndarray:
        """BM25 score of every clause for the query's n-grams (0 where masked out)."""
        terms = self.vocabulary.lookup(char_ngrams(query))
        if not terms:
            return np.zeros(len(self), dtype=np.float32)
        return self.bm25.get_scores_from_ids(terms, weight_mask=mask)

    def top(self, query: str, k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The k best-scoring clauses (index, score), scores above zero only."""
        scores = self.scores(query, mask)
        k = min(k, len(scores))
        if k <= 0:
            return []
        best = np.argpartition(-scores, k - 1)[:k]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(int(i), float(scores[i])) for i in best if scores[i] > 0]

    def save(self, folder: Path) -> None:
        """Write the index into a folder (the rows, the vocabulary and bm25s's arrays)."""
        folder.mkdir(parents=True, exist_ok=True)
        np.savez(folder / _ROWS, terms=self.rows.terms, counts=self.rows.counts, offsets=self.rows.offsets)
        (folder / _VOCAB).write_text(json.dumps(self.vocabulary.ids, ensure_ascii=False), encoding="utf-8")
        self.bm25.save(str(folder / "bm25s"), show_progress=False)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        """Read an index a build saved (bm25s's arrays memory-mapped)."""
        with np.load(folder / _ROWS) as data:
            rows = Rows(data["terms"], data["counts"], data["offsets"])
        vocabulary = Vocabulary(json.loads((folder / _VOCAB).read_text(encoding="utf-8")))
        return cls(vocabulary, rows, bm25s.BM25.load(str(folder / "bm25s"), mmap=True))


def _weigh(rows: Rows, vocabulary_size: int) -> bm25s.BM25:
    """bm25s's scorer over the rows: Okapi weights per (n-gram, clause), stored column by n-gram."""
    n = len(rows)
    clause = np.repeat(np.arange(n, dtype=np.int32), np.diff(rows.offsets))
    lengths = np.bincount(clause, weights=rows.counts, minlength=n)
    average = float(lengths.mean()) if n else 1.0
    df = np.bincount(rows.terms, minlength=vocabulary_size).astype(np.float64)
    idf = _okapi_idf(df, n)
    tf = rows.counts.astype(np.float64)
    norm = K1 * (1 - B + B * lengths[clause] / (average or 1.0))
    weights = (idf[rows.terms] * tf * (K1 + 1) / (tf + norm)).astype(np.float32)
    order = np.argsort(rows.terms, kind="stable")
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows.terms, minlength=vocabulary_size))])
    scorer = bm25s.BM25(method="robertson", k1=K1, b=B)  # its scorer reads the weights as given
    scorer.scores = {
        "data": weights[order],
        "indices": clause[order],
        "indptr": indptr.astype(np.int64),
        "num_docs": n,
    }
    scorer.vocab_dict = {}
    scorer.nonoccurrence_array = None
    return scorer
