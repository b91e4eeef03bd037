"""Ingestion is incremental by content hash and atomic: a failed build leaves the old index intact."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from bot.notice import NoticeError
from bot.services import Services
from bot.store import IndexNotReady, ModelMismatchError


def snapshot(services: Services) -> dict[str, str]:
    manifest = services.index.require(services.model_id)
    return {c.id: c.text for c in services.index.chunks(manifest.collection)}


def test_first_ingest_adds_every_notice(fake_services):
    report = fake_services.ingest()
    assert (report.notices.added, report.notices.unchanged) == (5, 0)
    assert report.chunks.added == report.embedded == len(snapshot(fake_services)) >= 104


def test_unchanged_corpus_reingests_with_no_embedding_calls(fake_services, fake_embeddings):
    fake_services.ingest()
    calls = fake_embeddings.calls
    report = fake_services.ingest()
    assert fake_embeddings.calls == calls
    assert not report.changed and report.notices.unchanged == 5 and report.embedded == 0


def test_a_changed_notice_replaces_only_its_own_chunks(fake_services, fake_embeddings, knowledge_copy):
    fake_services.ingest()
    before = snapshot(fake_services)
    path = knowledge_copy / "guizhou-2022-class.md"
    path.write_text(path.read_text(encoding="utf-8").replace("拟招聘 6000 人", "拟招聘 6500 人"), encoding="utf-8")
    texts = fake_embeddings.texts
    report = fake_services.ingest()
    after = snapshot(fake_services)
    gz = [i for i in before if i.startswith("guizhou-2022-class:")]
    assert (report.notices.updated, report.notices.unchanged) == (1, 4)
    assert fake_embeddings.texts - texts == len(gz) == report.chunks.updated
    assert "6500 人" in after["guizhou-2022-class:二、6.#0"]
    assert {i: t for i, t in after.items() if not i.startswith("guizhou")} == {
        i: t for i, t in before.items() if not i.startswith("guizhou")
    }


def test_a_removed_notice_loses_its_chunks(fake_services, knowledge_copy):
    fake_services.ingest()
    (knowledge_copy / "moe-2022-sprint.md").unlink()
    report = fake_services.ingest()
    assert report.notices.removed == 1 and report.chunks.removed == 15
    assert not any(i.startswith("moe-2022-sprint:") for i in snapshot(fake_services))


def test_ingesting_one_more_file_keeps_the_others(fake_services, knowledge_copy, tmp_path):
    fake_services.ingest()
    extra = tmp_path / "extra"
    extra.mkdir()
    text = (knowledge_copy / "moe-2023-spring.md").read_text(encoding="utf-8")
    (extra / "copy.md").write_text(text.replace("doc: moe-2023-spring", "doc: moe-2023-copy"), encoding="utf-8")
    report = fake_services.ingest([extra])
    assert (report.notices.added, report.notices.removed) == (1, 0)
    docs = {i.split(":")[0] for i in snapshot(fake_services)}
    assert {"moe-2023-copy", "moe-2024-class"} <= docs


def test_rebuild_starts_over(fake_services, fake_embeddings):
    fake_services.ingest()
    texts = fake_embeddings.texts
    report = fake_services.ingest(rebuild=True)
    assert report.notices.added == 5 and fake_embeddings.texts == 2 * texts


def test_a_bad_notice_fails_before_touching_the_index(fake_services, knowledge_copy):
    fake_services.ingest()
    before = snapshot(fake_services)
    (knowledge_copy / "broken.md").write_text("---\ndoc: broken-one\n---\n正文\n", encoding="utf-8")
    with pytest.raises(NoticeError, match=r"broken\.md: metadata field 'title' is missing"):
        fake_services.ingest()
    assert snapshot(fake_services) == before


def test_an_embedding_failure_midway_leaves_the_previous_index_answering(
    fake_services, fake_embeddings, knowledge_copy
):
    fake_services.ingest()
    before = snapshot(fake_services)
    for path in knowledge_copy.glob("*.md"):
        path.write_text(path.read_text(encoding="utf-8").replace("高校", "高等学校"), encoding="utf-8")
    fake_embeddings.fail_after = fake_embeddings.texts + 40
    with pytest.raises(RuntimeError, match="embedding service failed"):
        fake_services.ingest()
    assert snapshot(fake_services) == before
    names = [c.name for c in fake_services.index.client.list_collections()]
    assert len([n for n in names if n.startswith("policybot-ix-")]) == 1


def test_querying_with_another_embedding_model_is_a_clear_error(fake_services):
    fake_services.ingest()
    with pytest.raises(ModelMismatchError, match="policybot ingest --rebuild"):
        fake_services.index.require("openai/text-embedding-3-small")


def test_no_index_yet_says_what_to_run(fake_services):
    with pytest.raises(IndexNotReady, match="policybot ingest"):
        fake_services.index.require(fake_services.model_id)


KILLED_INGEST = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from langchain_core.embeddings import DeterministicFakeEmbedding
    from bot import store
    from bot.services import Services
    from bot.settings import Settings

    class Slow(DeterministicFakeEmbedding):
        def embed_documents(self, texts):
            print("embedding", flush=True)
            time.sleep(0.3)
            return super().embed_documents(texts)

    store.PAGE = 16  # a page written after each batch
    settings = Settings(data_dir=Path(sys.argv[1]), knowledge_dir=Path(sys.argv[2]))
    Services(settings, embeddings=Slow(size=16)).ingest(rebuild=sys.argv[3] == "rebuild")
    """
)


@pytest.mark.parametrize("how", ["rebuild", "update"])
def test_a_process_killed_midway_leaves_the_previous_index_answering(fake_services, knowledge_copy, tmp_path, how):
    fake_services.ingest()
    before = snapshot(fake_services)
    if how == "update":  # every notice changed: the new revisions are written beside the live ones
        for path in knowledge_copy.glob("*.md"):
            path.write_text(path.read_text(encoding="utf-8").replace("高校", "高等学校"), encoding="utf-8")
    script = tmp_path / "slow_ingest.py"
    script.write_text(KILLED_INGEST, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, str(script), str(fake_services.settings.data_dir), str(knowledge_copy), how],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    )
    assert proc.stdout is not None
    for _ in range(3):  # killed with two pages written
        assert proc.stdout.readline().strip() == "embedding"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    time.sleep(0.1)
    reopened = Services(fake_services.settings, embeddings=fake_services.embeddings)
    assert snapshot(reopened) == before
    if how == "update":  # changed again before the next ingest: what the dead one wrote is nobody's
        for path in knowledge_copy.glob("*.md"):
            path.write_text(path.read_text(encoding="utf-8").replace("高等学校", "高等院校"), encoding="utf-8")
    report = reopened.ingest()
    assert report.notices.unchanged == (5 if how == "rebuild" else 0)
    live = reopened.index.manifest()
    col = reopened.index.collection(live.collection)
    retired = sum(len(reopened.index.record_ids(col, doc, rev)) for doc, rev in live.retired)
    assert col.count() == len(snapshot(reopened)) + retired, "the dead ingest's records are gone"


def test_two_ingests_at_once_take_turns_and_embed_the_notices_once(settings, knowledge_copy, fake_embeddings):
    import threading

    settings = settings.model_copy(update={"knowledge_dir": knowledge_copy})
    reports = []

    def run() -> None:
        reports.append(Services(settings, embeddings=fake_embeddings).ingest())

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(r.notices.added for r in reports) == [0, 5]
    assert sorted(r.notices.unchanged for r in reports) == [0, 5]
    assert fake_embeddings.texts == 107
