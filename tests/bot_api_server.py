"""A fake Telegram Bot API server on 127.0.0.1 for end-to-end tests of the real python-telegram-bot client."""

from __future__ import annotations

import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs

from tests.local_server import LocalServer, reply_json

BOT_USER = {"id": 4242, "is_bot": True, "first_name": "policybot", "username": "policy_test_bot"}


def _decode(raw: bytes, content_type: str) -> dict[str, Any]:
    """Bot API parameters from a JSON or form-encoded body (python-telegram-bot JSON-encodes each value)."""
    if not raw:
        return {}
    if "json" in content_type:
        return dict(json.loads(raw))
    params: dict[str, Any] = {}
    for key, values in parse_qs(raw.decode(), keep_blank_values=True).items():
        try:
            params[key] = json.loads(values[0])
        except json.JSONDecodeError:
            params[key] = values[0]
    return params


class FakeBotAPI(LocalServer):
    """Queues updates for getUpdates, records every call, and can fail for a while."""

    def __init__(self, token: str = "123456:TEST-token-abc") -> None:
        self.token = token
        self.calls: list[tuple[float, str, dict[str, Any]]] = []
        self.updates: list[dict[str, Any]] = []
        self.failing_until = 0.0
        self.fail_mode = "error"
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._cond = threading.Condition()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                prefix = f"/bot{outer.token}/"
                if not self.path.startswith(prefix):
                    reply_json(self, 404, {"ok": False, "error_code": 404, "description": "Not Found"})
                    return
                method = self.path[len(prefix) :]
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                params = _decode(raw, self.headers.get("Content-Type", ""))
                if time.monotonic() < outer.failing_until:
                    if outer.fail_mode == "timeout":
                        time.sleep(2.5)
                        self.close_connection = True
                        return
                    reply_json(self, 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"})
                    return
                result = outer.handle(method, params)
                reply_json(self, 200, {"ok": True, "result": result})

        super().__init__(Handler)

    @property
    def base_url(self) -> str:
        """What TELEGRAM_BASE_URL is set to (python-telegram-bot appends the token)."""
        return f"{self.origin}/bot"

    def __exit__(self, *exc: object) -> None:
        with self._cond:
            self._cond.notify_all()
        super().__exit__(*exc)

    # -- the Bot API ---------------------------------------------------------------------------

    def handle(self, method: str, params: dict[str, Any]) -> Any:
        """The result of one Bot API method."""
        if method == "getUpdates":
            return self._get_updates(params)
        self.calls.append((time.monotonic(), method, params))
        if method == "getMe":
            return BOT_USER
        if method in ("sendMessage", "editMessageText"):
            chat_id = int(params["chat_id"])
            message = {
                "message_id": int(params.get("message_id") or next(self._message_ids)),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
                "from": BOT_USER,
                "text": params.get("text", ""),
            }
            if params.get("reply_markup"):
                message["reply_markup"] = params["reply_markup"]
            return message
        return True  # sendChatAction, answerCallbackQuery, setMyCommands, deleteWebhook, ...

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Long polling: updates from `offset` on, waiting up to `timeout` seconds for one."""
        offset = int(params.get("offset") or 0)
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), 2.0)
        with self._cond:
            while True:
                pending = [u for u in self.updates if u["update_id"] >= offset]
                if pending or time.monotonic() >= deadline:
                    return pending[:100]
                self._cond.wait(timeout=max(0.0, deadline - time.monotonic()))

    # -- what a test does ----------------------------------------------------------------------

    def push(self, update: dict[str, Any]) -> int:
        """Queue an update; return its id."""
        with self._cond:
            update["update_id"] = next(self._update_ids)
            self.updates.append(update)
            self._cond.notify_all()
        return int(update["update_id"])

    def message(self, chat_id: int, text: str | None = None, user_id: int | None = None, **extra: Any) -> int:
        """Queue a message from a user (private chat when chat_id > 0, group otherwise)."""
        chat = {"id": chat_id, "type": "private" if chat_id > 0 else "group", "title": "g" if chat_id < 0 else None}
        user = {"id": user_id or abs(chat_id), "is_bot": False, "first_name": "学生"}
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {k: v for k, v in chat.items() if v is not None},
            "from": user,
            **extra,
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return self.push({"message": message})

    def press(self, chat_id: int, data: str, user_id: int | None = None) -> int:
        """Queue a press on an inline button with this callback data."""
        user = {"id": user_id or abs(chat_id), "is_bot": False, "first_name": "学生"}
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": BOT_USER,
            "text": "…",
        }
        return self.push({"callback_query": {"id": str(time.time_ns()), "from": user, "chat_instance": "ci",
                                             "message": message, "data": data}})  # fmt: skip

    def fail_for(self, seconds: float, mode: str = "error") -> None:
        """Answer every call with 502 Bad Gateway ('error') or by hanging up ('timeout') for a while."""
        self.fail_mode = mode
        self.failing_until = time.monotonic() + seconds

    def sent(self, chat_id: int, method: str = "sendMessage") -> list[dict[str, Any]]:
        """What the bot sent to a chat with a method, in order."""
        return [p for _, m, p in self.calls if m == method and int(p.get("chat_id", 0)) == chat_id]

    def wait_for(self, predicate: Any, timeout: float = 30.0) -> None:
        """Block until predicate() is true, or fail."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.02)
        raise AssertionError("timed out waiting for the bot")
