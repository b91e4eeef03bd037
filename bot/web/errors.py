"""Errors as JSON in OpenAI's shape, `{"error": {"message", "type", "code"}}`, with the right status, no traceback."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from bot.store import IndexNotReady

log = logging.getLogger("policybot.web")

TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    405: "invalid_request_error",
    413: "invalid_request_error",
    422: "invalid_request_error",
    429: "rate_limit_error",
    503: "service_unavailable",
}


def error_body(status: int, message: str, code: str | None = None) -> dict[str, Any]:
    """The JSON body of an error response."""
    return {"error": {"message": message, "type": TYPES.get(status, "server_error"), "code": code}}


def error_response(
    status: int, message: str, code: str | None = None, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """An error as a JSON response."""
    return JSONResponse(error_body(status, message, code), status_code=status, headers=dict(headers or {}))


def _validation_message(exc: RequestValidationError) -> tuple[int, str]:
    """One readable line for a request that failed validation, and its status (400 for unreadable JSON)."""
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return 400, "the request body is not valid JSON"
    parts = []
    for e in errors[:3]:
        where = ".".join(str(p) for p in e.get("loc", ()) if p != "body")
        parts.append(f"{where}: {e.get('msg', 'invalid')}" if where else str(e.get("msg", "invalid")))
    return 422, "; ".join(parts) or "invalid request"


def install_error_handlers(app: FastAPI) -> None:
    """Make every error a JSON response: HTTP errors, invalid requests, a missing index, anything else."""

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        """404, 405, 401, 429 and the others raised by the routes."""
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        return error_response(exc.status_code, message, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        """A body or parameter that does not fit the schema."""
        status, message = _validation_message(exc)
        return error_response(status, message)

    @app.exception_handler(IndexNotReady)
    async def no_index(request: Request, exc: IndexNotReady) -> JSONResponse:
        """The index is missing or was built with another model."""
        return error_response(503, str(exc).splitlines()[0] if str(exc) else "the index is not ready")

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        """Log the traceback on the server; tell the client only that it failed."""
        log.exception("%s %s failed", request.method, request.url.path)
        return error_response(500, "internal error: the server could not answer this request")
