"""The lexical index: Okapi BM25 over character n-grams, reused row by row across builds, saved and loaded."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bot import lexical
from bot.lexical import LexicalIndex, Vocabulary
from bot.text import char_ngrams

CLAUSES = [
    "特岗计划拟招聘6000人。",
    "西部计划招募大学生志愿者。",
    "三支一扶计划招募高校毕业生。",
    "做好毕业生就业服务工作。",
]


def okapi(query: str, doc: int, texts: list[str]) -> float:
    """BM25 by its textbook formula (k1 1.5, b 0.75; a negative idf becomes a quarter of the mean)."""
    docs = [char_ngrams(t) for t in texts]
    average = sum(map(len, docs)) / len(docs)
    vocabulary = {g for d in docs for g in d}
    raw = {
        g: math.log((len(docs) - sum(g in d for d in docs) + 0.5) / (sum(g in d for d in docs) + 0.5))
        for g in vocabulary
    }
    mean = sum(raw.values()) / len(raw)
    score = 0.0
    for gram in char_ngrams(query):
        if gram not in raw:
            continue
        idf = raw[gram] if raw[gram] >= 0 else 0.25 * mean
        tf = docs[doc].count(gram)
        score += idf * tf * 2.5 / (tf + 1.5 * (0.25 + 0.75 * len(docs[doc]) / average))
    return score


def test_scores_are_okapi_bm25_over_character_ngrams():
    index = LexicalIndex.build(CLAUSES)
    scores = index.scores("特岗计划招多少人")
    for doc in range(len(CLAUSES)):
        assert scores[doc] == pytest.approx(okapi("特岗计划招多少人", doc, CLAUSES), rel=1e-5)
    assert index.top("特岗计划招多少人", 1)[0][0] == 0


def test_a_mask_keeps_only_the_clauses_asked_for_and_nothing_scores_zero():
    index = LexicalIndex.build(CLAUSES)
    mask = np.array([0, 1, 1, 0], dtype=np.float32)
    assert [i for i, _ in index.top("计划招募", 4, mask)] == [1, 2]
    assert index.top("完全无关的词", 3) == []


def test_a_saved_index_loads_and_ranks_the_same(tmp_path):
    index = LexicalIndex.build(CLAUSES)
    index.save(tmp_path / "lexical")
    loaded = LexicalIndex.load(tmp_path / "lexical")
    assert loaded.top("三支一扶招募", 3) == index.top("三支一扶招募", 3)
    assert loaded.idf["特岗"] == index.idf["特岗"] > loaded.idf["计划"]


def test_the_rows_of_unchanged_clauses_are_reused_and_only_new_text_is_tokenised(monkeypatch):
    vocabulary = Vocabulary()
    rows = [vocabulary.row(t) for t in CLAUSES]
    calls: list[str] = []
    real = lexical.char_ngrams
    monkeypatch.setattr(lexical, "char_ngrams", lambda text: calls.append(text) or real(text))
    grown = LexicalIndex(vocabulary, lexical.Rows.stack([*rows, vocabulary.row("就业见习补贴标准。")]))
    assert calls == ["就业见习补贴标准。"]
    fresh = LexicalIndex.build([*CLAUSES, "就业见习补贴标准。"])
    (doc, score), (same_doc, same_score) = grown.top("见习补贴", 1)[0], fresh.top("见习补贴", 1)[0]
    assert doc == same_doc == 4 and score == pytest.approx(same_score)
