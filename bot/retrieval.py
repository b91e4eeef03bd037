"""Hybrid retrieval: dense (Chroma) and lexical (BM25 over character n-grams), fused by reciprocal rank.

Constraints come before any depth cut: besides the best clauses overall, each side fetches the best
clauses among the notices that fit the question (its region or the nation, its year; the nation's
notices when it names no region), so look-alike notices of other regions and years cannot crowd them out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, cast

import numpy as np
from langchain_chroma import Chroma
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, PrivateAttr, SkipValidation

from bot.build import Build
from bot.chunks import Chunk
from bot.lexical import LexicalIndex
from bot.lexicon import lexicon
from bot.profile import CorpusProfile, NoticeInfo, cohort_of, parse_scope
from bot.question import QuestionInfo, lexical_form, read_question, region_words
from bot.text import char_ngrams, normalize
from bot.weights import WEIGHTS as W

__all__ = [
    "DURATION",
    "Filters",
    "Hit",
    "HybridRetriever",
    "char_ngrams",
    "cohort_year",
    "context_words",
    "document_hit",
    "fitting",
    "topic_query",
    "without_years",
]

_DIGITS = re.compile(r"\d")
_QUOTED = re.compile(r"[“\"《「]([^”\"》」]+)[”\"》」]")


_YEAR_WORDS = r"(?:20)?\d\d\s*[年届]|20\d\d|[今明去]年|届"


def _context_words(profile: CorpusProfile | None) -> re.Pattern[str]:
    """Region names (the lexicon's and the corpus's), years and cohorts: what steers by metadata."""
    names = "|".join(map(re.escape, region_words(profile)))
    return re.compile(names + r"|省|" + _YEAR_WORDS)


_NOT_CARRIED = {"省", "届", "今年", "明年", "去年"}


def context_words(query: str, profile: CorpusProfile | None = None) -> list[str]:
    """The region names, years and cohorts a query names (what `topic_query` leaves out)."""
    return [w for w in _context_words(profile).findall(query) if w.strip() and w not in _NOT_CARRIED]


def without_years(query: str) -> str:
    """The query without the years and cohorts it names (a follow-up naming its own replaces them)."""
    return re.sub(_YEAR_WORDS, " ", query)


def topic_query(query: str, profile: CorpusProfile | None = None) -> str:
    """The query without the region and years it names: those steer by metadata, not by word counts."""
    return _context_words(profile).sub(" ", query)


@dataclass
class Filters:
    """Restrict retrieval to a region (scope), a cohort, or notices."""

    scope: str | None = None
    cohort: str | None = None
    docs: list[str] = field(default_factory=list)

    def given(self) -> bool:
        """Whether the asker restricted anything (an empty Filters restricts nothing, like None)."""
        return bool(self.scope or self.cohort or self.docs)

    def accepts(self, chunk: Chunk | NoticeInfo) -> bool:
        """Whether a chunk (or a notice) passes the filters."""
        return (
            (not self.scope or self.scope in chunk.scope or chunk.scope in self.scope)
            and (not self.cohort or self.cohort.rstrip("届") == chunk.cohort.rstrip("届"))
            and (not self.docs or chunk.doc in self.docs)
        )

    def chroma_where(self) -> dict[str, Any] | None:
        """The same filters as a Chroma `where` (scope is matched loosely, so it is applied after)."""
        clauses: list[dict[str, Any]] = []
        if self.cohort:
            clauses.append({"cohort": self.cohort if self.cohort.endswith("届") else self.cohort + "届"})
        if self.docs:
            clauses.append({"doc": {"$in": self.docs}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


@dataclass
class Hit:
    """A retrieved chunk with its fused score and the ranks that produced it."""

    chunk: Chunk
    score: float
    dense_rank: int | None = None
    lexical_rank: int | None = None


class HybridRetriever(BaseRetriever):
    """Dense + lexical retrieval over one index build, fused by weighted reciprocal rank.

    A LangChain retriever: `invoke(query)` returns Documents (the clause text, its metadata, and the fused
    `score`, `dense_rank` and `lexical_rank`), so it composes with LangChain's rerankers and compressors.
    `search` gives the same ranking as `Hit`s for the answer chain.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    chunks: SkipValidation[Sequence[Chunk]]
    """Every live chunk in reading order (read when asked for: a build's cache parses them lazily)."""
    spans: dict[str, tuple[int, int]]
    """Where each notice's chunks lie in `chunks`."""
    lexical_index: LexicalIndex
    vectorstore: Chroma
    embeddings: Embeddings
    profile: CorpusProfile
    revs: dict[str, str]
    """The live revision of each notice: records of other revisions (superseded, or being written) are skipped."""
    depth: int = W.depth
    k: int = 5

    _titles: dict[str, str] = PrivateAttr()
    _programmes: dict[str, set[str]] = PrivateAttr(default_factory=dict)
    _groups: dict[str, str] = PrivateAttr(default_factory=dict)
    _variable: re.Pattern[str] = PrivateAttr()

    def model_post_init(self, context: Any, /) -> None:
        """The lookups over the notices (nothing here reads every chunk)."""
        self._titles = {doc: normalize(n.title) for doc, n in self.profile.notices.items()}
        self._variable = re.compile("|".join([r"[\d.%]+", *map(re.escape, region_words(self.profile))]))

    @property
    def idf(self) -> Mapping[str, float]:
        """How rare each n-gram is across the clauses (Okapi idf, floored)."""
        return self.lexical_index.idf

    def notice_chunks(self, doc: str) -> Sequence[Chunk]:
        """One notice's chunks, in reading order."""
        start, end = self.spans.get(doc, (0, 0))
        return self.chunks[start:end]

    def programmes(self, doc: str) -> set[str]:
        """The programme names a notice's own clauses use (read once per notice, when first asked)."""
        if doc not in self._programmes:
            text = "\n".join(c.text for c in self.notice_chunks(doc))
            self._programmes[doc] = {p for p in lexicon().programmes if p in text}
        return self._programmes[doc]

    def _get_relevant_documents(
        self,
        query: str,
        *,
        run_manager: CallbackManagerForRetrieverRun,
        k: int | None = None,
        filters: Filters | None = None,
        info: QuestionInfo | None = None,
        vector: list[float] | None = None,
    ) -> list[Document]:
        """The top clauses as Documents, with their fused score and ranks in the metadata."""
        return [hit_document(hit) for hit in self.search(query, k or self.k, filters, info, vector)]

    def about(self, query: str, info: QuestionInfo | None = None) -> str:
        """The query without the title of a notice it names: what it asks about that notice (its topic).

        A programme name (特岗计划) that the named notice's title has but its clauses do not is the question's
        topic, not its way of naming the notice: it stays. `info` is the question as read (else read here).
        """
        topics: set[str] = set()
        for doc in sorted(self.docs_named(query, info)):  # a fixed order: each blanks words the next would see
            topics |= {p for p in lexicon().programmes if p in query and p not in self.programmes(doc)}
            number = normalize(self.profile.notices[doc].doc_number or "")
            query = without_title_words(normalize(query).replace(number, " ") if number else query, self._titles[doc])
        return " ".join([query, *sorted(p for p in topics if p not in query)])

    def docs_named(self, query: str, info: QuestionInfo | None = None) -> set[str]:
        """The notices a question names by doc number or by words only their title has.

        Not a notice for another province than the question names: 贵州三支一扶 does not name a province's
        notice whose title alone says 三支一扶. `info` is the question as read (else read here, when needed).
        """
        named = self.profile.docs_named(query)
        if not named:
            return set()
        provinces = set((info or read_question(query, self.profile)).provinces)
        regions = {d: self.profile.notices[d].region for d in named}
        return {d for d, r in regions.items() if not provinces or r.national or r.province in provinces}

    @classmethod
    def from_build(
        cls, client: Any, made: Build, embeddings: Embeddings, profile: CorpusProfile | None = None
    ) -> HybridRetriever:
        """Build over an index build: its collection for the dense side, its lexical index, its chunks."""
        store = Chroma(client=client, collection_name=made.manifest.collection, embedding_function=embeddings)
        firsts = [made.chunks[start] for start, _ in made.spans.values()]
        return cls(
            chunks=made.chunks,
            spans=made.spans,
            lexical_index=made.lexical,
            vectorstore=store,
            embeddings=embeddings,
            profile=profile or CorpusProfile.from_chunks(firsts, used=made.lexical.frequency, clauses=len(made.chunks)),
            revs=made.manifest.revs,
        )

    def group(self, chunk: Chunk) -> str:
        """What copies of a clause in re-issued notices share: its path and its text without figures or regions."""
        key = self._groups.get(chunk.id)
        if key is None:
            key = chunk.clause + "|" + self._variable.sub("", normalize(chunk.text))
            self._groups[chunk.id] = key
        return key

    def _mask(self, docs: set[str]) -> np.ndarray:
        """1 for the clauses of the given notices, 0 elsewhere."""
        mask = np.zeros(len(self.chunks), dtype=np.float32)
        for doc in docs:
            start, end = self.spans.get(doc, (0, 0))
            mask[start:end] = 1.0
        return mask

    def dense(
        self, query: str, filters: Filters, vector: list[float] | None = None, prefer: set[str] | None = None
    ) -> list[tuple[Chunk, int]]:
        """Chunks nearest the query embedding (given, or computed here), with their rank.

        The best `depth` overall. When look-alike notices of other regions or years crowd the preferred
        notices out of those, the best `depth` of the preferred notices follow them (a constraint before the
        cut: the region and year bonuses then lift them over the look-alikes).
        """
        vector = vector or self.embeddings.embed_query(query)
        where = filters.chroma_where()
        overall = [c for c, _ in self._nearest(vector, where) if filters.accepts(c)]
        preferred = None
        if _crowded(prefer, overall):
            only = cast(dict[str, Any], {"doc": {"$in": sorted(prefer or set())}})
            found = self._nearest(vector, only if where is None else {"$and": [where, only]})
            preferred = [c for c, _ in found if filters.accepts(c)]
        return _ranks(overall, preferred, self.group)

    def _nearest(self, vector: list[float], where: dict[str, Any] | None) -> list[tuple[Chunk, float]]:
        """The `depth` nearest live chunks (over-fetched, as superseded records may be among them)."""
        found = self.vectorstore.similarity_search_by_vector_with_relevance_scores(
            vector, k=2 * self.depth, filter=where
        )
        out = []
        for doc, distance in found:
            if self.revs.get(str(doc.metadata.get("doc"))) != doc.metadata.get("rev"):
                continue
            chunk = Chunk.from_record(doc.page_content, doc.metadata)
            out.append((chunk, 1.0 - float(distance)))
        return out[: self.depth]

    def lexical(
        self, query: str, filters: Filters, allowed: set[str] | None = None, prefer: set[str] | None = None
    ) -> list[tuple[Chunk, int]]:
        """Chunks by BM25 over character n-grams, with their rank: as for `dense`, overall, then the preferred."""
        if not char_ngrams(query):
            return []
        found = self.lexical_index.top(query, self.depth, None if allowed is None else self._mask(allowed))
        overall = [self.chunks[i] for i, _ in found if filters.accepts(self.chunks[i])]
        preferred = None
        if _crowded(prefer, overall):
            found = self.lexical_index.top(query, self.depth, self._mask(prefer or set()))
            preferred = [self.chunks[i] for i, _ in found if filters.accepts(self.chunks[i])]
        return _ranks(overall, preferred, self.group)

    def search(
        self,
        query: str,
        k: int = 5,
        filters: Filters | None = None,
        info: QuestionInfo | None = None,
        vector: list[float] | None = None,
    ) -> list[Hit]:
        """The top k chunks for a query, fused and adjusted for the years and region it names."""
        filters = filters or Filters()
        info = info or read_question(query, self.profile)
        allowed, prefer = fitting(self.profile, info, filters)
        hits: dict[str, Hit] = {}
        for chunk, rank in self.dense(query, filters, vector, prefer):
            hit = hits.setdefault(chunk.id, Hit(chunk, 0.0))
            hit.score += W.dense / (W.rrf_k + rank + 1)
            hit.dense_rank = rank + 1
        lexical_query = topic_query(self.about(lexical_form(query, info), info), self.profile)
        if lexical_query.strip():
            for chunk, rank in self.lexical(lexical_query, filters, allowed, prefer):
                hit = hits.setdefault(chunk.id, Hit(chunk, 0.0))
                hit.score += W.lexical / (W.rrf_k + rank + 1)
                hit.lexical_rank = rank + 1
        qgrams = set(char_ngrams(lexical_query))
        quoted = [q for q in _QUOTED.findall(normalize(query)) if len(q) >= 2]
        named = self.docs_named(query, info)
        newest = self.profile.cohort_years[-1] if self.profile.cohort_years else 0
        for hit in hits.values():
            hit.score += _context_bonus(hit.chunk, info, newest)
            if prefer is None or hit.chunk.doc in prefer:  # an echoed heading does not outweigh the year asked
                hit.score += _heading_bonus(hit.chunk, qgrams)
            if hit.chunk.doc in named:
                hit.score += W.named_notice
            if quoted and all(q in normalize(hit.chunk.text) for q in quoted):
                hit.score += W.quoted
            if info.wants_definition and defines(hit.chunk.text, qgrams):
                hit.score += W.definition
        return sorted(hits.values(), key=lambda h: -h.score)[:k]


def fitting(profile: CorpusProfile, info: QuestionInfo, filters: Filters) -> tuple[set[str] | None, set[str] | None]:
    """The notices the filters allow (None: all), and those that fit the question (None: no preference).

    A notice fits when it is for the region the question names, or the nation (only the nation's when it
    names none), and for the year or cohort it names; when none of the region's notices is for that year,
    the region's notices still fit (the answer then says the year differs). A question about now (今年) or about a
    class after every notice is fitted by the region's newest notices.
    """
    allowed = None
    if filters.given():  # given by the asker: read every notice once
        allowed = {n.doc for n in profile.notices.values() if filters.accepts(n)}
    national = set(profile.by_province.get(None, set()))
    regional: set[str] = set().union(*(profile.by_province.get(p, set()) for p in info.provinces))
    if info.asked_years:
        years = set().union(*(profile.by_year.get(year, set()) for year in info.asked_years))
        national &= years
        regional = (regional & years) or regional  # the region's own notice of another year, with a caveat
    newest = max(profile.cohort_years, default=0)
    if regional and (after_every_notice(info, newest) or (info.now and not info.asked_years)):  # 今年, 27届
        last = max(profile.notices[d].cohort_year for d in regional)
        regional = {d for d in regional if profile.notices[d].cohort_year == last}
    fit = national | regional
    if allowed is not None:
        fit &= allowed
    every = len(profile.notices)
    return allowed, (None if not fit or len(fit) == every else fit)


def _crowded(prefer: set[str] | None, found: list[Chunk]) -> bool:
    """Whether fewer than `reserve` of the candidates come from the notices that fit the question."""
    return prefer is not None and sum(1 for c in found if c.doc in prefer) < W.reserve


def _ranks(
    overall: list[Chunk], preferred: list[Chunk] | None, group: Callable[[Chunk], str]
) -> list[tuple[Chunk, int]]:
    """Each candidate with its rank (from 0): the overall ranking, then the preferred clauses it left out.

    Copies of one clause in look-alike notices (the same text but for figures and region names) share the
    rank of the first copy, so the copy of the region and year asked is not pushed down by the others.
    """
    seen = {c.id for c in overall}
    ordered = overall + [c for c in preferred or [] if c.id not in seen]
    ranks: dict[str, int] = {}
    out = []
    for chunk in ordered:
        key = group(chunk)
        ranks.setdefault(key, len(ranks))
        out.append((chunk, ranks[key]))
    return out


def hit_document(hit: Hit) -> Document:
    """A retrieved clause as a LangChain Document: its text, its metadata, its score and ranks."""
    metadata = {**hit.chunk.to_metadata(), "score": hit.score}
    metadata |= {"dense_rank": hit.dense_rank, "lexical_rank": hit.lexical_rank}
    return Document(id=hit.chunk.id, page_content=hit.chunk.text, metadata=metadata)


def document_hit(document: Document) -> Hit:
    """A Document the retriever returned, back as the Hit it came from."""
    meta = document.metadata
    chunk = Chunk.from_record(document.page_content, meta)  # the Document carries the whole chunk
    return Hit(chunk, float(meta["score"]), meta.get("dense_rank"), meta.get("lexical_rank"))


def without_title_words(query: str, title: str, shortest: int = 3) -> str:
    """The query with every run of 3+ characters that also occurs in the title blanked out."""
    out, i = [], 0
    while i < len(query):
        runs = (query[i:j] for j in range(len(query), i + shortest - 1, -1))
        end = next((i + len(run) for run in runs if run in title and not _DIGITS.search(run)), None)
        out.append(" " if end else query[i])
        i = end or i + 1
    return "".join(out)


def cohort_year(chunk: Chunk) -> int:
    """The graduating class a notice is about, as a year."""
    return cohort_of(chunk.cohort, chunk.issued)


@cache
def _scope_city(scope: str) -> str | None:
    """The city a notice's scope names (四川省成都市 → 成都), if any."""
    return parse_scope(scope).city


def _other_city(chunk: Chunk, info: QuestionInfo) -> bool:
    """Whether the notice is one city's and the question names another city of that province (洛阳 for 郑州's)."""
    city = _scope_city(chunk.scope)
    asked = [r.city for r in info.regions if r.city]
    return bool(city and asked and city not in asked)


def after_every_notice(info: QuestionInfo, newest: int) -> bool:
    """Whether the question names a class or year after the newest notice's class (27届 when 26届 is the newest)."""
    return max(info.asked_years, default=0) > newest


def names_cohort(text: str, info: QuestionInfo) -> bool:
    """Whether a clause's own words name a class the question asks about (一批岗位…为2026届毕业生储备)."""
    return any(f"{cohort}届" in text for cohort in info.cohorts)


def _context_bonus(chunk: Chunk, info: QuestionInfo, newest: int) -> float:
    """Prefer notices of the years and region a question names; else the newer notice."""
    bonus = 0.0
    wanted = info.asked_years
    if after_every_notice(info, newest):  # a class after every notice: the newest notices, as for 今年
        bonus += W.now_recency * (cohort_year(chunk) - newest)
    elif wanted:
        if cohort_year(chunk) in wanted or names_cohort(chunk.text, info):  # 为2026届储备… in a 2025届 notice
            bonus += W.cohort_match
        elif chunk.year in wanted:
            bonus += W.issue_year_match
    else:
        bonus += (W.now_recency if info.now else W.recency) * (cohort_year(chunk) - newest)
    if info.provinces:
        if any(p in chunk.scope for p in info.provinces) and not _other_city(chunk, info):
            bonus += W.region_match
        elif chunk.scope != "national":
            bonus -= W.other_region
    elif chunk.scope != "national":
        bonus -= W.other_region if info.national else W.regional_unasked
    figures = _YEAR.sub(" ", chunk.text)  # 2023届, 〔2022〕 name a cohort or a document, not a figure
    dated = _DATE.search(figures) or (info.wants_duration and DURATION.search(figures))
    figure = _MONEY.search(figures) if info.wants_amount and not info.wants_date else _NUMBER.search(figures)
    if (info.wants_date and not dated) or (info.wants_number and not figure):
        bonus -= W.no_figure
    if info.wants_materials and not MATERIALS.search(chunk.text):  # what to hand in: a clause listing none
        bonus -= W.no_figure
    if chunk.clause == "落款":
        if ISSUE_DATE.search(info.text):
            bonus += W.issue_date
        elif (
            SIGN_OFF_WORDS.search(info.text) and all(c in chunk.text for c in asked_cities(info)) and not hotline(info)
        ):
            bonus += W.sign_off_date if info.wants_date else W.sign_off
        else:
            bonus -= W.sign_off_unasked
    elif chunk.clause == "序言":
        bonus += W.preamble if PREAMBLE_WORDS.search(info.text) else 0.0 if info.wants_number else -W.preamble_unasked
    return bonus


_NUMBER = re.compile(
    r"(?<![（(\d])\d+(?![\d.、）)])|[一二三四五六七八九十百千万]+(个|所|人|万|名|项|家|次|批|倍|季|月|日|期|轮)|比例"
)
_YEAR = re.compile(r"20\d\d\s*[年届级]|〔20\d\d〕")
MATERIALS = re.compile(r"材料|复印件|证明|申请表|登记表|协议书|证书|凭证|身份证|清单")  # what to hand in
_MONEY = re.compile(r"\d[\d,.]*\s*万?元|\d+(\.\d+)?\s*%|百分之")  # an amount, or a share of one (最低工资的70%)
_DATE = re.compile(r"\d+\s*[月日]|[上中下]旬|月底|年底|月初|年初|前完成|期间")
DURATION = re.compile(r"\d+\s*个?(工作日|天|周|个月|年)(?!\d)")  # a span of time: answers 多久
ISSUE_DATE = re.compile(  # when was the notice itself issued (not a report or plan it mentions)
    r"(通知|文件|号)(是|在|于)?(哪天|哪一天|什么时候|何时)(印发|发布|下发|出台|发)"
    r"|(通知|文件)的?(印发|发布|下发|发文)(日期|时间)"
)
SIGN_OFF_WORDS = re.compile(r"联系|电话|邮箱|信箱|印发|发布|发的|哪天发|落款|contact|phone|e-?mail|issued on")
PREAMBLE_WORDS = re.compile(r"文号|发文|主送|为什么|目的|背景|why|purpose")


_CITY = re.compile(r"([\u4e00-\u9fff]{2})市(?![场县区级民委政])")


def hotline(info: QuestionInfo) -> bool:
    """Whether the question asks for a service line (举报, 投诉, 热线): a clause states those, not the contacts."""
    lower = info.text.lower()
    return any(w in lower for w in lexicon().service_lines)


def asked_cities(info: QuestionInfo) -> set[str]:
    """The cities a question names: those the lexicon knows, and any other 某某市 (南通市)."""
    return {r.city for r in info.regions if r.city} | {c for c in _CITY.findall(info.text) if "城" not in c}


_DEFINING = re.compile(r"[，,：:]\s*即|是指|指的是")


def defines(text: str, qgrams: set[str]) -> bool:
    """Whether the text defines a name the question uses: the name just before 即 / 是指 (“1131”服务，即…)."""
    for found in _DEFINING.finditer(text):
        before = re.sub(r"[“”\"'《》\s]", "", text[max(0, found.start() - 14) : found.start()])
        if any(len(g) >= 2 and g in before for g in qgrams):
            return True
    return False


def _heading_bonus(chunk: Chunk, qgrams: set[str]) -> float:
    """A clause whose heading the question echoes (活动主题, 行动时间) is likely the one asked about."""
    heading = [g for g in char_ngrams(chunk.heading) if len(g) == 2]
    if len(heading) < 2:
        return 0.0
    ratio = sum(1 for g in heading if g in qgrams) / len(heading)
    return W.heading * ratio if ratio >= 0.5 else 0.0
