"""The JSON API for the page and for integrations: ask, sources, a clause's text, feedback, health."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from bot import __version__
from bot.answer import Answer
from bot.retrieval import Filters
from bot.store import IndexNotReady
from bot.web.errors import error_body
from bot.web.questions import EmptyQuestion, Question
from bot.web.sse import event, event_stream
from bot.web.state import Key, Web, client_of

log = logging.getLogger("policybot.web")
router = APIRouter()

ANSWER_DOC: dict[int | str, dict[str, Any]] = {
    200: {"description": "The answer object (CONTRACT.md §3), `id` being the answer's feedback id."}
}


class AskFilters(BaseModel):
    """Restrict the answer to a region, a graduating class or some notices."""

    region: str | None = Field(default=None, description="`national` or a province, e.g. 贵州省")
    cohort: str | None = Field(default=None, description="e.g. 2024届")
    docs: list[str] = Field(default_factory=list, description="doc ids, e.g. guizhou-2022-class")


class AskRequest(BaseModel):
    """A question, the earlier questions of the same chat (oldest first), and optional filters."""

    question: str = Field(min_length=1, description="The question; text past POLICYBOT_MAX_QUESTION_CHARS is cut.")
    history: list[str] = Field(default_factory=list, max_length=50, description="Earlier questions, oldest first.")
    filters: AskFilters | None = None
    stream: bool = Field(
        default=False,
        description="Server-sent events instead of JSON: `delta` events ({text}) while an llm answer is written, "
        "then one `answer` event (the answer object) or an `error` event.",
    )


class FeedbackRequest(BaseModel):
    """👍 (1) or 👎 (-1) on an answer this client was given."""

    answer_id: int = Field(ge=1, description="The `id` of the answer object.")
    vote: Literal[1, -1]


def _question(body: AskRequest, request: Request, key: str | None) -> Question:
    """The route's input as a Question for the asker."""
    filters = None
    if body.filters is not None:
        filters = Filters(scope=body.filters.region, cohort=body.filters.cohort, docs=list(body.filters.docs))
    return Question(body.question, client_of(request, key), "web", list(body.history), filters)


async def _answer_events(web: Web, question: Question) -> AsyncIterator[str]:
    """The page's event stream: deltas, then the answer; an error event if answering fails midway."""
    try:
        async for item in web.asker.stream(question):
            if isinstance(item, Answer):
                yield event(item.to_json_dict(), "answer")
            else:
                yield event({"text": item}, "delta")
    except IndexNotReady as exc:
        yield event(error_body(503, str(exc).splitlines()[0]), "error")
    except Exception:
        log.exception("answering a streamed question failed")
        yield event(error_body(500, "internal error: the server could not answer this question"), "error")


@router.post("/api/ask", tags=["api"], responses=ANSWER_DOC)
async def ask(body: AskRequest, request: Request, web: Web, key: Key) -> Any:
    """Answer a question from the notices, citing clauses: the answer object, or its event stream."""
    question = _question(body, request, key)
    try:
        question = web.asker.prepare(question)
    except EmptyQuestion as exc:
        raise HTTPException(422, str(exc)) from None
    web.admit(question.client)
    if body.stream:
        return event_stream(_answer_events(web, question))
    return JSONResponse((await web.asker.answer(question)).to_json_dict())


@router.get("/api/sources", tags=["api"])
async def sources(web: Web) -> list[dict[str, Any]]:
    """The indexed notices with their clause paths (CONTRACT.md §4 `sources --json`)."""
    return await asyncio.to_thread(web.chain.corpus.sources)


def _same_path(a: str, b: str) -> bool:
    """Clause paths compare without whitespace and with `.` and `．` alike (CONTRACT.md §2)."""

    def norm(path: str) -> str:
        return re.sub(r"\s+", "", path).replace("．", ".")

    return norm(a) == norm(b)


def _clause(web: Web, doc: str, clause: str) -> dict[str, Any] | None:
    """A clause's full text with its notice's metadata, or None."""
    corpus = web.chain.corpus
    notice = next((s for s in corpus.sources() if s["doc"] == doc), None)
    if notice is None:
        return None
    clause = next((c for c in notice["clauses"] if _same_path(c, clause)), clause)
    text = corpus.clause_text(doc, clause)
    if text is None:
        return None
    keys = ("title", "doc_number", "issuer", "issued", "scope", "cohort")
    return {"doc": doc, "clause": clause, **{k: notice.get(k) for k in keys}, "text": text}


@router.get("/api/clauses/{doc}/{clause:path}", tags=["api"])
async def clause_text(
    web: Web,
    doc: Annotated[str, Path(description="doc id, e.g. guizhou-2022-class")],
    clause: Annotated[str, Path(description="clause path, URL-encoded, e.g. 二、6.")],
) -> dict[str, Any]:
    """One clause's full stored text, with its notice's title, 文号, issuer, date and scope."""
    found = await asyncio.to_thread(_clause, web, doc, clause)
    if found is None:
        raise HTTPException(404, f"no clause {clause!r} in notice {doc!r}")
    return found


@router.post("/api/feedback", tags=["api"])
async def feedback(body: FeedbackRequest, request: Request, web: Web, key: Key) -> dict[str, Any]:
    """Record 👍/👎 on an answer this client was given, in the same store as Telegram's."""
    client = client_of(request, key)
    if not await asyncio.to_thread(web.asker.vote, body.answer_id, client, body.vote):
        raise HTTPException(404, f"no answer {body.answer_id} for this client")
    return {"ok": True, "answer_id": body.answer_id, "vote": body.vote}


@router.get("/api/info", tags=["api"])
async def info(web: Web) -> dict[str, Any]:
    """What the chat page needs to know: answer mode, question length limit, examples, whether keys are needed."""
    examples = await asyncio.to_thread(web.chain.corpus.examples)  # the corpus's own, as students type them
    return {
        "name": "policybot",
        "version": __version__,
        "mode": web.chain.mode,
        "max_question_chars": web.chain.corpus.max_question_chars,
        "examples": examples,
        "api_key_required": bool(web.keys),
    }


def _health(web: Web) -> dict[str, Any]:
    """The index build that answers, its size and model, and the answer mode."""
    corpus = web.chain.corpus
    manifest = corpus.services.index.require(corpus.services.model_id)
    notices = corpus.sources()
    return {
        "status": "ok",
        "version": __version__,
        "mode": web.chain.mode,
        "llm_model": web.settings.llm_model if web.chain.mode == "llm" else None,
        "index": {
            "loaded": True,
            "build": manifest.collection,
            "built_at": datetime.fromtimestamp(manifest.built_at, UTC).isoformat(timespec="seconds"),
            "embeddings": manifest.model,
            "notices": len(notices),
            "chunks": sum(n["chunks"] for n in notices),
        },
    }


@router.get("/healthz", tags=["ops"])
async def healthz(web: Web) -> JSONResponse:
    """200 when the index is loaded (which build, which model); 503 with the reason when it is not."""
    try:
        return JSONResponse(await asyncio.to_thread(_health, web))
    except IndexNotReady as exc:
        body = {"status": "unavailable", "index": {"loaded": False}, **error_body(503, str(exc).splitlines()[0])}
        return JSONResponse(body, status_code=503)
