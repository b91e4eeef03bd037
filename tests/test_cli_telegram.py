"""`policybot telegram` and `policybot feedback export` from the command line."""

from __future__ import annotations

import json

from click.testing import CliRunner
from pydantic import SecretStr

from bot.answer import Answer
from bot.cli import main
from bot.feedback import FeedbackStore


def test_telegram_without_a_token_is_a_one_line_error(fake_services):
    fake_services.ingest()
    result = CliRunner().invoke(main, ["telegram"], obj=fake_services)
    assert result.exit_code == 1 and "TELEGRAM_BOT_TOKEN is not set" in result.output


def test_feedback_export_writes_csv_and_candidate_eval_items(fake_services, tmp_path):
    store = FeedbackStore.from_settings(fake_services.settings)
    declined = Answer(question="考研国家线多少分？", answer="抱歉…", grounded=False, mode="extractive")
    store.vote(store.record(declined, [], "group", 42, 9.0), -1)
    store.close()
    runner = CliRunner()
    result = runner.invoke(main, ["feedback", "export", "--out", str(tmp_path / "f.csv")], obj=fake_services)
    assert result.exit_code == 0 and "wrote 1 answers" in result.output
    assert "考研国家线多少分？" in (tmp_path / "f.csv").read_text(encoding="utf-8-sig")
    out = tmp_path / "cand.jsonl"
    result = runner.invoke(main, ["feedback", "export", "--as-eval", "--out", str(out)], obj=fake_services)
    assert result.exit_code == 0
    item = json.loads(out.read_text(encoding="utf-8"))
    assert item == {"id": "fb-1", "question": "考研国家线多少分？", "history": [], "answerable": False, "gold": [],
                    "facts": [], "kind": "refuse"}  # fmt: skip


def test_feedback_export_before_any_feedback_says_so(fake_services, tmp_path):
    result = CliRunner().invoke(main, ["feedback", "export", "--out", str(tmp_path / "f.csv")], obj=fake_services)
    assert result.exit_code == 1 and "no feedback yet" in result.output


def test_a_rejected_token_is_reported_without_printing_it(fake_services, monkeypatch):
    from tests.bot_api_server import FakeBotAPI

    fake_services.ingest()
    with FakeBotAPI(token="999:the-right-token") as api:
        wrong = "123:a-wrong-token"
        settings = fake_services.settings.model_copy(
            update={"telegram_bot_token": SecretStr(wrong), "telegram_base_url": api.base_url}
        )
        services = fake_services.__class__(settings, embeddings=fake_services.embeddings)
        result = CliRunner().invoke(main, ["telegram"], obj=services)
    assert result.exit_code == 1 and "rejected" in result.output
    assert wrong not in result.output and "<token>" in result.output
