"""The one answer chain: retrieve, answer (extractive or llm), cite. Every front end calls this."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from functools import partial
from typing import Any

from langchain_core.runnables import Runnable, RunnableConfig, RunnableGenerator, RunnableLambda

from bot.answer import Answer, RetrievedClause
from bot.answer_log import log_answer
from bot.caveats import caveats_for
from bot.corpus import Corpus
from bot.decline import decline_message, decline_reason
from bot.extractive import extractive_answer, rerank, with_attachment_items
from bot.lexicon import lexicon
from bot.profile import CorpusProfile
from bot.question import QuestionInfo, asks_as_before, correct, normalize, plain, read_question
from bot.relevance import on_topic
from bot.retrieval import Filters, Hit, HybridRetriever, context_words, document_hit, topic_query, without_years
from bot.services import Services
from bot.settings import Settings
from bot.state import Retrieved
from bot.weights import WEIGHTS as W

FOLLOW_UP_CHARS = 16  # a question this short that names no region or year continues the chat


def standalone_query(question: str, history: list[str], limit: int = 500, profile: CorpusProfile | None = None) -> str:
    """A follow-up such as 那三支一扶呢？ is searched together with the question before it.

    The chat is read in order, each follow-up resolved against the question it continues (itself resolved),
    so a chain of follow-ups (那三支一扶呢？ then 那23年的呢？) keeps what each one changed. A short question that
    names no region or year (报名时间是哪几天？) continues the chat too.
    """
    resolved = ""
    for asked in [*history, question]:
        resolved = _continue(asked.strip()[:limit], resolved, profile)[-limit:]
    return resolved


def _continue(question: str, before: str, profile: CorpusProfile | None) -> str:
    """One question of a chat as it stands alone, given the resolved question before it.

    When the follow-up names its own region (那贵州呢？), the earlier region goes, and the earlier years too unless
    a notice of that region is for them; its own years
    (那23年的呢？) replace the earlier years only; its own programme (那三支一扶呢？) replaces the earlier one.
    """
    own = read_question(question, profile)
    continues = not (own.regions or own.years or own.cohorts) and len(normalize(question)) <= FOLLOW_UP_CHARS
    if not before:
        return question
    if not (own.follow_up or continues):
        if own.regions or own.years or own.cohorts:
            return question
        # a new question in the chat that names no region or year keeps the ones the chat was about
        context = " ".join(dict.fromkeys(context_words(before, profile)))
        return f"{context} {question}" if context else question
    if own.regions:
        years = _years_that_fit(before, own, profile)  # 广东26年三支一扶… 那四川呢？ keeps 26年 when 四川 has it
        before = f"{years} {topic_query(before, profile)}"
    elif own.years or own.cohorts:
        before = without_years(before)
    programmes = [p for p in lexicon().programmes if p in question]
    if programmes:
        for name in sorted(lexicon().programmes, key=len, reverse=True):
            before = before.replace(name, " ") if name not in programmes else before
    return f"{' '.join(before.split())} {question}"


def _years_that_fit(before: str, own: QuestionInfo, profile: CorpusProfile | None) -> str:
    """The earlier question's years and cohorts, when a notice of the follow-up's region is for them ("" if not)."""
    earlier = read_question(before, profile)
    if profile is None or own.years or own.cohorts or not earlier.asked_years:
        return ""
    regional = set().union(*(profile.by_province.get(p, set()) for p in own.provinces))
    if not any(regional & profile.by_year.get(year, set()) for year in earlier.asked_years):
        return ""
    return " ".join(w for w in context_words(before, profile) if re.search(r"\d", w))


INTENT_FIELDS = (
    "wants_number",
    "wants_amount",
    "wants_date",
    "wants_day",
    "wants_hour",
    "wants_duration",
    "wants_phone",
    "wants_place",
    "wants_procedure",
    "wants_condition",
)


def follow_up_intent(combined: QuestionInfo, own: QuestionInfo) -> QuestionInfo:
    """A follow-up asks what it says it asks (它的主题是什么？); 那三支一扶呢？ asks what the question before asked."""
    if asks_as_before(own.text) and not own.asks_own():
        return combined
    values: dict[str, Any] = {name: getattr(own, name) for name in INTENT_FIELDS}
    return replace(combined, **values, wants_list=own.wants_list)


def comparison_sides(info: QuestionInfo) -> list[Filters]:
    """The notices a comparison sets against each other: two cohorts or years, or a province and the nation."""
    if not info.compare:
        return []
    years = sorted(set(info.cohorts) or set(info.years))
    if len(years) >= 2:
        return [Filters(cohort=f"{year}届") for year in years]
    if info.provinces and info.national:
        return [Filters(scope=info.provinces[0]), Filters(scope="national")]
    if len(info.provinces) >= 2:
        return [Filters(scope=province) for province in info.provinces[:2]]
    return []


def _search(
    retriever: HybridRetriever,
    query: str,
    k: int,
    filters: Filters | None,
    info: QuestionInfo,
    vector: list[float],
    config: RunnableConfig | None,
) -> list[Hit]:
    """Search through the retriever's runnable (so callbacks and tracing see it) and read its Documents back."""
    documents = retriever.invoke(query, config, k=k, filters=filters, info=info, vector=vector)
    return [document_hit(document) for document in documents]


def _one_per_side(hits: list[Hit], sides: list[list[Hit]]) -> list[Hit]:
    """The best clause of each side first (the stronger side leading), then the rest in their order."""
    heads = sorted((side[0] for side in sides if side), key=lambda h: -h.score)
    picked = {h.chunk.id for h in heads}
    return heads + [h for h in hits if h.chunk.id not in picked]


class AnswerChain:
    """Retrieves clauses and answers from them, in extractive or llm mode."""

    def __init__(self, source: Services | Corpus, mode: str | None = None, k: int = 5, llm: Any = None) -> None:
        self.corpus = source if isinstance(source, Corpus) else Corpus(source)
        settings = self.corpus.settings
        wanted = mode or settings.mode
        if wanted == "auto":
            wanted = "llm" if (settings.openai_api_key or settings.openai_base_url or llm is not None) else "extractive"
        self.mode = wanted
        self.k = k
        self._llm = llm
        retrieve = RunnableLambda(self._retrieve, afunc=self._aretrieve, name="retrieve")
        self.runnable: Runnable[dict[str, Any], Answer] = retrieve | RunnableLambda(self._respond, name="answer")
        # the same retrieval, then the answer as it is written: text pieces, then the checked Answer
        self.streaming: Runnable[dict[str, Any], str | Answer] = retrieve | RunnableGenerator(
            self._respond_stream, self._arespond_stream, name="answer"
        )

    @property
    def settings(self) -> Settings:
        """The settings the chain runs with."""
        return self.corpus.settings

    def llm(self) -> Any:
        """The answering model in llm mode (built from settings at first use)."""
        if self._llm is None:
            from bot.llm import make_chat_model

            self._llm = make_chat_model(self.settings)
        return self._llm

    def _retrieve(self, inputs: dict[str, Any], config: RunnableConfig | None = None) -> Retrieved:
        """Retrieve the clauses for a question, reading follow-ups with their history."""
        started = time.perf_counter()
        limit = self.settings.max_question_chars
        asked = str(inputs["question"])
        question = plain(asked)[:limit]  # markup goes, and what is answered is what is judged
        history = [plain(str(h)) for h in inputs.get("history") or []]
        retriever = self.corpus.retriever()
        profile = retriever.profile
        query = standalone_query(correct(question), [correct(h) for h in history], limit, profile)
        if self.mode == "llm" and query != correct(question).strip()[:limit]:
            from bot.llm import condense

            query = condense(self.llm(), question, history) or query
        info = read_question(query, profile)
        info.text = correct(question) if not history else query
        info.own = correct(question) if history else ""
        if history and query != correct(question).strip()[:limit]:
            info = follow_up_intent(info, read_question(correct(question), profile))
        k = inputs.get("k") or self.k
        filters = inputs.get("filters")
        vector = retriever.embeddings.embed_query(query)
        search = partial(_search, retriever, info=info, vector=vector, config=config)
        hits = search(query, max(k, W.rerank_depth), filters)
        about = topic_query(retriever.about(query, info), profile)
        hits = rerank(hits, info, about, retriever.idf, W.rerank)
        if not (filters and filters.given()) and (sides := comparison_sides(info)):  # `ask` passes an empty one
            per_side = [search(query, W.rerank_depth, side) for side in sides]
            hits = _one_per_side(hits, [rerank(h, info, about, retriever.idf, W.rerank) for h in per_side])
        hits = on_topic(hits, info)[:k]
        if hits:
            hits = with_attachment_items(hits, info, retriever.notice_chunks(hits[0].chunk.doc))
        elapsed = (time.perf_counter() - started) * 1000
        return Retrieved(asked, query, info, hits, history, started, elapsed, retriever.idf, profile)

    def _respond(self, state: Retrieved) -> Answer:
        """Answer from the retrieved clauses, or decline."""
        gen_started = time.perf_counter()
        reason = decline_reason(state.info, state.hits, state.profile)
        if reason is not None:
            answer = Answer(
                question=state.question,
                answer=decline_message(reason, state.info, state.profile),
                grounded=False,
                mode="extractive" if self.mode == "extractive" else "llm",
            )
        elif self.mode == "llm":
            from bot.llm import llm_answer

            answer = llm_answer(self.llm(), state)
        else:
            answer = extractive_answer(state)
        return self._finish(answer, state, gen_started)

    def _finish(self, answer: Answer, state: Retrieved, gen_started: float) -> Answer:
        """Attach the caveats, what was retrieved and how long each step took."""
        if answer.grounded:
            today = self.settings.current_date()
            texts = self.corpus.clause_texts()
            cited = answer.citations
            follow_up = bool(state.history)
            answer.caveats = caveats_for(state.info, cited, texts, state.profile, today, answer.answer, follow_up)
        answer.retrieved = [
            RetrievedClause(
                doc=h.chunk.doc,
                clause=h.chunk.clause,
                score=round(h.score, 5),
                dense_rank=h.dense_rank,
                lexical_rank=h.lexical_rank,
                text=h.chunk.text,
            )
            for h in state.hits
        ]
        now = time.perf_counter()
        answer.timings_ms = {
            "retrieve": round(state.retrieve_ms, 1),
            "generate": round((now - gen_started) * 1000, 1),
            "total": round((now - state.started) * 1000, 1),
        }
        log_answer(answer, state)
        return answer

    def answer(self, question: str, history: list[str] | None = None, filters: Filters | None = None) -> Answer:
        """Answer one question (blocking)."""
        return self.runnable.invoke({"question": question, "history": history or [], "filters": filters})

    async def aanswer(self, question: str, history: list[str] | None = None, filters: Filters | None = None) -> Answer:
        """Answer one question without blocking the event loop."""
        return await self.runnable.ainvoke({"question": question, "history": history or [], "filters": filters})

    def stream(
        self, question: str, history: list[str] | None = None, filters: Filters | None = None
    ) -> Iterator[str | Answer]:
        """Yield pieces of the answer text as they come, then the final Answer (through the streaming runnable)."""
        yield from self.streaming.stream({"question": question, "history": history or [], "filters": filters})

    async def _aretrieve(self, inputs: dict[str, Any], config: RunnableConfig | None = None) -> Retrieved:
        """Retrieval off the event loop (embedding and scoring are CPU work)."""
        return await asyncio.to_thread(self._retrieve, inputs, config)

    def _respond_stream(self, states: Iterator[Retrieved]) -> Iterator[str | Answer]:
        """Answer a retrieved state piece by piece: the model's text as it comes, or the whole answer at once."""
        for state in states:
            if self.mode == "llm" and decline_reason(state.info, state.hits, state.profile) is None:
                from bot.llm import llm_stream

                gen_started = time.perf_counter()
                for piece in llm_stream(self.llm(), state):
                    yield self._finish(piece, state, gen_started) if isinstance(piece, Answer) else piece
                continue
            answer = self._respond(state)
            yield answer.answer
            yield answer

    async def _arespond_stream(self, states: AsyncIterator[Retrieved]) -> AsyncIterator[str | Answer]:
        """The same, with each piece produced off the event loop."""
        async for state in states:
            pieces = self._respond_stream(iter([state]))
            sentinel = object()
            while (piece := await asyncio.to_thread(next, pieces, sentinel)) is not sentinel:
                yield piece  # type: ignore[misc]

    async def astream(
        self, question: str, history: list[str] | None = None, filters: Filters | None = None
    ) -> AsyncIterator[str | Answer]:
        """Async version of `stream`: `astream_events` of the streaming runnable sees every step."""
        async for piece in self.streaming.astream({"question": question, "history": history or [], "filters": filters}):
            yield piece
