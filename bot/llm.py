"""The llm answer mode: ChatOpenAI on any compatible endpoint, with every quote checked against its clause."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage

from bot.answer import Answer, Citation
from bot.cleaning import split_sentences
from bot.extractive import extractive_answer, source_line
from bot.prompts import load_prompt, render
from bot.question import normalize
from bot.retrieval import Hit, char_ngrams
from bot.settings import Settings
from bot.state import Retrieved

QUOTES_HEADER = re.compile(r"\n\s*(引用|Quotes?|References?)\s*[：:]", re.I)
QUOTE_LINE = re.compile(r"\[(\d+)\]\s*[“\"「『]?(.+?)[”\"」』]?\s*$")
MARKER = re.compile(r"\[(\d+)\]")
REPAIR_OVERLAP = 0.6
MAX_CONDENSED = 300


def make_chat_model(settings: Settings) -> Any:
    """ChatOpenAI pointed at the configured OpenAI-compatible endpoint."""
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=settings.llm_model,
        api_key=settings.openai_api_key or "not-needed",  # type: ignore[arg-type]
        base_url=settings.openai_base_url,
        timeout=settings.llm_timeout,
        max_retries=1,
        temperature=0,
    )


def condense(model: Any, question: str, history: list[str]) -> str | None:
    """A follow-up rewritten by the model as a standalone question; None when the model fails."""
    try:
        reply = model.invoke([HumanMessage(render("condense", history="\n".join(history[-3:]), question=question))])
    except Exception:  # a dead endpoint: the caller uses the rule-based rewrite instead
        return None
    text = " ".join(str(reply.content).split())
    return text[:MAX_CONDENSED] if text else None


def _messages(state: Retrieved) -> list[Any]:
    """The system prompt and the user turn with the numbered clauses."""
    clauses = "\n\n".join(f"[{n}] {source_line(h.chunk)}\n{h.chunk.text}" for n, h in enumerate(state.hits, start=1))
    return [
        SystemMessage(load_prompt("system")),
        HumanMessage(render("answer", clauses=clauses, question=state.query)),
    ]


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


def _finish(reply: str, state: Retrieved) -> Answer:
    """Turn a full reply into an Answer, falling back to the extractive answer when no citation holds."""
    text, citations = parse_reply(reply, state.hits)
    if not citations:
        return extractive_answer(state, "the model's reply had no citation that checks against the clauses")
    unsupported = _unsupported_numbers(text, citations, state)
    if unsupported:
        why = f"the model's reply states numbers its clauses do not: {', '.join(unsupported)}"
        return extractive_answer(state, why)
    return Answer(question=state.question, answer=text, grounded=True, citations=citations, mode="llm")


def _unsupported_numbers(text: str, citations: list[Citation], state: Retrieved) -> list[str]:
    """Numbers in the answer that neither the cited clauses nor the question contain."""
    cited = {(c.doc, c.clause) for c in citations}
    source = normalize(" ".join(h.chunk.text for h in state.hits if (h.chunk.doc, h.chunk.clause) in cited))
    source += normalize(state.query)
    body = normalize(MARKER.sub("", text))
    return [n for n in dict.fromkeys(re.findall(r"\d+(?:[.:]\d+)?", body)) if n not in source]


def llm_answer(model: Any, state: Retrieved) -> Answer:
    """Ask the model; a dead endpoint or an uncited reply falls back to the extractive answer."""
    try:
        reply = model.invoke(_messages(state))
    except Exception as exc:  # any transport or API error: the student still gets an answer
        return extractive_answer(state, f"language model unavailable ({type(exc).__name__})")
    return _finish(str(reply.content), state)


def llm_stream(model: Any, state: Retrieved) -> Iterator[str | Answer]:
    """Stream the answer part of the reply token by token, then yield the checked Answer."""
    reply = ""
    shown = 0
    try:
        for piece in model.stream(_messages(state)):
            reply += str(piece.content)
            cut = QUOTES_HEADER.search(reply)
            visible = reply[: cut.start()] if cut else reply
            if len(visible) > shown:
                yield visible[shown:]
                shown = len(visible)
    except Exception as exc:  # a stream that dies midway: answer extractively instead
        yield extractive_answer(state, f"language model unavailable ({type(exc).__name__})")
        return
    yield _finish(reply, state)
