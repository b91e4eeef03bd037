"""The chat page in a real headless browser (Debian's chromium driven by playwright): ask, follow up, 原文, 👍."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.chain import AnswerChain
from tests.openai_server import FakeOpenAI
from tests.test_web_api import GOOD, QUESTION, serving

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.integration,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)"
    ),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package (pip install playwright)")


@pytest.fixture
def browser() -> Iterator[Any]:
    """Debian's chromium, headless; playwright only drives it (no browser download)."""
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield browser
        browser.close()


def ask(page: Any, question: str) -> Any:
    """Type a question, send it with Enter, and wait for its answer; the answer's element."""
    before = page.locator(".turn.bot").count()
    box = page.get_by_label("你的问题")
    box.fill(question)
    box.press("Enter")
    answer = page.locator(".turn.bot").nth(before)
    sync_api.expect(answer).not_to_have_attribute("aria-busy", "true", timeout=60_000)
    return answer


def test_a_student_asks_follows_up_opens_the_clause_and_votes(real_services, tmp_path, browser):
    with serving(real_services, tmp_path, web_rate_limit=0) as (served, store):
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("request", lambda r: problems.append(r.url) if not r.url.startswith(served.url) else None)
        page.goto(served.url)

        sync_api.expect(page.locator("#coverage-count")).to_have_text("（5 份）")
        page.get_by_text("我能回答哪些通知").click()
        sync_api.expect(page.locator("#sources li")).to_have_count(5)
        sync_api.expect(page.locator("#sources")).to_contain_text("黔教发〔2022〕5号")
        sync_api.expect(page.locator("#examples button")).to_have_count(
            len(AnswerChain(real_services).corpus.examples())
        )

        first = ask(page, QUESTION)
        sync_api.expect(first.locator(".answer-text")).to_contain_text("6000")
        sync_api.expect(first.locator(".cite-tag").first).to_have_text("[1]贵州 2022届通知 二、6. · 黔教发〔2022〕5号")

        second = ask(page, "那三支一扶呢？")
        sync_api.expect(second.locator(".answer-text")).to_contain_text("800")

        first.get_by_role("group", name="这个回答有帮助吗？").get_by_role("button", name="有帮助", exact=True).click()
        sync_api.expect(first.locator(".vote .thanks")).to_have_text("谢谢反馈！")
        sync_api.expect(first.get_by_role("button", name="有帮助", exact=True)).to_have_attribute(
            "aria-pressed", "true"
        )
        answer_ids = [row["id"] for row in (store.get(i) for i in range(1, 10)) if row]
        assert store.get(answer_ids[0])["vote"] == 1 and store.get(answer_ids[1])["history"] == [QUESTION]

        first.locator(".source summary").first.click()
        clause = first.locator(".clause-text").first
        sync_api.expect(clause).to_contain_text("西部计划")
        sync_api.expect(clause).to_contain_text("二、6.")

        page.reload()  # the chat survives a reload, and a follow-up still has its history
        sync_api.expect(page.locator(".turn.bot")).to_have_count(2)
        third = ask(page, "那西部计划呢？")
        sync_api.expect(third.locator(".answer-text")).to_contain_text("5500")

        page.get_by_role("button", name="新对话").click()
        sync_api.expect(page.locator(".turn")).to_have_count(0)
        page.locator("#examples button").first.click()
        sync_api.expect(page.locator(".turn.bot .vote")).to_have_count(1, timeout=60_000)
        assert problems == []


def test_the_page_fits_a_phone_and_everything_has_a_name(real_services, tmp_path, browser):
    with serving(real_services, tmp_path, web_rate_limit=0, today=date(2026, 6, 1)) as (served, _):
        page = browser.new_page(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
        page.goto(served.url)
        page.keyboard.press("Tab")  # the first stop is the skip link to the question box
        assert page.evaluate("document.activeElement.textContent") == "跳到提问框"
        answer = ask(page, "今年贵州特岗计划招多少人")  # about now: a caveat that the notice is older
        sync_api.expect(answer.locator(".cites")).to_be_visible()
        sync_api.expect(answer.locator(".caveats")).to_contain_text("请注意")
        caveat_first = (
            "(a) => a.querySelector('.caveats').compareDocumentPosition(a.querySelector('.answer-text')) === 4"
        )
        assert answer.evaluate(caveat_first)  # the caveat comes before the answer and its quotes
        assert page.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scrolling
        unnamed = page.evaluate(
            """() => [...document.querySelectorAll('button, textarea, input, summary')]
                .filter(e => !(e.getAttribute('aria-label') || e.labels?.length || e.textContent.trim()))
                .map(e => e.outerHTML)"""
        )
        assert unnamed == []


def test_llm_mode_streams_into_the_page(real_services, tmp_path, browser):
    with FakeOpenAI() as fake:
        settings = {"openai_base_url": fake.base_url, "openai_api_key": "k", "llm_timeout": 10.0, "web_rate_limit": 0}
        with serving(real_services, tmp_path, "llm", **settings) as (served, _):
            fake.replies.append(GOOD)
            page = browser.new_page()
            page.goto(served.url)
            sync_api.expect(page.locator("#mode")).to_contain_text("语言模型")
            answer = ask(page, QUESTION)
            sync_api.expect(answer.locator(".answer-text")).to_have_text(
                "根据贵州省2022届通知，2022年全省“特岗计划”拟招聘6000人。[1]"
            )
            assert fake.requests[-1]["stream"] is True


def test_the_page_asks_for_a_key_when_questions_need_one(real_services, tmp_path, browser):
    from pydantic import SecretStr

    with serving(real_services, tmp_path, api_keys=SecretStr("career-office-key")) as (served, _):
        page = browser.new_page()
        page.goto(served.url)
        page.get_by_label("你的问题").fill(QUESTION)
        page.get_by_label("你的问题").press("Enter")
        key = page.get_by_label("访问密钥")
        sync_api.expect(key).to_be_focused()
        key.fill("career-office-key")
        key.press("Enter")
        sync_api.expect(page.locator(".turn.bot .answer-text")).to_contain_text("6000", timeout=60_000)
        sync_api.expect(page.locator(".turn.user")).to_have_count(1)
        assert page.evaluate("localStorage.getItem('policybot-api-key')") == "career-office-key"
