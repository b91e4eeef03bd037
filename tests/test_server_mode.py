"""Server mode: a real `chroma run` on 127.0.0.1, reached through CHROMA_HOST/CHROMA_PORT."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.services import Services
from bot.settings import Settings
from tests.conftest import NgramEmbeddings

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


RUNNING: dict[int, subprocess.Popen] = {}


@pytest.fixture
def chroma_server(tmp_path) -> Iterator[int]:
    """Start `chroma run` on a free loopback port; stop it after the test (RUNNING[port] is the process)."""
    exe = Path(sys.executable).with_name("chroma")  # installed beside the interpreter, on PATH or not
    assert exe.exists(), f"{exe}: the chroma command ships with the chromadb wheel"
    port = free_port()
    proc = subprocess.Popen(
        [str(exe), "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            pytest.fail("chroma run did not come up within 30 s")
        RUNNING[port] = proc
        yield port
    finally:
        RUNNING.pop(port, None)
        proc.terminate()
        proc.wait(timeout=10)


def test_ingest_and_query_through_a_chroma_server(chroma_server, monkeypatch, knowledge_copy, fake_embeddings):
    monkeypatch.setenv("CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("CHROMA_PORT", str(chroma_server))
    settings = Settings(knowledge_dir=knowledge_copy)
    assert settings.server_mode
    services = Services(settings, embeddings=fake_embeddings)
    report = services.ingest()
    assert report.notices.added == 5
    assert not settings.chroma_dir.exists(), "server mode writes nothing to the local data dir"

    manifest = services.index.require(services.model_id)
    col = services.index.collection(manifest.collection)
    vector = fake_embeddings.embed_query("贵州2022年特岗计划招多少人")
    hits = col.query(query_embeddings=[vector], n_results=3, where={"doc": "guizhou-2022-class"})
    assert len(hits["ids"][0]) == 3 and all(i.startswith("guizhou-2022-class:") for i in hits["ids"][0])

    again = Services(Settings(knowledge_dir=knowledge_copy), embeddings=fake_embeddings).ingest()
    assert again.notices.unchanged == 5 and again.embedded == 0


def _machine(tmp_path: Path, name: str, knowledge: Path, port: int) -> Services:
    """Policybot on another machine: its own data dir (and build cache), the same Chroma server."""
    settings = Settings(data_dir=tmp_path / name, knowledge_dir=knowledge, chroma_host="127.0.0.1", chroma_port=port)
    return Services(settings, embeddings=NgramEmbeddings())


def test_each_machine_answers_from_the_build_the_server_names_with_its_own_lexical_index(
    chroma_server, tmp_path, knowledge_copy
):
    from bot.corpus import Corpus

    writer = _machine(tmp_path, "writer", knowledge_copy, chroma_server)
    writer.ingest()
    reader = Corpus(_machine(tmp_path, "reader", knowledge_copy, chroma_server))
    question = "贵州2022年特岗计划招多少人？"
    assert "6000" in reader.retriever().search(question, 1)[0].chunk.text
    assert (tmp_path / "reader" / "builds").is_dir(), "the reader cached the build it read from the server"

    path = knowledge_copy / "guizhou-2022-class.md"
    path.write_text(path.read_text(encoding="utf-8").replace("6000", "6100"), encoding="utf-8")
    writer.ingest()
    live = writer.index.manifest()
    top = reader.retriever().search(question, 1)[0].chunk
    assert "6100" in top.text, "the reader follows the manifest to the new build"
    assert reader.retriever().revs == live.revs and len(reader.chunks) == sum(live.counts.values())


def test_two_machines_ingesting_into_one_server_leave_one_consistent_index(chroma_server, tmp_path, knowledge_copy):
    import threading

    from bot.store import IndexChanged

    _machine(tmp_path, "first", knowledge_copy, chroma_server).ingest()
    for n, figure in ((1, "6100"), (2, "6200")):
        folder = tmp_path / f"k{n}"
        folder.mkdir()
        text = (knowledge_copy / "guizhou-2022-class.md").read_text(encoding="utf-8")
        (folder / "guizhou-2022-class.md").write_text(text.replace("6000", figure), encoding="utf-8")
    outcomes: list[str] = []

    def ingest(name: str, folder: Path) -> None:
        try:
            _machine(tmp_path, name, knowledge_copy, chroma_server).ingest([folder], replace=True)
            outcomes.append("done")
        except IndexChanged:
            outcomes.append("told to run again")

    threads = [threading.Thread(target=ingest, args=(f"m{n}", tmp_path / f"k{n}")) for n in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert "done" in outcomes and len(outcomes) == 2
    services = _machine(tmp_path, "check", knowledge_copy, chroma_server)
    live = services.index.manifest()
    stored = services.index.chunks(live.collection)
    assert len(stored) == sum(live.counts.values()) == 107, "every live revision is stored, nothing half-written"
    text = " ".join(c.text for c in stored if c.doc == "guizhou-2022-class")
    assert ("6100" in text) != ("6200" in text)


def test_a_chroma_server_killed_between_questions_is_one_line_not_a_traceback(chroma_server, tmp_path, knowledge_copy):
    from click.testing import CliRunner

    from bot.cli import main

    services = _machine(tmp_path, "asker", knowledge_copy, chroma_server)
    services.ingest()
    first = CliRunner().invoke(main, ["ask", "--json", "贵州2022年特岗计划招多少人？"], obj=services)
    assert first.exit_code == 0, first.output
    RUNNING[chroma_server].kill()
    RUNNING[chroma_server].wait(timeout=10)
    result = CliRunner().invoke(main, ["ask", "贵州2022年特岗计划招多少人？"], obj=services)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:"), lines
