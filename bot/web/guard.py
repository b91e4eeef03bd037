"""Who may ask and how often: API keys, the client a request comes from, a per-client rate limit."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from pydantic import SecretStr
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.web.errors import error_response


def parse_keys(keys: SecretStr | None) -> list[str]:
    """The configured API keys (comma-separated); empty when the API is open."""
    if keys is None:
        return []
    return [k.strip() for k in keys.get_secret_value().replace(";", ",").split(",") if k.strip()]


def key_matches(given: str, keys: list[str]) -> bool:
    """Whether a bearer token is one of the keys (compared in constant time)."""
    return any(hmac.compare_digest(given.encode(), key.encode()) for key in keys)


def _digest(text: str) -> str:
    """A short one-way digest (so keys and end-user ids are not kept as they came)."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Client:
    """Whom a request counts against: an API key (and the end user a bridge names), else an address."""

    id: str

    @classmethod
    def of(cls, host: str | None, key: str | None = None, user: str | None = None) -> Client:
        """The client behind a request; a bridge's `user` field counts only with a valid key."""
        if key:
            return cls(f"key:{_digest(key)}" + (f":{_digest(user)}" if user else ""))
        return cls(f"ip:{host or 'unknown'}")

    @property
    def number(self) -> int:
        """A stable number for the feedback store, which salts and hashes it again."""
        return int(hashlib.sha256(self.id.encode()).hexdigest()[:15], 16)


class BodyTooLarge(HTTPException):
    """A request body went past the limit while it was read (FastAPI passes HTTP errors on as they are)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes")


class BodyLimit:
    """ASGI middleware answering 413 to a body over `limit` bytes, whether it declares its length or not."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the declared length, then count what is read."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._reject(scope, receive, send)
            return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLarge:
            if not started:
                await self._reject(scope, receive, send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send the 413 error."""
        await error_response(413, BodyTooLarge(self.limit).detail)(scope, receive, send)
