"""The llm answer mode: ChatOpenAI on any compatible endpoint, every reply checked before a student sees it.

A reply stands only when its quotes check out verbatim, every figure in it occurs (as a number, with its unit)
in the clauses it cites, it does not confirm a premise the clauses lack, repeats no line of its instructions and
adds no link or contact detail. Otherwise, and when the model is unreachable or misses the answer's deadline,
the extractive answer is given, with the reason in `Answer.fallback`.
"""

from __future__ import annotations

import contextvars
import logging
import queue
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import httpx
import httpx2
import openai
from langchain_openai import ChatOpenAI

from bot import figures
from bot.answer import Answer, Citation
from bot.cleaning import split_sentences
from bot.extractive import extractive_answer, source_line
from bot.injection import fence, foreign_contacts, leaked_lines, suspicious_lines
from bot.prompts import check_prompts, instruction_text, messages
from bot.retrieval import Hit, char_ngrams
from bot.settings import Settings
from bot.state import Retrieved

QUOTES_HEADER = re.compile(r"\n\s*(引用|Quotes?|References?)\s*[：:]", re.I)
QUOTE_LINE = re.compile(r"\[(\d+)\]\s*[“\"「『]?(.+?)[”\"」』]?\s*$")
MARKER = re.compile(r"\[(\d+)\]")
AFFIRMATION = re.compile(r"^\W*(是的|对的|对，|没错|确实|正确|属实|确认|是这样|yes\b|correct\b|that's right)", re.I)
RELEASE = re.compile(r"[，。；！？、,;!?\n]")  # streamed text is shown up to the last of these, once checked
REPAIR_OVERLAP = 0.6
MAX_CONDENSED = 300
DEFAULT_DEADLINE = 60.0


class DeadlineExceeded(TimeoutError):
    """The model did not finish an answer before its deadline."""


# What a dead, refusing or cut-off endpoint raises (openai's client runs on httpx2; httpx for clients given by hand).
TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (openai.APIError, httpx2.HTTPError, httpx.HTTPError)
# What langchain_openai raises on a 200 reply that is not a chat completion ({"choices": null}, not JSON, a list).
# Only the model call itself runs under these: prompts are built before it, so a PromptError is never hidden.
MALFORMED_REPLY_ERRORS: tuple[type[BaseException], ...] = (TypeError, AttributeError, ValueError)
MODEL_ERRORS: tuple[type[BaseException], ...] = (*TRANSPORT_ERRORS, *MALFORMED_REPLY_ERRORS, DeadlineExceeded)

log = logging.getLogger(__name__)
_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("policybot_llm_deadline", default=None)


class DeadlineChatOpenAI(ChatOpenAI):
    """ChatOpenAI that carries the seconds one answer may take (retries, slow and endless replies included)."""

    deadline: float = DEFAULT_DEADLINE


class _DeadlineStream(httpx2.SyncByteStream):
    """A response body that stops at the deadline, however slowly or endlessly the server sends it."""

    def __init__(self, inner: Any, deadline: float, request: httpx2.Request) -> None:
        self.inner = inner
        self.deadline = deadline
        self.request = request

    def __iter__(self) -> Iterator[bytes]:
        """The body's chunks until the deadline; then a read timeout."""
        for chunk in self.inner:
            if time.monotonic() > self.deadline:
                raise httpx2.ReadTimeout("the answer's deadline passed", request=self.request)
            yield chunk

    def close(self) -> None:
        """Close the connection's stream."""
        self.inner.close()


class DeadlineTransport(httpx2.BaseTransport):
    """An httpx transport that ends each request at the current answer's deadline (or `seconds` after it starts).

    Every wait (connect, each read) is capped at the time left, and a body still arriving at the deadline is cut,
    so the connection is released, not left to a server that drips or never ends.
    """

    def __init__(self, seconds: float, inner: httpx2.BaseTransport | None = None) -> None:
        self.seconds = seconds
        self.inner = inner or httpx2.HTTPTransport()

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        """Send the request with its timeouts capped at the time left."""
        deadline = _DEADLINE.get() or time.monotonic() + self.seconds
        left = deadline - time.monotonic()
        if left <= 0:
            raise httpx2.ConnectTimeout("the answer's deadline passed", request=request)
        given = request.extensions.get("timeout") or {}
        request.extensions["timeout"] = {
            key: left if given.get(key) is None else min(given[key], left)
            for key in ("connect", "read", "write", "pool")
        }
        response = self.inner.handle_request(request)
        return httpx2.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_DeadlineStream(response.stream, deadline, request),
            extensions=response.extensions,
        )

    def close(self) -> None:
        """Close the pooled connections."""
        self.inner.close()


def make_chat_model(settings: Settings) -> DeadlineChatOpenAI:
    """ChatOpenAI pointed at the configured endpoint, bounded by POLICYBOT_LLM_DEADLINE per answer.

    The prompt files are loaded here, so a missing one stops the start with a PromptError.
    """
    check_prompts()
    return DeadlineChatOpenAI(
        model=settings.llm_model,
        api_key=settings.openai_api_key or "not-needed",  # type: ignore[arg-type]
        base_url=settings.openai_base_url,
        timeout=min(settings.llm_timeout, settings.llm_deadline),
        max_retries=1,
        temperature=0,
        deadline=settings.llm_deadline,
        http_client=openai.DefaultHttpxClient(transport=DeadlineTransport(settings.llm_deadline)),
    )


def deadline_seconds(model: Any, deadline: float | None = None) -> float:
    """The seconds one answer may take: given, else the model's own, else the default."""
    if deadline is not None:
        return deadline
    return float(getattr(model, "deadline", DEFAULT_DEADLINE))


def _until(deadline: float, produce: Callable[[], Iterable[Any]]) -> Iterator[Any]:
    """The items `produce()` yields in a worker thread, until it ends or the deadline passes (DeadlineExceeded).

    The worker runs with the deadline set, so the DeadlineTransport cuts its request off too.
    """
    items: queue.Queue[tuple[str, Any]] = queue.Queue()
    stop = threading.Event()

    def work() -> None:
        _DEADLINE.set(deadline)
        source: Iterable[Any] = ()
        try:
            source = produce()
            for item in source:
                items.put(("item", item))
                if stop.is_set():
                    return
            items.put(("done", None))
        except BaseException as exc:  # handed to the waiting thread, which re-raises it
            items.put(("error", exc))
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()

    context = contextvars.copy_context()
    threading.Thread(target=context.run, args=(work,), daemon=True, name="policybot-llm").start()
    try:
        while True:
            try:
                kind, value = items.get(timeout=max(deadline - time.monotonic(), 0.0))
            except queue.Empty:
                raise DeadlineExceeded from None
            if kind == "done":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()


def _invoke(model: Any, prompt: list[Any], seconds: float) -> Any:
    """The model's reply message within `seconds` (DeadlineExceeded or a transport error otherwise)."""
    for reply in _until(time.monotonic() + seconds, lambda: [model.invoke(prompt)]):
        return reply
    raise DeadlineExceeded


def _unavailable(exc: BaseException, seconds: float) -> str:
    """Why the model gave no usable reply, for Answer.fallback (logged with the traceback when unexpected)."""
    if isinstance(exc, DeadlineExceeded):
        why = f"the language model did not finish within the {seconds:g} s deadline (POLICYBOT_LLM_DEADLINE)"
    elif isinstance(exc, TRANSPORT_ERRORS):
        why = f"language model unavailable ({type(exc).__name__})"
    else:
        why = f"the language model's reply was not a chat completion ({type(exc).__name__})"
        log.warning("llm fallback: %s", why, exc_info=exc)
        return why
    log.info("llm fallback: %s", why)
    return why


def condense(model: Any, question: str, history: list[str], deadline: float | None = None) -> str | None:
    """A follow-up rewritten by the model as a standalone question; None when the model fails or is too slow."""
    prompt = messages("condense", history="\n".join(history[-3:]), question=question)
    try:
        reply = _invoke(model, prompt, deadline_seconds(model, deadline))
    except MODEL_ERRORS:  # the caller uses the rule-based rewrite instead
        return None
    text = " ".join(str(reply.content).split())
    return text[:MAX_CONDENSED] if text else None


def clauses_block(hits: list[Hit]) -> str:
    """The numbered clauses, each fenced as data (look-alike fences removed from the text)."""
    return "\n".join(
        f'<clause n="{n}">\n{fence(source_line(h.chunk))}\n{fence(h.chunk.text)}\n</clause>'
        for n, h in enumerate(hits, start=1)
    )


def _messages(state: Retrieved) -> list[Any]:
    """The system prompt and the user turn with the fenced clauses and question."""
    return messages("answer", clauses=clauses_block(state.hits), question=fence(state.query))


def _repair(quote: str, clause_text: str) -> str | None:
    """The quote if verbatim; else the clause sentence it best matches, if close enough; else None."""
    quote = quote.strip().strip('“”"')
    if quote and quote in clause_text:
        return quote
    wanted = set(char_ngrams(quote))
    if not wanted:
        return None
    best, best_overlap = None, 0.0
    for sentence in split_sentences(clause_text):
        overlap = len(wanted & set(char_ngrams(sentence))) / len(wanted)
        if overlap > best_overlap:
            best, best_overlap = sentence, overlap
    return best if best_overlap >= REPAIR_OVERLAP else None


def parse_reply(reply: str, hits: list[Hit]) -> tuple[str, list[Citation]]:
    """Split a model reply into answer text and checked citations, renumbered in order of use."""
    parts = QUOTES_HEADER.split(reply, maxsplit=1)
    body = parts[0].strip()
    quotes: dict[int, str] = {}
    if len(parts) == 3:
        for line in parts[2].splitlines():
            m = QUOTE_LINE.search(line.strip())
            if m:
                quotes.setdefault(int(m.group(1)), m.group(2))
    renumber: dict[int, int] = {}
    citations: list[Citation] = []
    for n in [int(x) for x in MARKER.findall(body)]:
        if n in renumber or not 1 <= n <= len(hits):
            continue
        chunk = hits[n - 1].chunk
        # an explicit quote must check out; only a marker without a quote is matched against the answer text
        quote = _repair(quotes[n], chunk.text) if n in quotes else _repair(MARKER.sub("", body), chunk.text)
        if quote is None:
            continue
        renumber[n] = len(citations) + 1
        citations.append(Citation.from_chunk(chunk, quote))
    text = MARKER.sub(lambda m: f"[{renumber[int(m.group(1))]}]" if int(m.group(1)) in renumber else "", body)
    return text.strip(), citations


def _evidence(hits: list[Hit], cited: set[tuple[str, str]] | None = None, trusted: bool = False) -> str:
    """The text of the (cited) clauses with their source lines; `trusted` leaves out lines that read like orders."""
    texts = []
    for hit in hits:
        chunk = hit.chunk
        if cited is not None and (chunk.doc, chunk.clause) not in cited:
            continue
        text = f"{source_line(chunk)}\n{chunk.title}\n{chunk.doc_number or ''}\n{chunk.issued}\n{chunk.text}"
        if trusted:
            flagged = set(suspicious_lines(text))
            text = "\n".join(line for line in text.splitlines() if line.strip() not in flagged)
        texts.append(text)
    return "\n".join(texts)


def reply_problem(text: str, evidence: str, trusted_evidence: str) -> str | None:
    """Why a reply's text may not be shown: a figure, link or contact the evidence lacks, or its instructions."""
    body = MARKER.sub("", text)
    leaked = leaked_lines(body, instruction_text(), evidence)
    if leaked:
        return f"the model's reply repeats its instructions ({leaked[0][:30]}…)"
    contacts = foreign_contacts(body, trusted_evidence)
    if contacts:
        return f"the model's reply has links, contact details or requests its clauses do not: {', '.join(contacts)}"
    wrong = figures.unsupported(body, evidence)
    if wrong:
        return f"the model's reply states figures its clauses do not: {', '.join(wrong)}"
    return None


def _premise_problem(text: str, question: str, evidence: str) -> str | None:
    """Why a reply confirms what only the question says: a yes while the question's figures are unsupported."""
    only_asked = figures.unsupported(question, evidence)
    if only_asked and AFFIRMATION.search(MARKER.sub("", text)):
        return f"the model's reply confirms a premise its clauses do not state: {', '.join(only_asked)}"
    return None


def _finish(reply: str, state: Retrieved) -> Answer:
    """Turn a full reply into an Answer, falling back to the extractive answer when any check fails."""
    text, citations = parse_reply(reply, state.hits)
    if not citations:
        return extractive_answer(state, "the model's reply had no citation that checks against the clauses")
    cited = {(c.doc, c.clause) for c in citations}
    evidence = _evidence(state.hits, cited)
    problem = reply_problem(text, evidence, _evidence(state.hits, cited, trusted=True))
    problem = problem or _premise_problem(text, state.query, evidence)
    if problem:
        return extractive_answer(state, problem)
    return Answer(question=state.question, answer=text, grounded=True, citations=citations, mode="llm")


def llm_answer(model: Any, state: Retrieved, deadline: float | None = None) -> Answer:
    """Ask the model; a dead or slow endpoint or a reply that fails a check falls back to the extractive answer.

    `deadline` is the seconds the whole answer may take (default: the model's own, POLICYBOT_LLM_DEADLINE).
    """
    prompt = _messages(state)
    seconds = deadline_seconds(model, deadline)
    try:
        reply = _invoke(model, prompt, seconds)
    except MODEL_ERRORS as exc:  # the student still gets an answer
        return extractive_answer(state, _unavailable(exc, seconds))
    return _finish(str(reply.content), state)


def llm_stream(model: Any, state: Retrieved, deadline: float | None = None) -> Iterator[str | Answer]:
    """Stream the answer part of the reply piece by piece, then yield the checked Answer.

    Text is released up to the last punctuation mark once it passes the checks against the retrieved clauses,
    so a wrong figure, a link or a leaked instruction is not shown while it streams. At the deadline, or when
    a check fails, reading stops and the extractive answer (marked as the fallback) is yielded.
    """
    prompt = _messages(state)
    seconds = deadline_seconds(model, deadline)
    evidence = _evidence(state.hits)
    trusted = _evidence(state.hits, trusted=True)
    reply = ""
    shown = 0
    try:
        for piece in _until(time.monotonic() + seconds, lambda: model.stream(prompt)):
            reply += str(piece.content)
            cut = QUOTES_HEADER.search(reply)
            visible = reply[: cut.start()] if cut else reply
            ends = [m.end() for m in RELEASE.finditer(visible, shown)]
            if not ends:
                continue
            problem = reply_problem(visible[: ends[-1]], evidence, trusted)
            if problem:
                yield extractive_answer(state, problem)
                return
            yield visible[shown : ends[-1]]
            shown = ends[-1]
    except MODEL_ERRORS as exc:  # a stream that dies or drags on: answer extractively
        yield extractive_answer(state, _unavailable(exc, seconds))
        return
    answer = _finish(reply, state)
    cut = QUOTES_HEADER.search(reply)
    rest = (reply[: cut.start()] if cut else reply).rstrip()[shown:]
    if answer.mode == "llm" and rest:
        yield rest
    yield answer
