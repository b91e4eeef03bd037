"""The real python-telegram-bot Application against a fake Bot API server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import statistics
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from bot.chain import AnswerChain
from bot.feedback import FeedbackStore
from bot.tg.app import PolicyBot, build_application, redact_token_in_logs, webhook_options
from tests.bot_api_server import FakeBotAPI
from tests.openai_server import FakeOpenAI

pytestmark = [pytest.mark.slow, pytest.mark.integration]

ADMIN = 777


async def until(predicate: Callable[[], Any], timeout: float = 30.0) -> None:
    """Wait without blocking the bot's event loop."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("timed out waiting for the bot")


def answers(api: FakeBotAPI, chat_id: int) -> list[dict[str, Any]]:
    """Answer messages sent to a chat: those carrying the 👍/👎 buttons."""
    return [p for p in api.sent(chat_id) if "fb:" in json.dumps(p.get("reply_markup") or {})]


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for row in message["reply_markup"]["inline_keyboard"] for b in row]


@contextlib.asynccontextmanager
async def serving(bot: PolicyBot, timeout: float = 10.0) -> AsyncIterator[FakeBotAPI]:
    """The bot polling a fake Bot API server, in the current event loop."""
    with FakeBotAPI() as api:
        app = build_application(bot, api.token, api.base_url, timeout=timeout)
        async with app:
            await bot.post_init(app)
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0.0, timeout=1)
            try:
                yield api
            finally:
                await app.updater.stop()
                await app.stop()


def make_bot(services, tmp_path, mode: str = "extractive", **settings: Any) -> PolicyBot:
    settings = {"telegram_admin_ids": str(ADMIN), "telegram_rate_limit": 30, **settings}
    updated = services.settings.model_copy(update=settings)
    chain = AnswerChain(services.__class__(updated, embeddings=services.embeddings, index=services.index), mode=mode)
    return PolicyBot(chain, updated, FeedbackStore(tmp_path / "feedback.sqlite3", "test-salt"))


@pytest.fixture
async def running(real_services, tmp_path) -> AsyncIterator[tuple[FakeBotAPI, PolicyBot]]:
    bot = make_bot(real_services, tmp_path)
    async with serving(bot) as api:
        yield api, bot


@pytest.fixture
async def impatient(real_services, tmp_path) -> AsyncIterator[tuple[FakeBotAPI, PolicyBot]]:
    """The bot with 1.5 s Bot API timeouts, so a server that hangs for 2.5 s times it out."""
    bot = make_bot(real_services, tmp_path)
    async with serving(bot, timeout=1.5) as api:
        yield api, bot


async def test_a_student_session_start_question_follow_up_photo_source_and_feedback(running):
    api, bot = running
    assert any(m == "setMyCommands" for _, m, _ in api.calls)

    api.message(1, "/start")
    await until(lambda: api.sent(1))
    welcome = api.sent(1)[0]
    assert "我知道这些通知" in welcome["text"] and "黔教发〔2022〕5号" in welcome["text"]
    assert [b["callback_data"] for b in buttons(welcome)] == ["ask:0", "ask:1", "ask:2"]

    api.message(1, "贵州2022年特岗计划招多少人？")
    await until(lambda: answers(api, 1))
    first = answers(api, 1)[0]
    assert first["parse_mode"] == "HTML" and "6000" in first["text"]
    assert "[1] 贵州 2022届通知 二、6. · 黔教发〔2022〕5号" in first["text"]
    assert [b["text"] for b in buttons(first)][:1] == ["原文 [1]"] and "👎" in [b["text"] for b in buttons(first)]
    assert api.sent(1, "sendChatAction")[0]["action"] == "typing"

    api.message(1, "那三支一扶呢？")
    await until(lambda: len(answers(api, 1)) == 2)
    assert "800" in answers(api, 1)[1]["text"]

    before = len(api.sent(1))
    api.message(1, None, photo=[{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}])
    await until(lambda: len(api.sent(1)) > before)
    assert "只能回答文字提问" in api.sent(1)[-1]["text"]

    source = next(b for b in buttons(first) if b["text"] == "原文 [1]")["callback_data"]
    before = len(api.sent(1))
    api.press(1, source)
    await until(lambda: len(api.sent(1)) > before)
    clause = api.sent(1)[-1]["text"]
    assert clause.startswith(
        "<b>[1] 贵州 2022届通知 二、6.</b>\n《省教育厅关于做好2022届全省普通高校毕业生就业创业工作的通知》"
    )
    assert "黔教发〔2022〕5号 · 贵州省教育厅 · 2022-02-24" in clause
    assert "拟招聘 6000 人" in clause and "5500" in clause

    vote = next(b for b in buttons(first) if b["text"] == "👎")["callback_data"]
    api.press(1, vote)
    thanked = lambda: any(p.get("text") == "谢谢反馈！" for _, m, p in api.calls if m == "answerCallbackQuery")  # noqa: E731
    await until(lambda: bot.store.stats()["thumbs_down"] == 1 and thanked())  # the vote is stored, then answered
    assert bot.store.stats()["thumbs_down"] == 1 and thanked()


async def test_the_bot_recovers_after_the_bot_api_fails_for_a_while(impatient, caplog):
    api, _ = impatient
    redact_token_in_logs(api.token)
    caplog.set_level(logging.INFO)
    for mode in ("error", "timeout"):
        chat = 10 if mode == "error" else 11
        api.fail_for(2.0, mode)
        api.message(chat, "2022年就业促进周什么时候举办？")
        await until(lambda chat=chat: answers(api, chat), timeout=60)
        assert "5月9日" in answers(api, chat)[0]["text"].replace(" ", "")
        assert len(answers(api, chat)) == 1
    assert api.token not in caplog.text


async def test_groups_are_answered_only_when_the_bot_is_addressed(running):
    api, _ = running
    api.message(-5, "贵州2022年特岗计划招多少人？", user_id=50)
    api.message(-5, "@policy_test_bot 贵州2022年特岗计划招多少人？", user_id=50)
    api.message(-5, "2022年就业促进周什么时候举办？", user_id=51)
    api.message(-5, "@policy_test_bot 2022年就业促进周什么时候举办？", user_id=51)
    # a chat's updates are handled one at a time, in order: once the last one is answered, the others were handled
    await until(lambda: any("5月9日" in a["text"].replace(" ", "") for a in answers(api, -5)))
    replies = answers(api, -5)
    assert len(replies) == 2 and "6000" in replies[0]["text"] and "5月9日" in replies[1]["text"].replace(" ", "")


async def test_admin_commands_are_for_admins_only(running):
    api, _ = running
    api.message(20, "/stats", user_id=20)
    api.message(21, "/stats", user_id=ADMIN)
    await until(lambda: api.sent(20) and api.sent(21))
    assert api.sent(20)[0]["text"] == "这个命令仅供管理员使用。"
    assert "问题数" in api.sent(21)[0]["text"]


async def test_a_long_message_is_cut_with_a_note_and_a_fast_asker_is_asked_to_wait(running):
    api, bot = running
    api.message(30, "贵州2022年特岗计划招多少人？" + "请详细说明。" * 200)
    await until(lambda: answers(api, 30))
    assert "只读取了前 500 个字" in answers(api, 30)[0]["text"]
    bot.limiter.limit = 1
    api.message(31, "贵州2022年特岗计划招多少人？")
    api.message(31, "那三支一扶呢？")
    await until(lambda: len(api.sent(31)) == 2)
    assert "请" in api.sent(31)[1]["text"] and "秒后再试" in api.sent(31)[1]["text"]


async def test_load_200_questions_from_50_chats_each_answered_once_in_order(running, capsys):
    api, _ = running
    questions = {
        "贵州2022年特岗计划招多少人？": "6000",
        "2024届通知对校级就业工作人员配备比例有什么要求？": "500:1",
        "2022年就业促进周什么时候举办？": "5月9日",
        "贵州宏志助航计划的培训任务是多少人？": "9000",
    }
    order = list(questions)
    pushed: dict[tuple[int, int], float] = {}
    for n in range(4):
        for chat in range(100, 150):
            question = order[(chat + n) % 4]
            pushed[(chat, n)] = time.monotonic()
            api.message(chat, question)
    for chat in range(100, 150):  # a last message per chat: when its reply arrives, the chat's questions were handled
        api.message(chat, "/help")
    await until(
        lambda: all(api.sent(c) and "直接发送你的问题" in api.sent(c)[-1]["text"] for c in range(100, 150)), 180
    )
    latencies = []
    for chat in range(100, 150):
        replies = answers(api, chat)
        assert len(replies) == 4, chat
        for n, reply in enumerate(replies):
            assert questions[order[(chat + n) % 4]] in reply["text"].replace(" ", ""), (chat, n)
    sent_at = [(t, int(p["chat_id"])) for t, m, p in api.calls if m == "sendMessage" and "fb:" in json.dumps(p)]
    for chat in range(100, 150):
        times = [t for t, c in sent_at if c == chat]
        latencies += [(t - pushed[(chat, n)]) * 1000 for n, t in enumerate(times)]
    latencies.sort()
    with capsys.disabled():
        print(
            f"\nload: 200 questions / 50 chats: p50 {statistics.median(latencies):.0f} ms, "
            f"p95 {latencies[int(0.95 * len(latencies)) - 1]:.0f} ms, max {latencies[-1]:.0f} ms"
        )


async def test_in_llm_mode_the_reply_streams_by_editing_one_message(real_services, tmp_path):
    reply = "根据贵州省2022届通知，2022年全省“特岗计划”拟招聘6000人，这是全省统一招聘的计划数。[1]\n引用：\n[1] “2022 年全省“特岗计划”拟招聘 6000 人”"
    with FakeOpenAI() as llm:
        llm.replies.append(reply)
        bot = make_bot(real_services, tmp_path, mode="llm", openai_base_url=llm.base_url, openai_api_key="k",
                       telegram_edit_interval=0.0)  # fmt: skip
        async with serving(bot) as api:
            api.message(60, "贵州2022年特岗计划招多少人？")
            await until(lambda: any("fb:" in json.dumps(p) for p in api.sent(60, "editMessageText")))
    drafts, edits = api.sent(60), api.sent(60, "editMessageText")
    assert len(drafts) == 1 and drafts[0]["text"].endswith("…")
    assert len(edits) >= 2 and all(e["message_id"] == edits[0]["message_id"] for e in edits)
    final = edits[-1]
    assert final["parse_mode"] == "HTML" and "6000" in final["text"] and "贵州 2022届通知 二、6." in final["text"]
    assert "引用" not in final["text"]


async def test_webhook_mode_receives_updates_posted_with_the_secret(real_services, tmp_path):
    import socket
    import urllib.error
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    bot = make_bot(
        real_services, tmp_path, telegram_webhook_url=f"http://127.0.0.1:{port}/hook", telegram_webhook_port=port
    )
    with FakeBotAPI() as api:
        app = build_application(bot, api.token, api.base_url, timeout=1.5)
        options = {**webhook_options(bot.settings, api.token), "listen": "127.0.0.1"}
        async with app:
            await app.start()
            assert app.updater is not None
            try:
                await app.updater.start_webhook(**options)
                update = {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": {"id": 70, "type": "private"},
                          "from": {"id": 70, "is_bot": False, "first_name": "x"}, "text": "贵州2022年特岗计划招多少人？"}}  # fmt: skip

                def post(secret: str) -> int:
                    request = urllib.request.Request(
                        f"http://127.0.0.1:{port}/hook", data=json.dumps(update).encode(), method="POST",
                        headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret},
                    )  # fmt: skip
                    try:
                        with urllib.request.urlopen(request, timeout=5) as response:
                            return int(response.status)
                    except urllib.error.HTTPError as exc:
                        return exc.code

                assert await asyncio.to_thread(post, "wrong") == 403
                assert await asyncio.to_thread(post, options["secret_token"]) == 200
                await until(lambda: answers(api, 70))
            finally:
                await app.updater.stop()
                await app.stop()
    set_webhook = [p for _, m, p in api.calls if m == "setWebhook"]
    assert set_webhook and set_webhook[0]["url"] == f"http://127.0.0.1:{port}/hook"
    assert set_webhook[0]["secret_token"] == options["secret_token"] and api.token not in options["secret_token"]
    assert "6000" in answers(api, 70)[0]["text"]
