"""Optional LLM judge: a language model rates each answer against its gold clauses (an extra column only)."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import HumanMessage

from bot.prompts import render
from eval.dataset import EvalItem
from eval.scorers import Score


def judge(model: Any, item: EvalItem, answer: dict[str, Any], gold_text: str) -> Score:
    """1 when the model calls the answer correct, 0 when wrong; None for unanswerable items or a failed call."""
    if not item.answerable:
        return Score(None, "not answerable")
    prompt = render("judge", gold=gold_text, question=item.question, answer=str(answer.get("answer", "")))
    try:
        reply = str(model.invoke([HumanMessage(prompt)]).content).strip()
    except Exception as exc:  # the judge is optional: a dead endpoint leaves the column empty
        return Score(None, f"judge unavailable ({type(exc).__name__})")
    verdict, _, why = reply.partition("\n")
    if verdict.strip().startswith("正确"):
        return Score(1.0, why.strip() or "correct")
    if verdict.strip().startswith("错误"):
        return Score(0.0, why.strip() or "wrong")
    return Score(None, f"unreadable verdict {verdict[:30]!r}")
