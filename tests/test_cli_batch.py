"""`policybot ask --json --batch`: one bad line never loses the rest; usage errors name what exists (fake embeddings)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from bot.cli import main, parse_batch_line

GOOD = '{"id": "ok", "question": "贵州2022年特岗计划招多少人？"}'


@pytest.fixture
def built(fake_services):
    """Fake-embedding services with the index already built."""
    fake_services.ingest()
    return fake_services


def run(args, services, stdin=None):
    return CliRunner().invoke(main, args, obj=services, input=stdin, catch_exceptions=False)


def outputs(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.mark.parametrize(
    ("raw", "item_id", "error"),
    [
        (b'{"id": 1, "question": "q", "history": 5}', 1, "'history' must be a list"),
        (b'{"id": 2, "question": "q", "history": "a string"}', 2, "'history' must be a list"),
        (b'{"id": 3, "question": "q", "history": [1]}', 3, "'history' must be a list"),
        (b'{"id": 4, "question": "\\ud800 q"}', 4, "not valid Unicode (a lone surrogate)"),
        (b'{"id": 5, "question": "q", "history": ["\\udfff"]}', 5, "'history' must be a list"),
        (b'{"id": "\\ud800", "question": "q"}', None, "'id' must be"),
        (b'{"id": 6, "question": "\xff\xfe q"}', None, "not UTF-8 text (invalid start byte at byte 24 of the line)"),
        (b"not json", None, "not a JSON object (Expecting value"),
        (b'["a list"]', None, "not a JSON object (a list)"),
        (b'{"id": NaN, "question": "q"}', None, "NaN is not valid JSON"),
        (b'{"id": 1e999, "question": "q"}', None, "'id' must be a string, an integer or null"),
        (b'{"id": 1.5, "question": "q"}', None, "'id' must be a string, an integer or null"),
        (b'{"id": true, "question": "q"}', None, "'id' must be"),
        (b'{"id": 7}', 7, "'question' must be a non-empty string"),
        (b'{"id": 8, "question": "  "}', 8, "'question' must be a non-empty string"),
        (b'{"id": 9, "question": 42}', 9, "'question' must be a non-empty string"),
    ],
)
def test_each_kind_of_bad_line_gets_its_own_error(raw, item_id, error):
    item = parse_batch_line(raw, 3)
    assert item is not None and item.error is not None and error in item.error, item
    assert item.error_object() == {"id": item_id, "line": 3, "error": item.error}


def test_good_lines_are_read_as_they_are_and_blank_lines_skipped():
    bom = parse_batch_line('\ufeff{"id": 1, "question": "问", "history": ["前"]}\r\n'.encode(), 1)
    assert bom is not None and (bom.error, bom.id, bom.question, bom.history) == (None, 1, "问", ["前"])
    plain = parse_batch_line(b'{"question": "q", "history": null}', 2)
    assert plain is not None and (plain.error, plain.id, plain.history) == (None, None, [])
    assert parse_batch_line(b"  \n", 3) is None


def test_bad_lines_get_error_objects_in_order_and_the_rest_are_answered(built, tmp_path):
    lines = [
        "\ufeff" + GOOD,
        '{"id": "h5", "question": "q", "history": 5}',
        "",
        '{"id": "lone", "question": "\\ud800"}',
        "this is not json",
        '{"id": NaN, "question": "q"}',
        '{"id": "hs", "question": "q", "history": "a string"}',
        '{"id": 2, "question": "那三支一扶呢？", "history": ["贵州2022年特岗计划招多少人？"]}',
    ]
    data = "\n".join(lines).encode("utf-8").replace(b"this is not json", b"bad \xff\xfe utf-8") + b"\n"
    batch = tmp_path / "batch.jsonl"
    batch.write_bytes(data)
    result = run(["ask", "--json", "--batch", str(batch)], built)
    got = outputs(result)
    assert [g.get("id") for g in got] == ["ok", "h5", "lone", None, None, "hs", 2]
    assert [g.get("line") for g in got] == [None, 2, 4, 5, 6, 7, None]
    assert "answer" in got[0] and "answer" in got[-1] and all("error" in g for g in got[1:-1])
    assert "not UTF-8" in got[3]["error"] and "NaN" in got[4]["error"]
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "Error: 5 of 7 batch lines could not be answered (line 2, 4, 5, 6, 7): see their error objects"
    )


def test_a_clean_batch_exits_0(built):
    result = run(["ask", "--json", "--batch", "-"], built, stdin=GOOD + "\n" + GOOD + "\n")
    assert result.exit_code == 0 and [g["id"] for g in outputs(result)] == ["ok", "ok"]


def test_ask_without_a_question_says_what_to_give(built):
    result = run(["ask"], built)
    assert result.exit_code == 2 and "give a QUESTION to ask, or --batch FILE" in result.stderr
    assert "not both" not in result.stderr
    both = run(["ask", "q", "--batch", "-"], built)
    assert both.exit_code == 2 and "give a QUESTION or --batch FILE, not both" in both.stderr


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--doc", "nosuch"], "no notice nosuch in the index; doc ids: guizhou-2022-class, moe-2022-class"),
        (["--region", "北京"], "no notice for region '北京'; regions: national, 贵州省"),
        (["--cohort", "2030届"], "no notice for cohort '2030届'; cohorts: 2022届, 2023届, 2024届"),
        (["--region", "贵州省", "--cohort", "2024届"], "no notice matches --region, --cohort and --doc together"),
        (["--k", "0"], "Invalid value for '--k': 0 is not in the range x>=1"),
    ],
)
def test_filters_no_notice_passes_are_usage_errors_naming_what_exists(built, options, message):
    result = run(["ask", *options, "贵州2022年特岗计划招多少人？"], built)
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.stderr.split()), result.stderr
    assert result.stdout == ""


def test_filters_that_match_answer_as_before(built):
    result = run(["ask", "--json", "--region", "贵州", "--cohort", "2022", "问题"], built)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["question"] == "问题"
