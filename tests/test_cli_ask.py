"""`policybot ask` through the command-line runner, on the real index."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from bot.cli import main

pytestmark = pytest.mark.slow
KEYS = {"question", "answer", "grounded", "citations", "mode", "timings_ms"}


def run(args, services, stdin=None):
    return CliRunner().invoke(main, args, obj=services, input=stdin, catch_exceptions=False)


def test_ask_json_prints_the_answer_object(real_services):
    result = run(["ask", "--json", "贵州2022年特岗计划招多少人？"], real_services)
    assert result.exit_code == 0
    answer = json.loads(result.stdout)
    assert set(answer) >= KEYS and answer["mode"] == "extractive"
    assert set(answer["citations"][0]) >= {"doc", "title", "doc_number", "clause", "quote"}


def test_ask_for_a_person_shows_numbered_citations(real_services):
    result = run(["ask", "贵州2022年特岗计划招多少人？"], real_services)
    assert result.exit_code == 0 and "[1] 黔教发〔2022〕5号 二、6." in result.stdout


def test_batch_answers_every_line_in_order_with_its_id(real_services, tmp_path):
    lines = [
        {"id": "a", "question": "贵州2022年特岗计划招多少人？", "history": []},
        {"id": 2, "question": "那三支一扶呢？", "history": ["贵州2022年特岗计划招多少人？"]},
        {"id": "c", "question": "应届生在上海落户需要什么条件？"},
    ]
    stdin = "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n"
    result = run(["ask", "--json", "--batch", "-"], real_services, stdin=stdin)
    assert result.exit_code == 0
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["id"] for a in answers] == ["a", 2, "c"]
    assert "800" in answers[1]["answer"] and answers[2]["grounded"] is False


def test_a_bad_batch_line_gets_an_error_object_and_exit_1(real_services):
    result = run(["ask", "--json", "--batch", "-"], real_services, stdin='{"id": 1}\n')
    assert result.exit_code == 1 and "1 of 1 batch lines could not be answered (line 1)" in result.stderr
    assert json.loads(result.stdout) == {"id": 1, "line": 1, "error": "'question' must be a non-empty string"}


def test_question_and_batch_together_is_a_usage_error(real_services):
    assert run(["ask", "q", "--batch", "-"], real_services).exit_code == 2
    assert run(["ask"], real_services).exit_code == 2


def test_chat_keeps_history_for_follow_ups_and_resets(real_services):
    script = "贵州2022年特岗计划招多少人？\n那三支一扶呢？\n/reset\n/debug\n2022年就业促进周的主会场设在哪里？\n/sources\n/quit\n"
    result = run(["chat", "--mode", "extractive"], real_services, stdin=script)
    assert result.exit_code == 0
    assert "800" in result.stdout and "对话已清空" in result.stdout
    assert "dense#" in result.stdout and "timings" in result.stdout
    assert "黔教发〔2022〕5号" in result.stdout and "guizhou-2022-class" in result.stdout


def test_chat_help_and_unknown_commands_get_the_help_not_an_answer(real_services):
    result = run(["chat", "--mode", "extractive"], real_services, stdin="/help\n/foo bar\n/quit\n")
    assert result.exit_code == 0
    assert result.stdout.count("/reset 清空对话") == 3  # the banner, /help, /foo
    assert "没有 /foo 这个命令。" in result.stdout
    assert "回答" not in result.stdout and "未覆盖" not in result.stdout


def test_caveats_come_before_the_answer_for_a_person_and_in_the_json(real_services):
    result = run(["ask", "贵州2023年特岗计划招多少人？"], real_services)
    assert result.exit_code == 0
    warning, answer = result.stdout.index("⚠"), result.stdout.index("6000")
    assert warning < answer and "2023" in result.stdout[warning:answer]
    data = json.loads(run(["ask", "--json", "贵州2023年特岗计划招多少人？"], real_services).stdout)
    assert [c["kind"] for c in data["caveats"]] == ["year_mismatch"]
    plain = json.loads(run(["ask", "--json", "贵州2022年特岗计划招多少人？"], real_services).stdout)
    assert "caveats" not in plain  # absent when none applies (CONTRACT §3)
