"""An archive of look-alike notices: paged reads, batched writes, work per changed notice, constraints first."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot import build, lexical, store
from bot.corpus import Corpus
from bot.services import Services
from tests.conftest import NgramEmbeddings

PROVINCES = ["四川省", "湖南省", "江苏省", "河南省", "云南省", "广西壮族自治区", "山东省", "浙江省"]


def look_alike(source: Path, folder: Path, n: int, scope: str, cohort: int) -> Path:
    """The Guizhou notice re-issued for another province and year, with other figures and doc number."""
    text = source.read_text(encoding="utf-8")
    short = scope[:2]
    text = re.sub(r"^doc: .*$", f"doc: lookalike-{n}", text, count=1, flags=re.M)
    text = re.sub(r"^scope: .*$", f"scope: {scope}", text, count=1, flags=re.M)
    text = re.sub(r"^cohort: .*$", f"cohort: {cohort}届", text, count=1, flags=re.M)
    text = re.sub(r"^issued: .*$", f"issued: '{cohort}-02-24'", text, count=1, flags=re.M)
    text = text.replace("黔教发〔2022〕5", f"{short}教发〔{cohort}〕{n + 7}").replace("2022", str(cohort))
    text = text.replace("贵州", short).replace("6000", str(3000 + 37 * n))
    path = folder / f"lookalike-{n}.md"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def archive(knowledge_copy: Path) -> Path:
    """The bundled notices and 24 look-alikes of the Guizhou one (other provinces; 2022–2024)."""
    source = knowledge_copy / "guizhou-2022-class.md"
    for n in range(24):
        look_alike(source, knowledge_copy, n, PROVINCES[n % len(PROVINCES)], 2022 + n % 3)
    return knowledge_copy


def test_reads_and_writes_go_a_page_at_a_time(fake_services, monkeypatch):
    monkeypatch.setattr(store, "PAGE", 7)
    writes: list[int] = []
    real_add = store.Index.add

    def counting_add(self, col, chunks, vectors, rev):
        writes.append(len(chunks))
        return real_add(self, col, chunks, vectors, rev)

    monkeypatch.setattr(store.Index, "add", counting_add)
    fake_services.ingest()
    manifest = fake_services.index.manifest()
    col = fake_services.index.collection(manifest.collection)
    upserts: list[int] = []
    monkeypatch.setattr(type(col), "upsert", lambda self, **kw: upserts.append(len(kw["ids"])))
    fake_services.index.add(col, *_first_chunks(fake_services, 20))
    assert upserts == [7, 7, 6], "writes are cut to the page size"
    assert len(fake_services.index.chunks(manifest.collection)) == sum(manifest.counts.values()) == 107


def _first_chunks(services: Services, n: int) -> tuple:
    """Some stored chunks, with made-up vectors and their revisions, to write again."""
    chunks = services.index.chunks(services.index.manifest().collection)[:n]
    return chunks, [[0.1] * 16 for _ in chunks], services.index.manifest().revs


def test_adding_one_notice_embeds_and_tokenises_only_that_notice(
    fake_services, fake_embeddings, knowledge_copy, monkeypatch
):
    fake_services.ingest()
    embedded = fake_embeddings.texts
    tokenised: list[str] = []
    real = lexical.char_ngrams
    monkeypatch.setattr(lexical, "char_ngrams", lambda text: tokenised.append(text) or real(text))
    look_alike(knowledge_copy / "guizhou-2022-class.md", knowledge_copy, 1, "四川省", 2023)
    report = fake_services.ingest()
    assert report.notices.added == 1 and report.notices.unchanged == 5
    assert fake_embeddings.texts - embedded == report.embedded == len(tokenised) == 22


def test_a_process_without_a_cache_of_the_build_reads_it_from_the_index_and_caches_it(fake_services):
    fake_services.ingest()
    root = fake_services.settings.builds_dir
    manifest = fake_services.index.manifest()
    cached = build.folder_of(root, manifest)
    (cached / "chunks.jsonl").write_text("", encoding="utf-8")  # a cache cut short
    corpus = Corpus(fake_services)
    assert len(corpus.chunks) == 107
    assert len(build.read(root, manifest).chunks) == 107, "made again"
    assert corpus.retriever().search("贵州2022年特岗计划招多少人？", 1)[0].chunk.doc == "guizhou-2022-class"


@pytest.mark.parametrize(
    ("question", "scope", "figure"),
    [
        ("贵州2022年特岗计划招多少人？", "贵州省", "6000"),
        ("四川2023届特岗计划招多少人？", "四川省", str(3000 + 37 * 16)),
        ("湖南2024年特岗计划拟招聘多少人", "湖南省", str(3000 + 37 * 17)),
    ],
)
def test_the_notice_of_the_region_and_year_asked_wins_among_look_alikes(settings, archive, question, scope, figure):
    services = Services(settings.model_copy(update={"knowledge_dir": archive}), embeddings=NgramEmbeddings())
    services.ingest()
    hits = Corpus(services).retriever().search(question, 3)
    assert hits[0].chunk.scope == scope and figure in hits[0].chunk.text


@pytest.mark.parametrize(("configured", "serving", "threads"), [(None, True, 1), ("2", True, 2), (None, False, None)])
def test_a_server_gives_the_local_model_one_thread_per_answer_unless_told(monkeypatch, configured, serving, threads):
    import click

    from bot.cli import _corpus

    if configured:
        monkeypatch.setenv("POLICYBOT_EMBED_THREADS", configured)
    ctx = click.Context(click.Command("x"))
    assert _corpus(ctx, serving).settings.embed_threads == threads
