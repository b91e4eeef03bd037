"""The Telegram bot: python-telegram-bot v22 handlers over the one answer chain."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import re
import time
import traceback
from collections.abc import Awaitable, Callable
from html import escape
from typing import Any, TypeVar
from urllib.parse import urlparse

from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.answer import Answer, Citation
from bot.chain import AnswerChain
from bot.feedback import FeedbackStore, load_secret
from bot.notice import NoticeError
from bot.ratelimit import RateLimiter
from bot.settings import Settings
from bot.tg import texts
from bot.tg.callbacks import CallbackSigner
from bot.tg.history import ChatHistory
from bot.tg.render import answer_keyboard, render_answer, render_clause, split_message

log = logging.getLogger("policybot.telegram")
T = TypeVar("T")
COMMANDS = (
    ("start", "开始使用，查看示例问题"),
    ("help", "怎么提问"),
    ("sources", "已收录的通知"),
    ("reset", "清空对话，重新开始"),
    ("about", "关于本助手"),
)


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Updates from different chats run concurrently; those of one chat run one at a time, in order."""

    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Await the update's handlers while holding its chat's lock."""
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        async with self._locks.setdefault(chat.id, asyncio.Lock()):
            await coroutine

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


def redact_token_in_logs(token: str) -> None:
    """Replace the bot token in every log record from now on (library logs print URLs that carry it)."""
    make_record = logging.getLogRecordFactory()

    def redacting(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record: leave it to logging's own error report
            return record
        if token and token in message:
            record.msg, record.args = message.replace(token, "<token>"), None
        return record

    logging.setLogRecordFactory(redacting)


class RedactingFormatter(logging.Formatter):
    """Formats log lines, tracebacks included, with the bot token replaced."""

    def __init__(self, token: str, fmt: str) -> None:
        super().__init__(fmt)
        self.token = token

    def format(self, record: logging.LogRecord) -> str:
        """The formatted line without the token."""
        text = super().format(record)
        return text.replace(self.token, "<token>") if self.token else text


async def with_retry(
    send: Callable[[], Awaitable[T]], deadline: float = 90.0, delay: float = 0.5, max_delay: float = 10.0
) -> T:
    """Call the Bot API, retrying network errors and flood waits with capped backoff until `deadline` seconds."""
    give_up = time.monotonic() + deadline
    attempt = 0
    while True:
        try:
            return await send()
        except (BadRequest, Forbidden):
            raise
        except RetryAfter as exc:
            error: TelegramError = exc
            wait = exc.retry_after if isinstance(exc.retry_after, int | float) else exc.retry_after.total_seconds()
        except NetworkError as exc:  # 502 Bad Gateway, timeouts, refused connections
            error, wait = exc, min(max_delay, delay * 2**attempt)
            log.warning("Bot API call failed (%s), retrying in %.1f s", type(exc).__name__, wait)
        attempt += 1
        if time.monotonic() + float(wait) > give_up:
            raise error
        await asyncio.sleep(float(wait))


class PolicyBot:
    """Handlers and per-chat state; one instance per running bot."""

    send_deadline = 90.0  # seconds a reply keeps being retried through a Bot API outage
    retry_delay = 0.5  # the first backoff; it doubles up to 10 s

    def __init__(self, chain: AnswerChain, settings: Settings, store: FeedbackStore) -> None:
        self.chain = chain
        self.settings = settings
        self.store = store
        self.signer = CallbackSigner(load_secret(settings.data_dir, "telegram-button-secret").encode())
        self.history = ChatHistory(settings.telegram_history_turns, settings.telegram_history_idle_minutes * 60)
        self.limiter = RateLimiter(settings.telegram_rate_limit)

    # -- helpers ---------------------------------------------------------------------------------

    def sources(self) -> list[dict[str, Any]]:
        """The indexed notices."""
        return self.chain.corpus.sources()

    def examples(self) -> list[str]:
        """Example questions for the indexed notices."""
        return self.chain.corpus.examples()

    def help_text(self) -> str:
        """How to ask, with an example question from the indexed notices."""
        examples = self.examples()
        return texts.HELP.format(example=examples[0] if examples else "三支一扶招多少人？")

    def clause_text(self, citation: Citation) -> str:
        """The full text of a cited clause, from the active index."""
        return self.chain.corpus.clause_text(citation.doc, citation.clause) or citation.quote

    async def call(self, send: Callable[[], Awaitable[T]]) -> T:
        """A Bot API call, retried through an outage of up to `send_deadline` seconds."""
        return await with_retry(send, deadline=self.send_deadline, delay=self.retry_delay)

    async def send(self, message: Message, html: str, markup: InlineKeyboardMarkup | None = None) -> Message:
        """Reply with HTML, split at Telegram's limit; the buttons go under the last part."""
        parts = split_message(html)
        sent = message
        for n, part in enumerate(parts, start=1):
            keyboard = markup if n == len(parts) else None
            sent = await self.call(
                lambda part=part, keyboard=keyboard: message.reply_text(  # type: ignore[misc]
                    part, parse_mode=ParseMode.HTML, reply_markup=keyboard, do_quote=False
                )
            )
        return sent

    def is_admin(self, update: Update) -> bool:
        """Whether the sender may use the admin commands."""
        return bool(update.effective_user and update.effective_user.id in self.settings.admin_ids)

    def addressed(self, update: Update, bot_username: str, bot_id: int) -> str | None:
        """The question when the message is for the bot: any in private; in groups when mentioned or replied to."""
        message = update.effective_message
        if message is None or message.text is None:
            return None
        text = message.text
        if message.chat.type == ChatType.PRIVATE:
            return text
        mention = f"@{bot_username}"
        if bot_username and mention.lower() in text.lower():
            return re.sub(re.escape(mention), " ", text, flags=re.I).strip()
        replied = message.reply_to_message
        if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
            return text
        return None

    # -- commands --------------------------------------------------------------------------------

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Welcome, with example questions as buttons."""
        if update.effective_message is None:
            return
        sources = await asyncio.to_thread(self.sources)
        buttons = InlineKeyboardMarkup(
            [[InlineKeyboardButton(q, callback_data=f"ask:{n}")] for n, q in enumerate(self.examples())]
        )
        await self.send(update.effective_message, texts.welcome(sources), buttons)

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """How to ask."""
        if update.effective_message:
            await self.send(update.effective_message, escape(self.help_text()))

    async def about(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """What the bot is."""
        if update.effective_message:
            await self.send(update.effective_message, escape(texts.ABOUT))

    async def list_sources(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The notices, with doc numbers and years."""
        if update.effective_message:
            await self.send(update.effective_message, texts.sources_text(await asyncio.to_thread(self.sources)))

    async def reset(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Forget this chat's history."""
        if update.effective_chat and update.effective_message:
            self.history.reset(update.effective_chat.id)
            await self.send(update.effective_message, escape(texts.RESET))

    async def admin_only(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Tell a non-admin that a command is for admins only."""
        if update.effective_message:
            await self.send(update.effective_message, escape(texts.ADMIN_ONLY))

    async def unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A command the bot does not have gets the help text (in groups only when addressed to this bot)."""
        message = update.effective_message
        if message is None or message.text is None:
            return
        command, _, target = message.text.split()[0].partition("@")
        if message.chat.type != ChatType.PRIVATE and target.lower() != (context.bot.username or "").lower():
            return  # meant for another bot in the group
        await self.send(message, escape(texts.UNKNOWN_COMMAND.format(command=command[:32]) + "\n" + self.help_text()))

    async def stats(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Usage figures, for admins only."""
        if not self.is_admin(update):
            await self.admin_only(update, context)
            return
        if update.effective_message:
            await self.send(update.effective_message, texts.stats_text(await asyncio.to_thread(self.store.stats)))

    async def reindex(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Re-ingest the knowledge folder, for admins only."""
        if not self.is_admin(update):
            await self.admin_only(update, context)
            return
        if update.effective_message is None:
            return
        try:
            report = await asyncio.to_thread(self.chain.corpus.ingest)
        except (NoticeError, OSError, ValueError) as exc:  # the previous index keeps answering
            first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            await self.send(update.effective_message, escape(f"索引未更新，仍使用原索引：{first_line}"))
            return
        n = report.notices
        await self.send(
            update.effective_message,
            escape(f"索引已更新：新增 {n.added}，更新 {n.updated}，删除 {n.removed}，未变 {n.unchanged} 份通知。"),
        )

    # -- questions -------------------------------------------------------------------------------

    async def question(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer a text message addressed to the bot."""
        text = self.addressed(update, context.bot.username or "", context.bot.id)
        if text is None or update.effective_message is None or update.effective_chat is None:
            return
        await self.answer(update.effective_message, update, context, text)

    async def answer(self, message: Message, update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
        """Rate-limit, cut, answer with the chain (streaming in llm mode), reply, remember."""
        user_id = update.effective_user.id if update.effective_user else 0
        chat = message.chat
        wait = self.limiter.wait(user_id)
        if wait > 0:
            await self.send(message, escape(texts.RATE_LIMITED.format(seconds=max(1, round(wait)))))
            return
        text = text.strip()
        if not text:
            await self.send(message, escape(self.help_text()))
            return
        limit = self.chain.corpus.max_question_chars
        cut = len(text) > limit
        text = text[:limit]
        history = self.history.get(chat.id)
        with contextlib.suppress(TelegramError):  # only a courtesy: never hold the answer for it
            await context.bot.send_chat_action(chat.id, ChatAction.TYPING)
        started = time.perf_counter()
        if self.chain.mode == "llm":
            answer, streamed = await self._stream(message, text, history)
        else:
            answer, streamed = await self.chain.aanswer(text, history=history), None
        latency = (time.perf_counter() - started) * 1000
        answer_id = await asyncio.to_thread(self.store.record, answer, history, chat.type, user_id, latency)
        html = render_answer(answer)
        if cut:
            html = escape(texts.CUT_NOTE.format(n=limit)) + "\n\n" + html
        keyboard = answer_keyboard(
            answer_id, len(answer.citations), lambda kind, a, n: self.signer.sign(kind, a, n, chat.id)
        )
        parts = split_message(html)
        if streamed is not None and len(parts) == 1:
            await self.call(lambda: streamed.edit_text(parts[0], parse_mode=ParseMode.HTML, reply_markup=keyboard))
        else:
            await self.send(message, html, keyboard)
        self.history.add(chat.id, text)

    async def _stream(self, message: Message, text: str, history: list[str]) -> tuple[Answer, Message | None]:
        """Stream an llm answer by editing one message, no faster than Telegram accepts."""
        shown, sent, last = "", None, 0.0
        async for piece in self.chain.astream(text, history=history):
            if isinstance(piece, Answer):  # the stream always ends with the checked Answer
                return piece, sent
            shown += piece
            now = time.monotonic()
            if now - last >= self.settings.telegram_edit_interval and shown.strip():
                preview = escape(shown[:3500]) + " …"
                if sent is None:
                    sent = await self.call(lambda text=preview: message.reply_text(text, do_quote=False))  # type: ignore[misc]
                else:
                    with contextlib.suppress(BadRequest):  # "message is not modified": the next edit catches up
                        await sent.edit_text(preview)
                last = now
        raise RuntimeError("the answer stream ended without an Answer")

    async def other_input(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Photos, stickers, voice and files: ask for text (in groups only when addressed)."""
        message = update.effective_message
        if message is None or message.chat.type != ChatType.PRIVATE:
            return
        await self.send(message, escape(texts.MEDIA_ONLY_TEXT))

    # -- buttons ---------------------------------------------------------------------------------

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Example questions, 原文 [n] and 👍/👎 (answer buttons only when signed for this chat)."""
        query = update.callback_query
        if query is None or query.data is None:
            return
        message = query.message if isinstance(query.message, Message) else None
        kind, _, rest = query.data.partition(":")
        examples = self.examples()
        if kind == "ask" and message is not None and rest in {str(n) for n in range(len(examples))}:
            await self.call(lambda: query.answer())
            await self.answer(message, update, context, examples[int(rest)])
            return
        press = self.signer.verify(query.data, query.message.chat.id if query.message else None)
        stored = await asyncio.to_thread(self.store.get, press.answer_id) if press else None
        if press is None or stored is None:  # forged, from another chat, or from a store that was reset
            await self.call(lambda: query.answer(texts.GONE))
            return
        if press.kind == "src" and press.number <= len(stored["citations"]) and message:
            citation = Citation.model_validate(stored["citations"][press.number - 1])
            await self.call(lambda: query.answer())
            text = await asyncio.to_thread(self.clause_text, citation)
            await self.send(message, render_clause(citation, text, press.number))
        elif press.kind == "fb":
            if stored["user_hash"] != self.store.user_hash(query.from_user.id):  # in groups: only the asker votes
                await self.call(lambda: query.answer(texts.NOT_YOURS))
                return
            await asyncio.to_thread(self.store.vote, press.answer_id, press.number)
            await self.call(lambda: query.answer(texts.THANKS))
        else:
            await self.call(lambda: query.answer())

    # -- errors ----------------------------------------------------------------------------------

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the failure with its update id and traceback (without the token); apologise to the student."""
        update_id = update.update_id if isinstance(update, Update) else None
        error = context.error
        trace = "".join(traceback.format_exception(error)) if error else "no exception"
        token = context.bot.token
        log.error("update %s failed (not answered): %s", update_id, trace.replace(token, "<token>").rstrip())
        if isinstance(update, Update) and update.effective_message is not None:
            try:
                await update.effective_message.reply_text(texts.APOLOGY, do_quote=False)
            except TelegramError as exc:  # the Bot API is unreachable too: the next update will get through
                log.warning("update %s: could not send the apology either (%s)", update_id, type(exc).__name__)

    # -- wiring ----------------------------------------------------------------------------------

    def register(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Add every handler to an application; edited messages are ignored (a question is answered once)."""
        new = filters.UpdateType.MESSAGE  # not edits, not channel posts
        for name, handler in (
            ("start", self.start),
            ("help", self.help),
            ("about", self.about),
            ("sources", self.list_sources),
            ("reset", self.reset),
            ("stats", self.stats),
            ("reindex", self.reindex),
        ):
            app.add_handler(CommandHandler(name, handler, filters=new))
        app.add_handler(MessageHandler(new & filters.COMMAND, self.unknown_command))
        app.add_handler(CallbackQueryHandler(self.button))
        app.add_handler(MessageHandler(new & filters.TEXT & ~filters.COMMAND, self.question))
        media = (
            filters.PHOTO | filters.Sticker.ALL | filters.VOICE | filters.AUDIO | filters.VIDEO | filters.Document.ALL
        )
        app.add_handler(
            MessageHandler(new & (media | filters.VIDEO_NOTE | filters.LOCATION | filters.CONTACT), self.other_input)
        )
        app.add_error_handler(self.on_error)

    async def post_init(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Register the command menu and warm the chain before the first question."""
        await self.call(lambda: app.bot.set_my_commands([BotCommand(c, d) for c, d in COMMANDS]))
        await asyncio.to_thread(self.chain.answer, "预热")


def build_application(
    bot: PolicyBot, token: str, base_url: str, timeout: float = 15.0
) -> Application[Any, Any, Any, Any, Any, Any]:
    """A python-telegram-bot Application for a PolicyBot, talking to the Bot API at base_url."""
    app = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .base_file_url(base_url.replace("/bot", "/file/bot"))
        .concurrent_updates(PerChatUpdateProcessor())
        .post_init(bot.post_init)
        .connect_timeout(timeout)
        .read_timeout(timeout)
        .write_timeout(timeout)
        .pool_timeout(timeout)
        .get_updates_read_timeout(35)
        .build()
    )
    bot.register(app)
    return app


def make_bot(chain: AnswerChain) -> PolicyBot:
    """A PolicyBot over a chain, with the feedback store from settings."""
    return PolicyBot(chain, chain.settings, FeedbackStore.from_settings(chain.settings))


def run(chain: AnswerChain) -> None:
    """Run the bot until interrupted: long polling, or a webhook when TELEGRAM_WEBHOOK_URL is set."""
    settings = chain.settings
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set (get one from @BotFather)")
    token = settings.telegram_bot_token.get_secret_value()
    redact_token_in_logs(token)
    logging.basicConfig(level=logging.INFO)
    for handler in logging.getLogger().handlers:  # tracebacks are formatted late: redact the final text too
        handler.setFormatter(RedactingFormatter(token, "%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger("httpx").setLevel(logging.WARNING)
    app = build_application(make_bot(chain), token, settings.telegram_base_url)
    if settings.telegram_webhook_url:
        app.run_webhook(**webhook_options(settings, token))
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES)


def webhook_options(settings: Settings, token: str) -> dict[str, Any]:
    """How the webhook server listens: the path of TELEGRAM_WEBHOOK_URL, a secret Telegram echoes back."""
    url = settings.telegram_webhook_url or ""
    return {
        "listen": "0.0.0.0",
        "port": settings.telegram_webhook_port,
        "url_path": urlparse(url).path.strip("/") or "telegram",
        "webhook_url": url,
        "secret_token": webhook_secret(token),
        "allowed_updates": Update.ALL_TYPES,
    }


def webhook_secret(token: str) -> str:
    """A webhook secret derived from the token, so Telegram's posts can be told from others'."""
    return hashlib.sha256(token.encode()).hexdigest()[:32]
