"""Server-sent events: the framing shared by the page's stream and the OpenAI-compatible stream."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi.responses import StreamingResponse

HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}  # nginx: pass each event on at once


def event(data: Any, name: str | None = None) -> str:
    """One event: an optional name and a line of JSON (or a bare string such as [DONE])."""
    payload = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    return (f"event: {name}\n" if name else "") + f"data: {payload}\n\n"


def event_stream(events: AsyncIterator[str]) -> StreamingResponse:
    """A text/event-stream response that neither the server nor a proxy buffers."""
    return StreamingResponse(events, media_type="text/event-stream", headers=HEADERS)
