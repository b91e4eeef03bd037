"""A local OpenAI-compatible embeddings server with cheap deterministic vectors, for benchmarks.

Each text becomes feature-hashed character 1–2-grams (whitespace dropped) in 384 dimensions, L2-normalised:
texts sharing characters and pairs of characters are near, so dense retrieval still means something, and
embedding costs microseconds instead of a model's milliseconds. Serves `POST /v1/embeddings` (input: a
string, a list of strings, a token list or a list of token lists; `encoding_format` float or base64, as
the `openai` client sends by default) and `GET /v1/models`.

Run alone: `python -m eval.scale.embed_server --port 8765`, then point policybot at it with
`POLICYBOT_EMBEDDINGS=openai OPENAI_BASE_URL=http://127.0.0.1:8765/v1 OPENAI_API_KEY=x`.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import threading
import time
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

import numpy as np

DIMENSIONS = 384
MODEL = "policybot-bench-hash-ngrams"
_K1, _K2, _K3, _MIX = (
    np.uint64(k) for k in (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xFF51AFD7ED558CCD)
)


def _codes(item: str | Sequence[int]) -> np.ndarray:
    """The text's characters (whitespace dropped) or the tokens, as unsigned integers."""
    if isinstance(item, str):
        text = "".join(item.split())
        return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    return np.asarray(list(item), dtype=np.int64).astype(np.uint64)


def embed(item: str | Sequence[int], dimensions: int = DIMENSIONS) -> np.ndarray:
    """The unit vector of one text (or token list): signed feature hashing of its 1- and 2-grams."""
    codes = _codes(item)
    with np.errstate(over="ignore"):
        grams = np.concatenate([codes * _K1, (codes[:-1] * _K2) ^ (codes[1:] * _K3)])
        grams ^= grams >> np.uint64(31)
        grams *= _MIX
        grams ^= grams >> np.uint64(29)
    slots = (grams % np.uint64(dimensions)).astype(np.int64)
    signs = np.where((grams >> np.uint64(63)) == 1, -1.0, 1.0)
    vector = np.bincount(slots, weights=signs, minlength=dimensions)
    norm = float(np.linalg.norm(vector))
    if norm == 0.0:  # empty text: a fixed unit vector rather than zeros
        vector[0], norm = 1.0, 1.0
    return (vector / norm).astype(np.float32)


def _inputs(raw: Any) -> list[str | list[int]]:
    """The request's `input` as a list of texts or token lists; ValueError when it is neither."""
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, list) and raw and all(isinstance(t, int) for t in raw):
        return [raw]
    if isinstance(raw, list) and raw and all(isinstance(t, str | list) for t in raw):
        for t in raw:
            if isinstance(t, list) and not all(isinstance(x, int) for x in t):
                raise ValueError("a token list must hold integers")
        return list(raw)
    raise ValueError("'input' must be a string, a list of strings, or token lists")


def response(body: dict[str, Any]) -> dict[str, Any]:
    """The OpenAI embeddings response for a request body (ValueError for a bad one)."""
    inputs = _inputs(body.get("input"))
    dimensions = int(body.get("dimensions") or DIMENSIONS)
    if not 1 <= dimensions <= 4096:
        raise ValueError("'dimensions' must be between 1 and 4096")
    as_base64 = body.get("encoding_format") == "base64"
    data = []
    tokens = 0
    for index, item in enumerate(inputs):
        vector = embed(item, dimensions)
        tokens += len(item)
        value: Any = base64.b64encode(vector.astype("<f4").tobytes()).decode() if as_base64 else vector.tolist()
        data.append({"object": "embedding", "index": index, "embedding": value})
    usage = {"prompt_tokens": tokens, "total_tokens": tokens}
    return {"object": "list", "data": data, "model": str(body.get("model") or MODEL), "usage": usage}


class EmbeddingsServer:
    """The server on 127.0.0.1 (a free port unless given), run from a background thread as a context manager.

    It counts the texts it embedded and the seconds it spent embedding them; with `record` it also keeps
    every text (to time a real model on exactly what an ingest embedded).
    """

    def __init__(self, port: int = 0, record: bool = False) -> None:
        self.texts = 0
        self.seconds = 0.0
        self.requests = 0
        self.recorded: list[str] = []
        self.record = record
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """What OPENAI_BASE_URL is set to: http://127.0.0.1:PORT/v1."""
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def _count(self, body: dict[str, Any], seconds: float) -> None:
        """Tally one answered request."""
        with self._lock:
            items = _inputs(body.get("input"))
            self.requests += 1
            self.texts += len(items)
            self.seconds += seconds
            if self.record:
                self.recorded += [t for t in items if isinstance(t, str)]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        """The request handler class, bound to this server's tallies."""
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                return

            def _reply(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _error(self, status: int, message: str) -> None:
                self._reply(status, {"error": {"message": message, "type": "invalid_request_error", "code": None}})

            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/models"):
                    model = {"id": MODEL, "object": "model", "owned_by": "policybot-bench"}
                    self._reply(200, {"object": "list", "data": [model]})
                else:
                    self._error(404, f"no route {self.path}")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if not self.path.rstrip("/").endswith("/embeddings"):
                    self._error(404, f"no route {self.path}")
                    return
                try:
                    body = json.loads(raw)
                    if not isinstance(body, dict):
                        raise ValueError("the body must be a JSON object")
                    started = time.perf_counter()
                    payload = response(body)
                    outer._count(body, time.perf_counter() - started)
                except ValueError as exc:
                    self._error(400, str(exc))
                    return
                self._reply(200, payload)

        return Handler

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def main() -> None:
    """Serve until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    args = parser.parse_args()
    with EmbeddingsServer(args.port) as server:
        print(f"OPENAI_BASE_URL={server.base_url}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            server.thread.join()


if __name__ == "__main__":
    main()
