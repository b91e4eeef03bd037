"""The OpenAI-compatible endpoints: /v1/models and /v1/chat/completions, plain and streamed."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from bot.answer import Answer
from bot.store import IndexNotReady
from bot.web.errors import error_body
from bot.web.questions import EmptyQuestion, Question
from bot.web.render import reply_text, stream_tail
from bot.web.sse import event, event_stream
from bot.web.state import Key, Web, client_of

log = logging.getLogger("policybot.web")
router = APIRouter(tags=["openai"])

MODEL = "policybot"
EXTRA = "policybot"  # the extra field carrying the answer object


class ChatMessage(BaseModel):
    """One message of the conversation; content is a string or a list of parts (only text parts are read)."""

    model_config = ConfigDict(extra="allow")

    role: str
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        """The message's text."""
        if isinstance(self.content, str):
            return self.content
        parts = self.content or []
        return "\n".join(str(p.get("text", "")) for p in parts if p.get("type") == "text")


class ChatRequest(BaseModel):
    """An OpenAI chat completion request; sampling options are accepted and ignored."""

    model_config = ConfigDict(extra="allow")

    model: str = Field(default=MODEL, description="Any name is accepted; replies name `policybot`.")
    messages: list[ChatMessage] = Field(min_length=1, max_length=200)
    stream: bool = False
    user: str | None = Field(default=None, description="An end-user id a bridge passes on (rate limit, feedback).")


def _question(body: ChatRequest, request: Request, key: str | None) -> Question:
    """The last user message is the question, the earlier user messages its history."""
    if body.messages[-1].role != "user":
        raise HTTPException(400, "the last message must be the user's question")
    user_texts = [m.text() for m in body.messages if m.role == "user"]
    question, history = user_texts[-1], user_texts[:-1]
    if not question.strip():
        raise HTTPException(400, "only text questions can be answered: the last user message has no text")
    user = body.user if key else None  # an unauthenticated caller cannot pick whom it counts as
    return Question(question, client_of(request, key, user), "openai", history)


def _completion(answer: Answer, completion_id: str, created: int) -> dict[str, Any]:
    """A chat.completion object with the reply text and the answer object in the extra field."""
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": MODEL,
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": reply_text(answer)}, "finish_reason": "stop"}
        ],
        EXTRA: answer.to_json_dict(),
    }


def _chunk(completion_id: str, created: int, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    """A chat.completion.chunk object."""
    return {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": MODEL,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


async def _chunks(web: Web, question: Question, completion_id: str, created: int) -> AsyncIterator[str]:
    """OpenAI's stream: the role, text as it is written, the sources, a last chunk with the answer object, [DONE]."""
    yield event(_chunk(completion_id, created, {"role": "assistant", "content": ""}))
    streamed = ""
    try:
        async for item in web.asker.stream(question):
            if isinstance(item, Answer):
                tail = stream_tail(item, streamed)
                if tail:
                    yield event(_chunk(completion_id, created, {"content": tail}))
                yield event({**_chunk(completion_id, created, {}, "stop"), EXTRA: item.to_json_dict()})
                break
            streamed += item
            yield event(_chunk(completion_id, created, {"content": item}))
    except IndexNotReady as exc:
        yield event(error_body(503, str(exc).splitlines()[0]))
    except Exception:
        log.exception("answering a streamed chat completion failed")
        yield event(error_body(500, "internal error: the server could not answer this question"))
    yield event("[DONE]")


@router.get("/v1/models")
async def models(web: Web, key: Key) -> dict[str, Any]:
    """The one model this server offers: `policybot`."""
    return {"object": "list", "data": [{"id": MODEL, "object": "model", "created": 0, "owned_by": "policybot"}]}


@router.post("/v1/chat/completions")
async def chat_completions(body: ChatRequest, request: Request, web: Web, key: Key) -> Any:
    """Answer the last user message (earlier user messages are its history), citing clauses.

    The reply text ends with the numbered sources and quotes; the answer object (citations, quotes,
    caveats) rides along in the extra field `policybot` (in a stream, on the last chunk).
    """
    question = _question(body, request, key)
    try:
        question = web.asker.prepare(question)
    except EmptyQuestion as exc:
        raise HTTPException(400, str(exc)) from None
    web.admit(question.client)
    completion_id, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
    if body.stream:
        return event_stream(_chunks(web, question, completion_id, created))
    answer = await web.asker.answer(question)
    return JSONResponse(_completion(answer, completion_id, created))
