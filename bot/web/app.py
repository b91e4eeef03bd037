"""The FastAPI app: the API routes, the chat page from package files, keys, limits, CORS, JSON errors."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from bot import __version__
from bot.chain import AnswerChain
from bot.feedback import FeedbackStore
from bot.ratelimit import RateLimiter
from bot.store import IndexNotReady
from bot.web import api, completions
from bot.web.errors import install_error_handlers
from bot.web.guard import BodyLimit, parse_keys
from bot.web.questions import Asker
from bot.web.state import WebState

log = logging.getLogger("policybot.web")
STATIC = Path(__file__).parent / "static"
PAGE_HEADERS = {  # the page loads nothing from elsewhere; it may be framed by a career office's site
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
DESCRIPTION = """Answers Chinese graduates' employment-policy questions from the official notices, citing the clause.

* `/v1/chat/completions`, `/v1/models`: OpenAI-compatible (model `policybot`); the answer object
  rides in the extra field `policybot`.
* `/api/*`: the answer object (CONTRACT.md §3), the notices, a clause's text, 👍/👎.
* When `POLICYBOT_API_KEYS` is set, questions, feedback and `/v1/models` need `Authorization: Bearer KEY`.
"""


class PageFiles(StaticFiles):
    """The page's files, with the page's security headers."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        """A file, with the headers."""
        response = super().file_response(*args, **kwargs)
        response.headers.update(PAGE_HEADERS)
        return response


def _origins(setting: str) -> list[str]:
    """The CORS origins from a comma-separated setting."""
    return [o.strip().rstrip("/") for o in setting.split(",") if o.strip()]


def create_app(chain: AnswerChain, store: FeedbackStore | None = None) -> FastAPI:
    """The app over a chain; answers and votes go to `store` (by default the one in the data dir)."""
    settings = chain.settings
    web = WebState(
        chain=chain,
        asker=Asker(chain, store or FeedbackStore.from_settings(settings)),
        keys=parse_keys(settings.api_keys),
        limiter=RateLimiter(settings.web_rate_limit),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        """Warm the chain (index, embeddings, retriever) before the first question."""
        try:
            await asyncio.to_thread(chain.answer, "预热")
        except IndexNotReady as exc:  # /healthz says so; questions get 503 until it is built
            log.warning("index not ready: %s", exc)
        yield

    app = FastAPIOffline(
        title="policybot",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        static_url="/docs/static",
    )
    app.state.web = web
    install_error_handlers(app)
    app.include_router(completions.router)
    app.include_router(api.router)

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        """The chat page."""
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8", headers=PAGE_HEADERS)

    app.mount("/static", PageFiles(directory=STATIC), name="static")

    origins = _origins(settings.web_cors_origins)
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
            max_age=600,
        )
    app.add_middleware(BodyLimit, limit=settings.web_max_body_bytes)
    return app


def serve(chain: AnswerChain, host: str, port: int) -> None:
    """Run the app with uvicorn until interrupted (X-Forwarded-For is trusted from FORWARDED_ALLOW_IPS).

    Raises OSError when the server could not start (the address is taken, say).
    """
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = uvicorn.Config(create_app(chain), host=host, port=port, proxy_headers=True, timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    # uvicorn exits when it cannot bind, and re-raises Ctrl+C once it has shut down gracefully
    with contextlib.suppress(SystemExit, KeyboardInterrupt):
        server.run()
    if not server.started:
        raise OSError(f"could not serve on {host}:{port} (is the address in use?)")
