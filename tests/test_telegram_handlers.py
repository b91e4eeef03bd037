"""Telegram handlers offline: python-telegram-bot's own Update objects, its Bot routed in-process (no HTTP)."""

from __future__ import annotations

import csv
import json
import logging
import sys
from typing import Any

import pytest
from telegram import Update
from telegram.request import BaseRequest, RequestData

from bot.answer import Answer, Citation
from bot.corpus import Corpus
from bot.feedback import FeedbackStore
from bot.tg.app import PolicyBot, RedactingFormatter, build_application
from bot.tg.history import ChatHistory
from bot.tg.ratelimit import RateLimiter
from bot.tg.render import render_answer, split_message
from eval.dataset import EvalItem
from tests.bot_api_server import FakeBotAPI


class InProcessRequest(BaseRequest):
    """python-telegram-bot's request interface answered by the fake Bot API's logic, with no network."""

    def __init__(self, api: FakeBotAPI) -> None:
        self.api = api

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
        result = self.api.handle(url.rsplit("/", 1)[1], params)
        return 200, json.dumps({"ok": True, "result": result}).encode()


CITATION = Citation(
    doc="guizhou-2022-class",
    title="省教育厅关于做好2022届全省普通高校毕业生就业创业工作的通知",
    doc_number="黔教发〔2022〕5号",
    clause="二、6.",
    quote="2022 年全省“特岗计划”拟招聘 6000 人",
    issuer="贵州省教育厅",
    issued="2022-02-24",
    scope="贵州省",
)


class FakeChain:
    """Stands in for the answer chain: records questions, answers with one citation or raises."""

    mode = "extractive"

    def __init__(self, services: Any) -> None:
        self.corpus = Corpus(services)
        self.settings = services.settings
        self.asked: list[tuple[str, list[str]]] = []
        self.fail = False

    async def aanswer(self, question: str, history: list[str] | None = None) -> Answer:
        self.asked.append((question, list(history or [])))
        if self.fail:
            raise RuntimeError("index unavailable")
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
    app.bot._request = (InProcessRequest(api), InProcessRequest(api))  # route the real Bot object in-process
    async with app:
        yield api, app, bot, chain


def message_update(app, chat_id: int, text: str, user_id: int | None = None) -> Update:
    data = {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": {"id": chat_id, "type": "private"},
            "from": {"id": user_id or chat_id, "is_bot": False, "first_name": "x"}, "text": text}}  # fmt: skip
    if text.startswith("/"):
        data["message"]["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return Update.de_json(data, app.bot)


async def test_a_question_is_answered_in_escaped_html_with_sources_and_buttons(offline):
    api, app, _, chain = offline
    await app.process_update(message_update(app, 1, "贵州2022年特岗计划招多少人？"))
    sent = api.sent(1)[-1]
    assert "&lt;script&gt;" in sent["text"] and "<script>" not in sent["text"]
    assert "[1] 黔教发〔2022〕5号 二、6.（贵州省教育厅，2022年，贵州省）" in sent["text"]
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


async def test_a_failure_while_answering_gets_an_apology_not_a_traceback(offline):
    api, app, _, chain = offline
    chain.fail = True
    await app.process_update(message_update(app, 3, "贵州2022年特岗计划招多少人？"))
    assert "抱歉" in api.sent(3)[-1]["text"] and "再试" in api.sent(3)[-1]["text"]
    assert "RuntimeError" not in api.sent(3)[-1]["text"]


async def test_a_stale_button_is_answered_politely(offline):
    api, app, _, _ = offline
    data = {"update_id": 9, "callback_query": {"id": "q", "chat_instance": "c", "data": "src:999:1",
            "from": {"id": 4, "is_bot": False, "first_name": "x"}}}  # fmt: skip
    await app.process_update(Update.de_json(data, app.bot))
    assert [p.get("text") for _, m, p in api.calls if m == "answerCallbackQuery"] == ["这条回答已过期，请重新提问。"]


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


def test_render_names_the_notice_year_and_region():
    html = render_answer(Answer(question="q", answer="a & b", grounded=True, citations=[CITATION], mode="extractive"))
    assert html.startswith("a &amp; b") and "<b>来源</b>" in html and "（贵州省教育厅，2022年，贵州省）" in html


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
