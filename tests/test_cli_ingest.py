"""`policybot ingest` and `policybot sources` through the command-line runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.resources import bundled_knowledge
from bot.services import Services

KNOWLEDGE = bundled_knowledge()
BUNDLED = {"moe-2022-class", "moe-2024-class", "guizhou-2022-class", "moe-2022-sprint", "moe-2023-spring"}


def run(args, services=None):
    return CliRunner().invoke(main, args, obj=services, catch_exceptions=False)


def test_ingest_then_sources_json_follows_the_contract(fake_services):
    result = run(["ingest"], fake_services)
    assert result.exit_code == 0, result.output
    assert "notices: 5 added" in result.stderr
    result = run(["sources", "--json"], fake_services)
    entries = {e["doc"]: e for e in json.loads(result.stdout)}
    assert set(entries) == BUNDLED
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


def extra_notice(folder: Path, doc: str = "moe-2023-copy") -> Path:
    """A sixth notice: a copy of the 2023 spring notice under another doc id."""
    text = (KNOWLEDGE / "moe-2023-spring.md").read_text(encoding="utf-8")
    path = folder / f"{doc}.md"
    path.write_text(text.replace("doc: moe-2023-spring", f"doc: {doc}"), encoding="utf-8")
    return path


def indexed_docs(services) -> set[str]:
    return {e["doc"] for e in json.loads(run(["sources", "--json"], services).stdout)}


def test_the_first_build_says_what_it_does_and_why(settings, fake_embeddings):
    services = Services(settings, embeddings=fake_embeddings)  # the bundled knowledge folder
    result = run(["sources"], services)
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert lines[0] == (
        f"No index in {settings.data_dir} yet: building it from the 5 bundled notices (first run only, about a minute)…"
    )
    assert lines[1:-1] == [f"Embedding: {n}/107 clauses" for n in (16, 32, 64, 96, 107)]
    assert lines[-1].startswith("Index built: 107 clauses embedded in ")
    assert run(["sources"], services).stderr == "", "a built index is used silently"


def test_ingesting_a_file_into_an_empty_index_brings_the_bundled_notices(fake_services, tmp_path):
    result = run(["ingest", str(extra_notice(tmp_path))], fake_services)
    assert result.exit_code == 0, result.output
    assert "The index is empty: adding the 5 notices in" in result.stderr and "--no-bundled" in result.stderr
    assert "notices: 6 added, 0 updated, 0 removed, 0 unchanged" in result.stderr
    assert indexed_docs(fake_services) == BUNDLED | {"moe-2023-copy"}


def test_no_bundled_ingests_only_the_given_file(fake_services, tmp_path):
    result = run(["ingest", "--no-bundled", str(extra_notice(tmp_path))], fake_services)
    assert result.exit_code == 0, result.output
    assert "notices: 1 added, 0 updated, 0 removed, 0 unchanged" in result.stderr
    assert indexed_docs(fake_services) == {"moe-2023-copy"}


def test_a_file_ingested_into_a_built_index_joins_the_notices_already_there(fake_services, tmp_path):
    run(["ingest"], fake_services)
    result = run(["ingest", str(extra_notice(tmp_path))], fake_services)
    assert "The index is empty" not in result.stderr
    assert "notices: 1 added, 0 updated, 0 removed, 0 unchanged" in result.stderr
    assert indexed_docs(fake_services) == BUNDLED | {"moe-2023-copy"}


def test_ingesting_the_knowledge_folder_itself_does_not_add_it_twice(fake_services, knowledge_copy):
    result = run(["ingest", str(knowledge_copy)], fake_services)
    assert result.exit_code == 0, result.output
    assert "The index is empty" not in result.stderr and "notices: 5 added" in result.stderr


def test_sources_table_shows_the_titles(fake_services):
    result = CliRunner().invoke(main, ["sources"], obj=fake_services, env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "省教育厅关于做好2022届全省普通高校毕业生就业创业工作的通知" in result.stdout
    assert "title" in result.stdout


@pytest.mark.slow
def test_ingest_with_the_real_local_embeddings(settings, knowledge_copy):
    services = Services(settings.model_copy(update={"knowledge_dir": knowledge_copy}))
    result = run(["ingest"], services)
    assert result.exit_code == 0, result.stderr
    assert "notices: 5 added, 0 updated, 0 removed, 0 unchanged\n" in result.stderr
    assert "chunks:  107 added, 0 updated, 0 removed, 0 unchanged\n" in result.stderr
    assert "embedded 107 chunks in " in result.stderr
    again = run(["ingest"], services)
    assert "notices: 0 added, 0 updated, 0 removed, 5 unchanged\n" in again.stderr
    assert "chunks:  0 added, 0 updated, 0 removed, 107 unchanged\n" in again.stderr
    assert "embedded 0 chunks in " in again.stderr
