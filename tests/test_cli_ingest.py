"""`policybot ingest` and `policybot sources` through the command-line runner."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.services import Services


def run(args, services=None):
    return CliRunner().invoke(main, args, obj=services, catch_exceptions=False)


def test_ingest_then_sources_json_follows_the_contract(fake_services):
    result = run(["ingest"], fake_services)
    assert result.exit_code == 0, result.output
    assert "notices: 5 added" in result.stderr
    result = run(["sources", "--json"], fake_services)
    entries = {e["doc"]: e for e in json.loads(result.stdout)}
    assert set(entries) == {
        "moe-2022-class",
        "moe-2024-class",
        "guizhou-2022-class",
        "moe-2022-sprint",
        "moe-2023-spring",
    }
    gz = entries["guizhou-2022-class"]
    contract = {"doc", "title", "doc_number", "issuer", "issued", "scope", "cohort", "chunks", "clauses"}
    assert set(gz) == contract | {"layout"}  # layout: an optional extra field
    assert gz["doc_number"] == "黔教发〔2022〕5号" and gz["scope"] == "贵州省"
    assert gz["clauses"][:3] == ["序言", "一、1.", "一、2."] and gz["clauses"][-1] == "落款"
    assert entries["moe-2022-class"]["doc_number"] is None


def test_sources_builds_the_index_on_first_use(fake_services):
    result = run(["sources"], fake_services)
    assert result.exit_code == 0 and "guizhou-2022-class" in result.stdout


def test_a_bad_notice_exits_1_with_a_one_line_message(fake_services, knowledge_copy):
    (knowledge_copy / "bad.md").write_text("no header here", encoding="utf-8")
    result = run(["ingest"], fake_services)
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("Error:") and "bad.md: no metadata header" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_path_exits_1(fake_services):
    result = run(["ingest", "no/such/dir"], fake_services)
    assert result.exit_code == 1 and "no such file or folder" in result.stderr


def test_usage_errors_exit_2():
    assert run(["ingest", "--no-such-flag"]).exit_code == 2


def test_version_and_help():
    assert "policybot" in run(["--version"]).output
    assert "ingest" in run(["--help"]).output


@pytest.mark.slow
def test_ingest_with_the_real_local_embeddings(settings, knowledge_copy):
    services = Services(settings.model_copy(update={"knowledge_dir": knowledge_copy}))
    result = run(["ingest"], services)
    assert result.exit_code == 0, result.stderr
    assert "107 added" in result.stderr or "added" in result.stderr
    again = run(["ingest"], services)
    assert "0 added, 0 updated, 0 removed, 5 unchanged" in again.stderr
