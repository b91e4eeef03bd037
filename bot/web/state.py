"""What the routes share (the chain, the asker, the keys, the rate limiter) and the dependencies that check access."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from bot.chain import AnswerChain
from bot.ratelimit import RateLimiter
from bot.settings import Settings
from bot.web.guard import Client, key_matches
from bot.web.questions import Asker

bearer = HTTPBearer(auto_error=False, description="One of POLICYBOT_API_KEYS, when they are set.")


@dataclass
class WebState:
    """One per app: the answer chain, the asker that records answers, the API keys and the rate limiter."""

    chain: AnswerChain
    asker: Asker
    keys: list[str]
    limiter: RateLimiter

    @property
    def settings(self) -> Settings:
        """The settings the chain runs with."""
        return self.chain.settings

    def admit(self, client: Client) -> None:
        """Count a question against the client's rate limit; 429 with Retry-After when it is over."""
        wait = self.limiter.wait(client.id)
        if wait > 0:
            seconds = max(1, round(wait))
            raise HTTPException(
                429, f"too many questions: try again in {seconds} s", headers={"Retry-After": str(seconds)}
            )


def web_state(request: Request) -> WebState:
    """The app's shared state."""
    state: WebState = request.app.state.web
    return state


Web = Annotated[WebState, Depends(web_state)]


def api_key(web: Web, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> str | None:
    """The caller's valid API key; 401 when keys are configured and none of them was sent."""
    if not web.keys:
        return None
    if credentials is None or not key_matches(credentials.credentials, web.keys):
        raise HTTPException(
            401, "a valid API key is required: send `Authorization: Bearer KEY`", headers={"WWW-Authenticate": "Bearer"}
        )
    return credentials.credentials


Key = Annotated[str | None, Depends(api_key)]


def client_of(request: Request, key: str | None, user: str | None = None) -> Client:
    """The client a request counts against (the address is the proxy's X-Forwarded-For when uvicorn trusts it)."""
    return Client.of(request.client.host if request.client else None, key, user)
