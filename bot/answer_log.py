"""One log line per answer: which question (by a short hash, never its sender), how long, and why declined."""

from __future__ import annotations

import hashlib
import logging

from bot.answer import Answer
from bot.decline import decline_reason
from bot.state import Retrieved

log = logging.getLogger("policybot.answers")


def question_id(question: str) -> str:
    """A short stable id for a question's text: the same question gets the same id, the text stays out of the log."""
    return hashlib.blake2s(question.encode("utf-8", "surrogatepass"), digest_size=5).hexdigest()


def log_answer(answer: Answer, state: Retrieved) -> None:
    """Log an answer's question id, mode, timings and decline reason (no question text, no user, no token)."""
    if not log.isEnabledFor(logging.INFO):
        return
    reason = None if answer.grounded else decline_reason(state.info, state.hits, state.profile)
    t = answer.timings_ms
    log.info(
        "answer qid=%s mode=%s grounded=%s decline=%s fallback=%s citations=%d "
        "retrieve_ms=%s generate_ms=%s total_ms=%s",
        question_id(state.question),
        answer.mode,
        answer.grounded,
        reason,
        answer.fallback,
        len(answer.citations),
        t.get("retrieve"),
        t.get("generate"),
        t.get("total"),
    )
