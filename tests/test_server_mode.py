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

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def chroma_server(tmp_path) -> Iterator[int]:
    """Start `chroma run` on a free loopback port; stop it after the test."""
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
        yield port
    finally:
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
