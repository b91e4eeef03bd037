"""Build or update the index incrementally: only changed notices are embedded again."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from chromadb.api.types import Where
from langchain_core.embeddings import Embeddings

from bot.chunks import Chunk, build_chunks
from bot.extract import load_documents
from bot.notice import Notice, NoticeError
from bot.settings import Settings
from bot.store import Index, IndexChanged, Manifest, ModelMismatchError
from bot.tokens import count_tokens

Progress = Callable[[int, int], None]
EMBED_BATCH = 16


@dataclass
class Counts:
    """Added / updated / removed / unchanged tallies."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0


@dataclass
class IngestReport:
    """What an ingest did."""

    notices: Counts = field(default_factory=Counts)
    chunks: Counts = field(default_factory=Counts)
    embedded: int = 0
    seconds: float = 0.0
    collection: str = ""

    @property
    def changed(self) -> bool:
        """Whether the index changed."""
        n = self.notices
        return bool(n.added or n.updated or n.removed)


def _in_scope(source: str, roots: list[Path]) -> bool:
    """Whether a notice's source file lies under one of the paths being ingested."""
    src = Path(source).resolve()
    return any(src == r or r in src.parents for r in roots)


def _doc_in(docs: list[str]) -> Where:
    """A Chroma filter for the records of the given notices."""
    return cast(Where, {"doc": {"$in": docs}})


def _copy(old: Any, new: Any, docs: list[str]) -> int:
    """Copy the stored records (with their vectors) of unchanged notices into the new build."""
    if not docs:
        return 0
    got = old.get(where=_doc_in(docs), include=["embeddings", "documents", "metadatas"])
    ids = got["ids"]
    if ids:
        new.add(ids=ids, embeddings=got["embeddings"], documents=got["documents"], metadatas=got["metadatas"])
    return len(ids)


def _embed_and_add(col: Any, chunks: list[Chunk], embeddings: Embeddings, progress: Progress | None) -> None:
    """Embed chunks in batches and add them to the new build."""
    for start in range(0, len(chunks), EMBED_BATCH):
        batch = chunks[start : start + EMBED_BATCH]
        vectors = embeddings.embed_documents([c.embed_text for c in batch])
        col.add(
            ids=[c.id for c in batch],
            embeddings=vectors,
            documents=[c.text for c in batch],
            metadatas=[c.to_metadata() for c in batch],
        )
        if progress:
            progress(min(start + EMBED_BATCH, len(chunks)), len(chunks))


def ingest(
    settings: Settings,
    index: Index,
    embeddings: Embeddings,
    model: str,
    paths: list[Path] | None = None,
    rebuild: bool = False,
    overrides: dict[str, Any] | None = None,
    progress: Progress | None = None,
    replace: bool = False,
) -> IngestReport:
    """Sync the index with the notices under `paths` (default: the knowledge folder).

    A doc id already indexed from another file with other content is refused (naming both files) unless
    `replace` is given; the same notice read from another place (an installed copy) is simply the same notice.
    """
    started = time.perf_counter()
    roots = [p.resolve() for p in (paths or [settings.knowledge_dir])]
    # Reading fails before the index is touched.
    notices: list[Notice] = load_documents(roots, overrides, settings.max_notice_chars)
    current = index.manifest()
    started_on = current.collection if current else None
    old = None if rebuild else current
    if old is not None and old.model != model:
        raise ModelMismatchError(
            f"the index was built with embeddings '{old.model}' but the settings ask for '{model}': "
            "run `policybot ingest --rebuild`"
        )
    old_hashes = old.hashes if old else {}
    old_sources = old.sources if old else {}
    new_by_doc = {n.meta.doc: n for n in notices}
    if not replace:
        for doc, notice in new_by_doc.items():
            before, now = old_sources.get(doc), str(Path(notice.path or "").resolve())
            if before and before != now and old_hashes.get(doc) != notice.content_hash:
                raise NoticeError(
                    f"{now}: doc id '{doc}' is already indexed from {before}; "
                    "give the notice its own doc id, or pass --replace to replace that notice"
                )
    report = IngestReport()
    removed = [doc for doc in old_hashes if doc not in new_by_doc and _in_scope(old_sources.get(doc, ""), roots)]
    kept_outside = [doc for doc in old_hashes if doc not in new_by_doc and doc not in removed]
    unchanged = [d for d, n in new_by_doc.items() if old_hashes.get(d) == n.content_hash]
    to_embed = [n for d, n in new_by_doc.items() if old_hashes.get(d) != n.content_hash]
    report.notices = Counts(
        added=sum(1 for n in to_embed if n.meta.doc not in old_hashes),
        updated=sum(1 for n in to_embed if n.meta.doc in old_hashes),
        removed=len(removed),
        unchanged=len(unchanged),
    )
    if old is not None and not report.changed:
        report.chunks.unchanged = index.collection(old.collection).count()
        report.collection = old.collection
        report.seconds = time.perf_counter() - started
        return report

    count = lambda text: count_tokens(text, settings.tiktoken_cache_dir)  # noqa: E731
    fresh = [c for n in to_embed for c in build_chunks(n, count, settings.max_chunk_tokens)]
    col = index.new_collection(model)
    if old is not None:
        old_col = index.collection(old.collection)
        report.chunks.unchanged = _copy(old_col, col, unchanged + kept_outside)
        if removed:
            report.chunks.removed = len(old_col.get(where=_doc_in(removed), include=[])["ids"])
        updated_docs = [n.meta.doc for n in to_embed if n.meta.doc in old_hashes]
        previous = old_col.get(where=_doc_in(updated_docs), include=[])["ids"] if updated_docs else []
        report.chunks.removed += len(set(previous) - {c.id for c in fresh})
    report.chunks.added = sum(1 for c in fresh if c.doc not in old_hashes)
    report.chunks.updated = len(fresh) - report.chunks.added
    try:
        _embed_and_add(col, fresh, embeddings, progress)
    except BaseException:
        index.client.delete_collection(col.name)  # the active index was never touched
        raise
    report.embedded = len(fresh)

    hashes = {d: old_hashes[d] for d in kept_outside}
    hashes.update({d: n.content_hash for d, n in new_by_doc.items()})
    sources = {d: old_sources[d] for d in kept_outside}
    sources.update({d: str(Path(n.path or "").resolve()) for d, n in new_by_doc.items()})
    latest = index.manifest()
    if (latest.collection if latest else None) != started_on:  # compare-and-set: a shared server has no file lock
        index.client.delete_collection(col.name)
        raise IndexChanged(
            "another ingest switched the index while this one was building; run `policybot ingest` again"
        )
    index.activate(Manifest(col.name, model, hashes, sources, built_at=time.time()))
    # the previous build stays one generation, so a reader that started on it can finish
    index.drop_stale(keep={col.name, *([started_on] if started_on else [])})
    report.collection = col.name
    report.seconds = time.perf_counter() - started
    return report
