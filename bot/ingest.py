"""Build or update the index incrementally: only changed notices are read into clauses, embedded and written.

Adding, changing or removing one notice costs work in proportion to that notice (its records, its lexical
rows), not to the archive: unchanged notices' records stay where they are, under their live revision.
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chromadb.api.models.Collection import Collection
from langchain_core.embeddings import Embeddings

from bot import build
from bot.chunks import Chunk, build_chunks
from bot.extract import load_documents
from bot.notice import Notice, NoticeError
from bot.settings import Settings
from bot.store import Index, IndexChanged, Manifest, ModelMismatchError, chunk_id, rev_of
from bot.tokens import count_tokens

Progress = Callable[[int, int], None]
EMBED_BATCH = 16
"""Texts per call of the local model (progress is reported per call)."""
MAX_EMBED_BATCH = 256
"""Texts per call at most, for a remote model that takes many (OpenAI's client says how many: chunk_size)."""
ABANDONED_AFTER = 3600.0
"""Seconds after which another machine's unfinished ingest into a shared server counts as dead (its records go)."""


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
    embed_seconds: float = 0.0
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


def _embed_and_add(
    index: Index,
    col: Collection,
    chunks: list[Chunk],
    revs: dict[str, str],
    embeddings: Embeddings,
    progress: Progress | None,
) -> float:
    """Embed chunks in batches the model takes, write them a page at a time; the seconds spent embedding."""
    step = max(1, min(int(getattr(embeddings, "chunk_size", EMBED_BATCH)), MAX_EMBED_BATCH))
    spent = 0.0
    pending: list[Chunk] = []
    vectors: list[list[float]] = []
    for start in range(0, len(chunks), step):
        batch = chunks[start : start + step]
        began = time.perf_counter()
        vectors += embeddings.embed_documents([c.embed_text for c in batch])
        spent += time.perf_counter() - began
        pending += batch
        if len(pending) >= index.batch or start + step >= len(chunks):
            index.add(col, pending, vectors, revs)
            pending, vectors = [], []
        if progress:
            progress(min(start + step, len(chunks)), len(chunks))
    return spent


def _collect_garbage(index: Index, settings: Settings, previous: Manifest, active: Manifest) -> None:
    """Delete what no reader needs: what the previous build retired, and dead ingests' records.

    Revisions live in the active build or the previous one (a reader may still be on it) are kept.
    """
    keep = set(previous.revs.items()) | set(active.revs.items())
    col = index.collection(active.collection)
    index.delete_revs(col, previous.retired, keep)
    for token, collection, pairs in index.abandoned(ABANDONED_AFTER if settings.server_mode else 0.0):
        if collection == active.collection:
            index.delete_revs(col, pairs, keep)
        index.clear_pending(token)


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
    started_on = current.build_id if current else None
    old = None if rebuild or (current and current.generation == 0) else current  # 0: built before revisions
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
    old_counts = old.counts if old else {}
    report.chunks.unchanged = sum(old_counts.get(d, 0) for d in unchanged + kept_outside)
    if old is not None and not report.changed:
        report.collection = old.collection
        report.seconds = time.perf_counter() - started
        return report

    count = lambda text: count_tokens(text, settings.tiktoken_cache_dir)  # noqa: E731
    fresh = [c for n in to_embed for c in build_chunks(n, count, settings.max_chunk_tokens)]
    hashes = {d: old_hashes[d] for d in kept_outside}
    hashes.update({d: n.content_hash for d, n in new_by_doc.items()})
    revs = {d: rev_of(h) for d, h in hashes.items()}
    fresh_counts = Counter(c.doc for c in fresh)
    report.chunks.added = sum(1 for c in fresh if c.doc not in old_hashes)
    report.chunks.updated = len(fresh) - report.chunks.added

    if old is None:  # the first build, or a rebuild: a collection of its own, switched to when done
        col, token = index.new_collection(model), None
    else:
        col = index.collection(old.collection)
        token = index.mark_pending(col.name, [(n.meta.doc, revs[n.meta.doc]) for n in to_embed])
    try:
        report.embed_seconds = _embed_and_add(index, col, fresh, revs, embeddings, progress)
        superseded = [(d, rev_of(old_hashes[d])) for d in removed + [n.meta.doc for n in to_embed] if d in old_hashes]
        if old is not None:
            fresh_ids = {c.id for c in fresh}
            for doc, rev in superseded:
                stored = index.record_ids(col, doc, rev) if doc in new_by_doc else []
                dropped = [i for i in stored if chunk_id(i) not in fresh_ids]
                report.chunks.removed += old_counts.get(doc, 0) if doc in removed else len(dropped)
        counts = {d: old_counts.get(d, 0) for d in kept_outside + unchanged}
        counts.update({d: fresh_counts.get(d, 0) for d in (n.meta.doc for n in to_embed)})
        sources = {d: old_sources[d] for d in kept_outside}
        sources.update({d: str(Path(n.path or "").resolve()) for d, n in new_by_doc.items()})
        generation = (current.generation + 1) if current else 1
        manifest = Manifest(
            col.name, model, hashes, sources, time.time(), generation, counts, superseded if old else []
        )
        previous = build.load(settings.builds_dir, index, old) if old is not None else None
        made = build.derive(previous, manifest, fresh)
        with contextlib.suppress(OSError):  # if it cannot be cached, readers build it themselves
            build.save(settings.builds_dir, made)
        latest = index.manifest()
        if (latest.build_id if latest else None) != started_on:  # compare-and-set: a shared server has no file lock
            raise IndexChanged(
                "another ingest switched the index while this one was building; run `policybot ingest` again"
            )
        index.activate(manifest)
    except BaseException:
        if token is None:
            index.client.delete_collection(col.name)  # the active index was never touched
        else:
            index.delete_revs(col, [(n.meta.doc, revs[n.meta.doc]) for n in to_embed], keep=_live(index))
            index.clear_pending(token)
        raise
    report.embedded = len(fresh)
    if token is not None:
        index.clear_pending(token)
    if old is not None:
        _collect_garbage(index, settings, old, manifest)
    # the previous build stays one generation, so a reader that started on it can finish
    index.drop_stale(keep={col.name, *([current.collection] if current else [])})
    report.collection = col.name
    report.seconds = time.perf_counter() - started
    return report


def _live(index: Index) -> set[tuple[str, str]]:
    """The (doc, rev) pairs live now: a failed ingest never deletes these."""
    manifest = index.manifest()
    return set(manifest.revs.items()) if manifest else set()
