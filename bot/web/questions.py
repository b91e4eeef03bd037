"""One question over the web: cut and checked, answered by the chain, recorded for 👍/👎, streamed or not."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from bot.answer import Answer
from bot.chain import AnswerChain
from bot.feedback import FeedbackStore
from bot.retrieval import Filters
from bot.web.guard import Client
from bot.web.render import MarkerRenumber

HISTORY_TURNS = 6


class EmptyQuestion(ValueError):
    """The question has no text."""


@dataclass
class Question:
    """A question as the routes hand it to the asker: text, earlier questions, filters, who asks and how."""

    text: str
    client: Client
    chat_type: str
    history: list[str] = field(default_factory=list)
    filters: Filters | None = None


class Asker:
    """Answers questions with the chain and records every answer in the feedback store."""

    def __init__(self, chain: AnswerChain, store: FeedbackStore) -> None:
        self.chain = chain
        self.store = store

    def prepare(self, question: Question) -> Question:
        """The question and its history stripped and cut to what the chain reads; an empty one is an error."""
        limit = self.chain.corpus.max_question_chars
        text = question.text.strip()[:limit]
        if not text:
            raise EmptyQuestion("the question is empty")
        history = [h.strip()[:limit] for h in question.history if h.strip()][-HISTORY_TURNS:]
        return Question(text, question.client, question.chat_type, history, question.filters)

    async def _record(self, question: Question, answer: Answer, started: float) -> Answer:
        """Store the answer (the client only as a salted hash) and give it the stored id."""
        latency = (time.perf_counter() - started) * 1000
        answer.id = await asyncio.to_thread(
            self.store.record, answer, question.history, question.chat_type, question.client.number, latency
        )
        return answer

    async def answer(self, question: Question) -> Answer:
        """Answer one question in full."""
        question = self.prepare(question)
        started = time.perf_counter()
        answer = await self.chain.aanswer(question.text, history=question.history, filters=question.filters)
        return await self._record(question, answer, started)

    async def stream(self, question: Question) -> AsyncIterator[str | Answer]:
        """Pieces of the answer text as the model writes them (llm mode), then the recorded Answer.

        Markers are renumbered as the checked answer numbers them. In extractive mode nothing is worth
        streaming: only the Answer comes.
        """
        question = self.prepare(question)
        started = time.perf_counter()
        markers, shown = MarkerRenumber(), ""
        live = self.chain.mode == "llm"
        async for piece in self.chain.astream(question.text, question.history, question.filters):
            if isinstance(piece, Answer):
                rest = markers.flush()  # held text is sent only when it belongs to the checked answer
                if live and rest.strip() and (shown + rest).strip() == piece.answer.strip():
                    yield rest
                yield await self._record(question, piece, started)
                return
            if live and (text := markers.feed(piece)):
                shown += text
                yield text
        raise RuntimeError("the answer stream ended without an Answer")

    def may_vote(self, answer_id: int, client: Client) -> bool:
        """Whether the answer exists and was given to this client."""
        stored = self.store.get(answer_id)
        return stored is not None and stored["user_hash"] == self.store.user_hash(client.number)

    def vote(self, answer_id: int, client: Client, vote: int) -> bool:
        """Record 👍 (1) or 👎 (-1) on the client's own answer; False when there is no such answer for it."""
        return self.may_vote(answer_id, client) and self.store.vote(answer_id, vote)
