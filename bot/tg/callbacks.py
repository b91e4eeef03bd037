"""Button data signed for the chat it was sent to, so a pressed button can be trusted (and a forged one ignored)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

# kind:answer id:number:signature; ids are bounded so no forged number can overflow SQLite's integers
_DATA = re.compile(r"(src|fb):([1-9][0-9]{0,17}):(-1|[1-9][0-9]?):([A-Za-z0-9_-]{16})")


@dataclass(frozen=True)
class Press:
    """A verified press: 原文 [number] (kind "src") or a vote of 1 / -1 (kind "fb") on a stored answer."""

    kind: str
    answer_id: int
    number: int


class CallbackSigner:
    """Signs answer buttons with an HMAC over their data and the chat they were sent to."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _signature(self, body: str, chat_id: int) -> str:
        """16 characters of an HMAC-SHA256 over the data and the chat (96 bits)."""
        digest = hmac.new(self._secret, f"{chat_id}|{body}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:12]).decode()

    def sign(self, kind: str, answer_id: int, number: int, chat_id: int) -> str:
        """Callback data for a button under answer `answer_id` in chat `chat_id` (at most 44 bytes)."""
        body = f"{kind}:{answer_id}:{number}"
        return f"{body}:{self._signature(body, chat_id)}"

    def verify(self, data: str, chat_id: int | None) -> Press | None:
        """The press when the data is well formed and was signed for this chat; else None."""
        match = _DATA.fullmatch(data)
        if match is None or chat_id is None:
            return None
        kind, answer_id, number, signature = match.groups()
        body = f"{kind}:{answer_id}:{number}"
        if not hmac.compare_digest(signature, self._signature(body, chat_id)):
            return None
        if kind == "fb" and number not in ("1", "-1"):
            return None
        if kind == "src" and number == "-1":
            return None
        return Press(kind, int(answer_id), int(number))
