"""`policybot feedback export`: what staff open in a spreadsheet."""

from __future__ import annotations

import csv
from datetime import datetime

from click.testing import CliRunner

from bot.answer import Answer
from bot.cli import main
from bot.feedback import FeedbackStore


def test_export_writes_readable_iso_timestamps(fake_services, tmp_path):
    settings = fake_services.settings
    store = FeedbackStore.from_settings(settings)
    answer = Answer(question="贵州特岗招多少人？", answer="6000人", grounded=True, mode="extractive")
    store.vote(store.record(answer, [], "private", 42, 12.5), 1)
    store.close()
    out = tmp_path / "feedback.csv"
    result = CliRunner().invoke(main, ["feedback", "export", "--out", str(out)], obj=fake_services)
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == f"wrote 1 answers to {out}"
    row = next(csv.DictReader(out.open(encoding="utf-8-sig")))
    when = datetime.fromisoformat(row["at"])
    assert when.tzinfo is not None and abs((datetime.now().astimezone() - when).total_seconds()) < 120
    assert row["at"][4] == "-" and "T" in row["at"] and row["vote"] == "1"


def test_export_without_feedback_says_so(fake_services, tmp_path):
    result = CliRunner().invoke(main, ["feedback", "export", "--out", str(tmp_path / "f.csv")], obj=fake_services)
    assert result.exit_code == 1 and "no feedback yet" in result.stderr
