"""Storage faults, for real: a data dir on a read-only file system, and one whose disk fills up mid-ingest.

The file systems are small tmpfs mounts (root is not stopped by file modes, so chmod proves nothing here).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.services import Services
from bot.settings import Settings

QUESTION = "贵州2022年特岗计划招多少人？"


def run(args: list[str], services: Services):
    """The CLI with these services, as a person runs it (no exception escapes to the test)."""
    return CliRunner().invoke(main, args, obj=services)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 MB tmpfs of its own (skipped where this process may not mount one)."""
    folder = tmp_path / "disk"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def _services(data: Path, knowledge: Path, embeddings) -> Services:
    return Services(Settings(data_dir=data, knowledge_dir=knowledge), embeddings=embeddings)


SNAPSHOT = """
import hashlib, sys
from pathlib import Path
from bot.services import Services
from bot.settings import Settings
index = Services(Settings(data_dir=Path(sys.argv[1]))).index
chunks = index.chunks(index.manifest().collection)
print(len(chunks), hashlib.sha256("".join(c.id + c.text for c in chunks).encode()).hexdigest())
"""


def _snapshot_elsewhere(data: Path) -> str:
    """The active index's chunks (count and digest), read by another process."""
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run([sys.executable, "-c", SNAPSHOT, str(data)], check=True, env=env, capture_output=True)
    return done.stdout.decode().strip()


INGEST = """
import sys
from pathlib import Path
from langchain_core.embeddings import DeterministicFakeEmbedding
from bot.services import Services
from bot.settings import Settings
Services(Settings(data_dir=Path(sys.argv[1]), knowledge_dir=Path(sys.argv[2])), DeterministicFakeEmbedding(size=16)).ingest()
"""


def _ingest_elsewhere(data: Path, knowledge: Path) -> None:
    """Build the index in another process (this one keeps no file of it open)."""
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root)}
    subprocess.run([sys.executable, "-c", INGEST, str(data), str(knowledge)], check=True, env=env)


def test_a_read_only_data_dir_is_one_line_saying_so(small_disk, knowledge_copy, fake_embeddings):
    _ingest_elsewhere(small_disk / "data", knowledge_copy)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    result = run(["ask", QUESTION], _services(small_disk / "data", knowledge_copy, fake_embeddings))
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit), "no traceback"
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "readonly" in lines[0] and "POLICYBOT_DATA_DIR" in lines[0]


def test_a_disk_that_fills_up_during_an_ingest_is_one_line_and_the_previous_index_answers(
    small_disk, knowledge_copy, fake_embeddings
):
    data = small_disk / "data"
    _ingest_elsewhere(data, knowledge_copy)
    before = _snapshot_elsewhere(data)
    filler = small_disk / "filler"
    with filler.open("wb", buffering=0) as out:  # the disk is full
        try:
            while True:
                out.write(b"\0" * 65536)
        except OSError:
            pass
    for path in knowledge_copy.glob("*.md"):
        path.write_text(path.read_text(encoding="utf-8").replace("高校", "高等学校") * 3, encoding="utf-8")
    result = run(["ingest"], _services(data, knowledge_copy, fake_embeddings))
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), "no traceback"
    assert "full" in result.output.strip().splitlines()[-1]
    os.remove(filler)
    # the next command is a new process (an embedded Chroma client that hit a full disk is not used again)
    assert _snapshot_elsewhere(data) == before, "the previous index, whole"
