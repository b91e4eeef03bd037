"""Per-chat question history for follow-ups: the last N questions, forgotten after an idle time."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class ChatHistory:
    """Remembers each chat's recent questions."""

    turns: int = 4
    idle_seconds: float = 1800.0
    clock: Callable[[], float] = time.monotonic
    _chats: dict[int, tuple[float, list[str]]] = field(default_factory=dict)

    def get(self, chat_id: int) -> list[str]:
        """The chat's earlier questions, oldest first (none after the idle time)."""
        seen, questions = self._chats.get(chat_id, (0.0, []))
        if self.clock() - seen > self.idle_seconds:
            self._chats.pop(chat_id, None)
            return []
        return list(questions)

    def add(self, chat_id: int, question: str) -> None:
        """Remember a question, keeping the last `turns`."""
        questions = [*self.get(chat_id), question][-self.turns :]
        self._chats[chat_id] = (self.clock(), questions)

    def reset(self, chat_id: int) -> None:
        """Forget a chat's history."""
        self._chats.pop(chat_id, None)
