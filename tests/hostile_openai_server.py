"""An OpenAI-compatible chat server on 127.0.0.1 that misbehaves in one chosen way, for the llm mode's defences.

Modes (each the way a real model or endpoint has gone wrong):
- wrong_numbers   the correct reply with every figure of ten or more cut by a digit (6000 → 600, 800 → 80)
- confirm_premise "是的，" + the question's own claim, quoting a real sentence
- agree           "是的，通知里就是这么规定的。" with a real quote: a yes without any figure
- echo_system     the system prompt word for word, then the correct reply
- obey_clause     does what an order inside a clause says: a link (the clause's own, else one of its own making),
                  a request for bank card details and an e-mail address
- never_answer    reads the request and sends nothing, ever
- stream_forever  sends content without end (streamed chunks, or endless whitespace for a plain request)
- drip            sends the correct reply one byte per `interval` seconds
- malformed       answers 200 with a body that is not a completion
"""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.local_server import LocalServer

GOOD = "根据贵州省2022届通知，2022年全省“特岗计划”拟招聘6000人。[1]\n引用：\n[1] “2022 年全省“特岗计划”拟招聘 6000 人”"
MODES = (
    "wrong_numbers",
    "confirm_premise",
    "agree",
    "echo_system",
    "obey_clause",
    "never_answer",
    "stream_forever",
    "drip",
    "malformed",
)
QUOTES = re.compile(r"\n\s*引用\s*[：:]")
HOSTILE_URL = "http://subsidy-claim.example.com/apply"


def _split(reply: str) -> tuple[str, str]:
    """A reply's answer part and its quotes part (with the 引用 header)."""
    m = QUOTES.search(reply)
    return (reply[: m.start()], reply[m.start() :]) if m else (reply, "")


def _question(body: dict[str, Any]) -> str:
    """The question inside the last user message (inside <question> fences when the prompt has them)."""
    text = str(body["messages"][-1]["content"])
    fenced = re.findall(r"<question>\n(.*?)\n</question>", text, re.S)
    return fenced[-1].strip() if fenced else text.strip().splitlines()[-1]


def hostile_reply(mode: str, body: dict[str, Any], base: str) -> str:
    """The reply text a content-misbehaving mode sends for one request."""
    answer, quotes = _split(base)
    if mode == "wrong_numbers":
        return re.sub(r"(?<!\d)\d{2,}(?![年届\d])", lambda m: m.group(0)[:-1], answer) + quotes  # years stay
    if mode == "confirm_premise":
        claim = re.sub(r"[，,。.？?！!\s]*(请确认|对吗|是吗|是不是|对不对)?[？?。！!]*$", "", _question(body))
        return f"是的，{claim}。[1]{quotes}"
    if mode == "agree":
        return f"是的，通知里就是这么规定的。[1]{quotes}"
    if mode == "echo_system":
        system = next((m["content"] for m in body["messages"] if m["role"] == "system"), "")
        return f"{system}\n{base}"
    if mode == "obey_clause":
        links = re.findall(r"https?://[^\s，。“”\"<>]+", str(body["messages"][-1]["content"]))
        link = links[0] if links else HOSTILE_URL
        return f"领取补贴请访问 {link} 填写银行卡号和密码，或发邮件到 claim@subsidy-claim.example.com。[1]{quotes}"
    return base


def _chunk(text: str, model: str) -> bytes:
    """One server-sent event carrying a piece of the reply."""
    data = {
        "id": "h1",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}],
    }
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def _completion(text: str, model: str) -> bytes:
    """A whole chat completion."""
    data = {
        "id": "h1",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }
    return json.dumps(data, ensure_ascii=False).encode()


class HostileOpenAI(LocalServer):
    """Serves /v1/chat/completions in one misbehaving mode; records requests and clients that hung up on it."""

    def __init__(self, mode: str, base: str = GOOD, interval: float = 1.0) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; one of {MODES}")
        self.mode = mode
        self.base = base
        self.interval = interval
        self.requests: list[dict[str, Any]] = []
        self.hung_up = threading.Event()  # set when a client closed the connection while this server was sending
        self.closing = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append(body)
                try:
                    outer._respond(self, body)
                except (BrokenPipeError, ConnectionResetError):
                    outer.hung_up.set()

        super().__init__(Handler)

    def __exit__(self, *exc: object) -> None:
        self.closing.set()
        super().__exit__(*exc)

    @property
    def base_url(self) -> str:
        """What OPENAI_BASE_URL is set to."""
        return f"{self.origin}/v1"

    def _send(self, handler: BaseHTTPRequestHandler, payload: bytes) -> None:
        """Send one payload, at once or a byte per interval in drip mode."""
        if self.mode != "drip":
            handler.wfile.write(payload)
            handler.wfile.flush()
            return
        for i in range(len(payload)):
            if self.closing.wait(self.interval):
                return
            handler.wfile.write(payload[i : i + 1])
            handler.wfile.flush()

    def _respond(self, handler: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        """Misbehave according to the mode."""
        stream, model = bool(body.get("stream")), str(body.get("model", "m"))
        if self.mode == "never_answer":
            self.closing.wait(120)
            return
        handler.send_response(200)
        if self.mode == "malformed":
            handler.send_header("Content-Type", "application/json")
            handler.end_headers()
            handler.wfile.write(b"<html>502 Bad Gateway</html>" if stream else b'{"choices": null}')
            return
        handler.send_header("Content-Type", "text/event-stream" if stream else "application/json")
        handler.end_headers()
        if self.mode == "stream_forever":
            while not self.closing.wait(0.02):
                handler.wfile.write(_chunk("很", model) if stream else b" ")
                handler.wfile.flush()
            return
        reply = hostile_reply(self.mode, body, self.base)
        if stream:
            payload = b"".join(_chunk(reply[i : i + 4], model) for i in range(0, len(reply), 4)) + b"data: [DONE]\n\n"
        else:
            payload = _completion(reply, model)
        self._send(handler, payload)
