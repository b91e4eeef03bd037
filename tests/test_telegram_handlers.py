"""Telegram handlers offline: python-telegram-bot's own Update objects, its Bot routed in-process (no HTTP)."""

from __future__ import annotations

import csv
import json
import logging
import os
import stat
import sys
from typing import Any

import pytest
from telegram import Update
from telegram.request import BaseRequest, RequestData

from bot.answer import Answer, Caveat
from bot.corpus import Corpus
from bot.feedback import FeedbackStore
from bot.ratelimit import RateLimiter
from bot.tg import texts
from bot.tg.app import PolicyBot, RedactingFormatter, build_application
from bot.tg.history import ChatHistory
from bot.tg.render import region_name, render_answer, source_tag, split_message
from eval.dataset import EvalItem
from tests.bot_api_server import FakeBotAPI
from tests.conftest import CITATION


class InProcessRequest(BaseRequest):
    """python-telegram-bot's request interface answered by the fake Bot API's logic, with no network."""

    def __init__(self, api: FakeBotAPI) -> None:
        self.api = api
        self.failures: dict[str, int] = {}  # method -> how many more calls answer 502 Bad Gateway
        self.attempts: list[str] = []

    async def initialize(self) -> None:
        return

    async def shutdown(self) -> None:
        return

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None, **_: Any):
        params = {k: json.loads(v) if v[:1] in "[{\"" or v.lstrip("-").isdigit() else v
                  for k, v in (request_data.json_parameters if request_data else {}).items()}  # fmt: skip
        method = url.rsplit("/", 1)[1]
        self.attempts.append(method)
        if self.failures.get(method, 0) > 0:
            self.failures[method] -= 1
            return 502, json.dumps({"ok": False, "error_code": 502, "description": "Bad Gateway"}).encode()
        result = self.api.handle(method, params)
        return 200, json.dumps({"ok": True, "result": result}).encode()


class FakeChain:
    """Stands in for the answer chain: records questions, answers with one citation or raises."""

    mode = "extractive"

    def __init__(self, services: Any) -> None:
        self.corpus = Corpus(services)
        self.settings = services.settings
        self.asked: list[tuple[str, list[str]]] = []
        self.fail: Exception | None = None

    async def aanswer(self, question: str, history: list[str] | None = None) -> Answer:
        self.asked.append((question, list(history or [])))
        if self.fail:
            raise self.fail
        text = "根据《…》二、6.：2022 年全省“特岗计划”拟招聘 6000 人 <script>[1]"
        return Answer(question=question, answer=text, grounded=True, citations=[CITATION], mode="extractive")

    def answer(self, question: str, history: list[str] | None = None) -> Answer:
        return Answer(question=question, answer="", grounded=False, mode="extractive")


@pytest.fixture
async def offline(fake_services, tmp_path):
    api = FakeBotAPI()
    chain = FakeChain(fake_services)
    bot = PolicyBot(chain, fake_services.settings, FeedbackStore(tmp_path / "f.sqlite3", "salt"))  # type: ignore[arg-type]
    app = build_application(bot, api.token, "http://unused/bot")
    request = InProcessRequest(api)
    app.bot._request = (request, request)  # route the real Bot object in-process
    async with app:
        yield api, app, bot, chain


def message_update(
    app, chat_id: int, text: str, user_id: int | None = None, update_id: int = 1, kind: str = "message"
) -> Update:
    chat = {"id": chat_id, "type": "private" if chat_id > 0 else "group"}
    data = {"update_id": update_id, kind: {"message_id": 1, "date": 0, "chat": chat,
            "from": {"id": user_id or chat_id, "is_bot": False, "first_name": "x"}, "text": text}}  # fmt: skip
    if text.startswith("/"):
        data[kind]["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return Update.de_json(data, app.bot)


def press_update(app, chat_id: int, data: str, user_id: int | None = None) -> Update:
    """A press on an inline button under a bot message in a chat."""
    message = {"message_id": 5, "date": 0, "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
               "from": {"id": 4242, "is_bot": True, "first_name": "policybot"}, "text": "…"}  # fmt: skip
    user = {"id": user_id or chat_id, "is_bot": False, "first_name": "x"}
    query = {"id": "q", "chat_instance": "c", "data": data, "from": user, "message": message}
    return Update.de_json({"update_id": 9, "callback_query": query}, app.bot)


def callback_answers(api: FakeBotAPI) -> list[str | None]:
    return [p.get("text") for _, m, p in api.calls if m == "answerCallbackQuery"]


def button_data(sent: dict[str, Any], text: str) -> str:
    return next(b["callback_data"] for row in sent["reply_markup"]["inline_keyboard"] for b in row if b["text"] == text)


async def test_a_question_is_answered_in_escaped_html_with_sources_and_buttons(offline):
    api, app, _, chain = offline
    await app.process_update(message_update(app, 1, "贵州2022年特岗计划招多少人？"))
    sent = api.sent(1)[-1]
    assert "&lt;script&gt;" in sent["text"] and "<script>" not in sent["text"]
    assert "[1] 贵州 2022届通知 二、6. · 黔教发〔2022〕5号" in sent["text"]
    assert [b["text"] for row in sent["reply_markup"]["inline_keyboard"] for b in row] == ["原文 [1]", "👍", "👎"]
    assert chain.asked == [("贵州2022年特岗计划招多少人？", [])]


async def test_history_feeds_follow_ups_and_reset_forgets_it(offline):
    _, app, _, chain = offline
    await app.process_update(message_update(app, 2, "贵州2022年特岗计划招多少人？"))
    await app.process_update(message_update(app, 2, "那三支一扶呢？"))
    assert chain.asked[-1] == ("那三支一扶呢？", ["贵州2022年特岗计划招多少人？"])
    await app.process_update(message_update(app, 2, "/reset"))
    await app.process_update(message_update(app, 2, "那西部计划呢？"))
    assert chain.asked[-1] == ("那西部计划呢？", [])


async def test_a_failure_while_answering_gets_an_apology_and_the_log_a_traceback_without_the_token(offline, caplog):
    api, app, _, chain = offline
    chain.fail = RuntimeError(f"index unavailable (bot{api.token})")
    caplog.set_level(logging.INFO)
    await app.process_update(message_update(app, 3, "贵州2022年特岗计划招多少人？", update_id=31))
    assert "抱歉" in api.sent(3)[-1]["text"] and "再试" in api.sent(3)[-1]["text"]
    assert "RuntimeError" not in api.sent(3)[-1]["text"]
    assert "update 31 failed" in caplog.text and "Traceback (most recent call last)" in caplog.text
    assert "RuntimeError: index unavailable (bot<token>)" in caplog.text and api.token not in caplog.text


async def test_a_reply_is_retried_through_a_bot_api_outage_and_sent_once(offline):
    api, app, bot, chain = offline
    bot.retry_delay = 0.001  # the schedule is 0.5 s doubling to 10 s, within 90 s; here the same, faster
    request = app.bot._request[1]
    request.failures = {"sendMessage": 12, "sendChatAction": 100}  # twice what six attempts could ride out
    await app.process_update(message_update(app, 12, "贵州2022年特岗计划招多少人？"))
    assert [m for m in request.attempts if m == "sendMessage"] == ["sendMessage"] * 13
    assert len(api.sent(12)) == 1 and "6000" in api.sent(12)[0]["text"] and len(chain.asked) == 1
    assert request.attempts.count("sendChatAction") == 1  # the typing indicator is not worth waiting for


async def test_a_reply_that_cannot_be_sent_is_logged_with_its_update_id(offline, caplog):
    api, app, bot, _ = offline
    bot.retry_delay, bot.send_deadline = 0.01, 0.2
    app.bot._request[1].failures = {"sendMessage": 10_000}
    caplog.set_level(logging.INFO)
    await app.process_update(message_update(app, 13, "贵州2022年特岗计划招多少人？", update_id=4711))
    assert api.sent(13) == []
    assert "update 4711 failed (not answered)" in caplog.text and "NetworkError: Bad Gateway" in caplog.text
    assert "update 4711: could not send the apology either" in caplog.text and api.token not in caplog.text


async def test_an_edited_question_is_not_answered_a_second_time(offline):
    api, app, _, chain = offline
    await app.process_update(message_update(app, 14, "贵州2022年特岗计划招多少人？", update_id=1))
    await app.process_update(
        message_update(app, 14, "贵州2022年特岗计划招多少人啊？", update_id=2, kind="edited_message")
    )
    await app.process_update(message_update(app, 14, "/help", update_id=3, kind="edited_message"))
    assert len(chain.asked) == 1 and len(api.sent(14)) == 1


async def test_an_unknown_command_gets_help_and_admin_commands_say_they_are_for_admins(offline):
    api, app, bot, _ = offline
    bot.settings = bot.settings.model_copy(update={"telegram_admin_ids": "9"})
    await app.process_update(message_update(app, 15, "/foo bar"))
    assert api.sent(15)[-1]["text"].startswith("没有 /foo 这个命令。\n直接发送你的问题即可")
    for command in ("/stats", "/reindex"):
        await app.process_update(message_update(app, 16, command, user_id=16))
        assert api.sent(16)[-1]["text"] == texts.ADMIN_ONLY
    await app.process_update(message_update(app, -17, "/foo@another_bot", user_id=17))
    await app.process_update(message_update(app, -17, "/foo@policy_test_bot", user_id=17))
    assert [m["text"][:13] for m in api.sent(-17)] == ["没有 /foo 这个命令。"]  # processed in turn: no wait


async def test_buttons_are_signed_for_their_chat_and_forged_ones_are_ignored(offline):
    api, app, bot, _ = offline
    await app.process_update(message_update(app, 1, "贵州2022年特岗计划招多少人？"))
    for data in ("fb:1:-1", "fb:1:-1:" + "A" * 16, "src:" + "9" * 26 + ":1", "src:1:" + "9" * 26, "fb:x"):
        await app.process_update(press_update(app, 99, data))  # forged by a user in another chat
    assert bot.store.get(1)["vote"] is None and callback_answers(api) == [texts.GONE] * 5
    vote, source = button_data(api.sent(1)[-1], "👎"), button_data(api.sent(1)[-1], "原文 [1]")
    assert len(vote.encode()) <= 64 and vote.startswith("fb:1:-1:")
    for data in (vote, source):  # genuine buttons replayed in another chat
        await app.process_update(press_update(app, 2, data))
    assert bot.store.get(1)["vote"] is None and callback_answers(api) == [texts.GONE] * 7 and api.sent(2) == []
    bot.chain.corpus.ingest()  # 原文 reads the clause from the index
    await app.process_update(press_update(app, 1, vote))
    await app.process_update(press_update(app, 1, source))
    assert callback_answers(api)[-2:] == [texts.THANKS, None] and bot.store.get(1)["vote"] == -1
    assert api.sent(1)[-1]["text"].startswith("<b>[1] 贵州 2022届通知 二、6.</b>\n《省教育厅关于做好2022届")


async def test_in_a_group_only_the_asker_can_vote_on_an_answer(offline):
    api, app, bot, _ = offline
    await app.process_update(message_update(app, -5, "@policy_test_bot 贵州2022年特岗计划招多少人？", user_id=50))
    vote = button_data(api.sent(-5)[-1], "👍")
    await app.process_update(press_update(app, -5, vote, user_id=51))
    assert callback_answers(api) == [texts.NOT_YOURS] and bot.store.get(1)["vote"] is None
    await app.process_update(press_update(app, -5, vote, user_id=50))
    assert callback_answers(api)[-1] == texts.THANKS and bot.store.get(1)["vote"] == 1


def test_the_feedback_database_and_the_secrets_beside_it_are_private(settings, tmp_path):
    old = os.umask(0o022)
    try:
        store = FeedbackStore.from_settings(settings)
        store.record(Answer(question="q", answer="a", grounded=False, mode="extractive"), [], "private", 1, 1.0)
        files = [settings.feedback_db, settings.feedback_db.with_name("feedback.sqlite3-wal"),
                 settings.data_dir / "feedback-salt"]  # fmt: skip
        assert {f.name: stat.S_IMODE(f.stat().st_mode) for f in files} == {f.name: 0o600 for f in files}
        PolicyBot(FakeChain.__new__(FakeChain), settings, store)  # type: ignore[arg-type]
        assert stat.S_IMODE((settings.data_dir / "telegram-button-secret").stat().st_mode) == 0o600
        loose = tmp_path / "old.sqlite3"
        loose.touch(mode=0o644)
        FeedbackStore(loose, "s").close()
        assert stat.S_IMODE(loose.stat().st_mode) == 0o600  # a database made before this fix is tightened
    finally:
        os.umask(old)


async def test_a_stale_button_is_answered_politely(offline):
    api, app, bot, _ = offline
    await app.process_update(press_update(app, 4, bot.signer.sign("src", 999, 1, 4)))  # signed, but no such answer
    assert callback_answers(api) == ["这条回答已过期，请重新提问。"]


def test_long_replies_are_split_at_sentence_ends_within_the_limit():
    text = "。".join(f"第{n}句话的内容" * 20 for n in range(60)) + "。"
    parts = split_message(text, limit=4096)
    assert len(parts) > 1 and all(len(p) <= 4096 for p in parts)
    assert all(p.endswith("。") for p in parts) and "".join(parts) == text


def test_a_cut_never_splits_an_html_entity():
    parts = split_message("a" * 4090 + "&amp;&amp;" + "b" * 10, limit=4096)
    assert all(not p.endswith("&am") for p in parts) and "".join(parts) == "a" * 4090 + "&amp;&amp;" + "b" * 10


def test_history_keeps_the_last_turns_and_forgets_after_idle_time():
    now = [0.0]
    history = ChatHistory(turns=2, idle_seconds=60, clock=lambda: now[0])
    for q in ("a", "b", "c"):
        history.add(1, q)
    assert history.get(1) == ["b", "c"]
    now[0] = 61
    assert history.get(1) == []


def test_the_rate_limit_counts_per_user_in_a_sliding_window():
    now = [0.0]
    limiter = RateLimiter(limit=2, window=60, clock=lambda: now[0])
    assert limiter.wait(1) == 0 and limiter.wait(1) == 0 and limiter.wait(2) == 0
    assert limiter.wait(1) == pytest.approx(60)
    now[0] = 60
    assert limiter.wait(1) == 0


def test_feedback_keeps_a_salted_hash_never_the_user_id_and_exports(tmp_path):
    store = FeedbackStore(tmp_path / "f.sqlite3", "s1")
    answer = Answer(
        question="贵州特岗招多少人？", answer="6000人[1]", grounded=True, citations=[CITATION], mode="extractive"
    )
    answer_id = store.record(answer, [], "private", 123456789, 12.5)
    assert store.vote(answer_id, -1) and not store.vote(999, 1)
    raw = (tmp_path / "f.sqlite3").read_bytes()
    assert b"123456789" not in raw
    assert store.user_hash(123456789) != FeedbackStore(tmp_path / "g.sqlite3", "s2").user_hash(123456789)
    store.export_csv(tmp_path / "out.csv")
    rows = list(csv.DictReader((tmp_path / "out.csv").open(encoding="utf-8-sig")))
    assert rows[0]["question"] == "贵州特岗招多少人？" and rows[0]["vote"] == "-1" and "user_id" not in rows[0]
    assert store.export_eval(tmp_path / "cand.jsonl") == 1
    item = EvalItem.model_validate_json((tmp_path / "cand.jsonl").read_text(encoding="utf-8"))
    assert item.gold_keys() == {("guizhou-2022-class", "二、6.")} and item.kind == "fact"
    assert store.stats() == {"questions": 1, "declined_share": 0.0, "latency_ms_p50": 12.5, "latency_ms_p95": 12.5,
                             "thumbs_up": 0, "thumbs_down": 1}  # fmt: skip


def test_a_reply_is_the_caveats_then_the_answer_then_a_short_tag_per_source_without_the_full_title():
    sprint = CITATION.model_copy(update={"doc": "moe-2023-x", "title": "教育部办公厅关于开展春季促就业攻坚行动的通知",
                                         "doc_number": None, "clause": "四、（五）", "issued": "2023-02-23",
                                         "scope": "national"})  # fmt: skip
    caveats = [Caveat(kind="year_mismatch", text="没有贵州2023年的通知，以下是2022年的规定。"),
               Caveat(kind="detail_missing", text="通知没有写明报名时间 <b>。")]  # fmt: skip
    answer = Answer(question="q", answer="拟招聘 6000 人 & 更多。[1][2]", grounded=True, citations=[CITATION, sprint],
                    caveats=caveats, mode="extractive")  # fmt: skip
    assert render_answer(answer) == (
        "⚠️ 没有贵州2023年的通知，以下是2022年的规定。\n⚠️ 通知没有写明报名时间 &lt;b&gt;。\n\n"
        "拟招聘 6000 人 &amp; 更多。[1][2]\n\n"
        "[1] 贵州 2022届通知 二、6. · 黔教发〔2022〕5号\n[2] 全国 2023年通知 四、（五）"
    )
    assert CITATION.title not in render_answer(answer)


def test_source_tags_name_the_region_as_students_do_and_the_kind_of_document():
    assert [region_name(s) for s in ("national", None, "贵州省", "广西壮族自治区", "北京市", "香港特别行政区")] == [
        "全国", "全国", "贵州", "广西", "北京", "香港"]  # fmt: skip
    plan = CITATION.model_copy(update={"title": "2024届高校毕业生就业实施方案", "scope": "内蒙古自治区"})
    assert source_tag(plan) == "内蒙古 2024届方案 二、6."


def test_log_lines_and_tracebacks_never_show_the_token():
    token = "123456:SECRET-token"
    formatter = RedactingFormatter(token, "%(message)s")
    try:
        raise RuntimeError(f"The token `{token}` was rejected by the server.")
    except RuntimeError:
        record = logging.LogRecord("t", logging.ERROR, __file__, 1, "POST https://x/bot%s/getMe", (token,), None)
        record.exc_info = sys.exc_info()
    text = formatter.format(record)
    assert token not in text and "<token>" in text and "rejected" in text


async def test_reindex_is_for_admins_and_a_bad_notice_leaves_the_index_as_it_was(offline, knowledge_copy):
    api, app, bot, _ = offline
    bot.settings = bot.settings.model_copy(update={"telegram_admin_ids": "9"})
    await app.process_update(message_update(app, 8, "/reindex", user_id=8))
    assert "索引" not in api.sent(8)[-1]["text"]
    await app.process_update(message_update(app, 9, "/reindex", user_id=9))
    assert "索引已更新：新增 5，更新 0，删除 0，未变 0 份通知。" in api.sent(9)[-1]["text"]
    bad = knowledge_copy / "moe-2024-class.md"
    bad.write_text(bad.read_text(encoding="utf-8").replace("issued:", "issued_on:", 1), encoding="utf-8")
    await app.process_update(message_update(app, 9, "/reindex", user_id=9))
    reply = api.sent(9)[-1]["text"]
    assert reply.startswith("索引未更新，仍使用原索引：") and "moe-2024-class.md" in reply
    assert bot.chain.corpus.services.index.manifest() is not None


def test_an_answer_that_fell_back_from_the_model_says_so():
    answer = Answer(
        question="q",
        answer="a",
        grounded=True,
        citations=[CITATION],
        mode="extractive",
        fallback="language model unavailable",
    )
    assert "语言模型暂不可用" in render_answer(answer)
