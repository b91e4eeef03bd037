"""A build as a process reads it: every live chunk and the lexical index, cached on disk per build.

The cache lives under the data dir (`builds/<collection>.<generation>/`), keyed by the manifest's build
id, so it can never answer for another build than the one the manifest names. The ingest that makes a
build writes its cache before switching the manifest; any other process (another bot on this machine,
or on another machine sharing a Chroma server) that finds no cache for the active build reads the live
records a page at a time and writes the cache itself. A cache that is missing, partial or unreadable is
simply made again.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import overload

import numpy as np

from bot.chunks import Chunk
from bot.lexical import LexicalIndex, Rows, Vocabulary
from bot.store import Index, Manifest

log = logging.getLogger(__name__)

_CHUNKS = "chunks.jsonl"
_STAMP = "build.json"
_SPANS = "spans.json"
FORMAT = 3
"""The cache's layout and weighting; a cache of another format is made again."""
KEEP = 2
"""Cached builds kept on disk: the active one and the one before (a reader may still be on it)."""


class StoredChunks(Sequence[Chunk]):
    """A cached build's chunks, read from their JSON lines when asked for (not all at start-up)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines

    def __len__(self) -> int:
        return len(self.lines)

    @overload
    def __getitem__(self, i: int) -> Chunk: ...
    @overload
    def __getitem__(self, i: slice) -> list[Chunk]: ...
    def __getitem__(self, i: int | slice) -> Chunk | list[Chunk]:
        if isinstance(i, slice):
            return [Chunk.model_construct(**json.loads(line)) for line in self.lines[i]]
        return Chunk.model_construct(**json.loads(self.lines[i]))


@dataclass
class Build:
    """One index build: its manifest, its live chunks in reading order, their lexical index (row i = chunk i),
    and where each notice's chunks lie."""

    manifest: Manifest
    chunks: Sequence[Chunk]
    lexical: LexicalIndex
    spans: dict[str, tuple[int, int]]


def _key(chunk: Chunk) -> tuple[str, int, int]:
    """Reading order: notice, clause, part."""
    return (chunk.doc, chunk.order, chunk.part)


def _line(chunk: Chunk) -> str:
    """A chunk as its cache line."""
    return json.dumps(chunk.model_dump(), ensure_ascii=False)


def lines_of(chunks: Sequence[Chunk], start: int = 0, end: int | None = None) -> list[str]:
    """Cache lines of a run of chunks (a cached build's are copied as they are, not parsed)."""
    if isinstance(chunks, StoredChunks):
        return chunks.lines[start:end]
    return [_line(c) for c in chunks[start:end]]


def derive(previous: Build | None, manifest: Manifest, fresh: list[Chunk]) -> Build:
    """The next build: the previous build's notices still live at the same revision, and the fresh chunks.

    Only the fresh chunks are read and tokenised; a kept notice's cache lines and lexical rows are copied
    as one run each.
    """
    vocabulary = Vocabulary(dict(previous.lexical.vocabulary.ids)) if previous else Vocabulary()
    new: dict[str, list[Chunk]] = {}
    for chunk in sorted(fresh, key=_key):
        new.setdefault(chunk.doc, []).append(chunk)
    kept: set[str] = set()
    if previous is not None:
        revs = manifest.revs
        kept = {doc for doc, rev in previous.manifest.revs.items() if revs.get(doc) == rev and doc not in new}
        kept &= set(previous.spans)
    lines: list[str] = []
    terms: list[np.ndarray] = []
    counts: list[np.ndarray] = []
    lengths: list[np.ndarray] = []
    spans: dict[str, tuple[int, int]] = {}
    for doc in sorted(kept | set(new)):
        begin = len(lines)
        if doc in new:
            for chunk in new[doc]:
                row_terms, row_counts = vocabulary.row(chunk.lexical_text)
                lines.append(_line(chunk))
                terms.append(row_terms)
                counts.append(row_counts)
                lengths.append(np.array([len(row_terms)], dtype=np.int64))
        else:
            assert previous is not None
            start, end = previous.spans[doc]
            rows = previous.lexical.rows
            low, high = rows.offsets[start], rows.offsets[end]
            lines += lines_of(previous.chunks, start, end)
            terms.append(rows.terms[low:high])
            counts.append(rows.counts[low:high])
            lengths.append(np.diff(rows.offsets[start : end + 1]))
        spans[doc] = (begin, len(lines))
    offsets = np.concatenate([[0], np.cumsum(np.concatenate(lengths))]) if lengths else np.zeros(1)
    rows = Rows(
        np.concatenate(terms).astype(np.int32) if terms else np.zeros(0, np.int32),
        np.concatenate(counts).astype(np.int32) if counts else np.zeros(0, np.int32),
        offsets.astype(np.int64),
    )
    return Build(manifest, StoredChunks(lines), LexicalIndex(vocabulary, rows), spans)


def from_records(index: Index, manifest: Manifest) -> Build:
    """A build read from the index itself, a page at a time (when this machine has no cache of it)."""
    return derive(None, manifest, index.chunks(manifest.collection, manifest.revs))


def folder_of(root: Path, manifest: Manifest) -> Path:
    """Where a build's cache lives."""
    return root / manifest.build_id


def save(root: Path, build: Build) -> None:
    """Write a build's cache (atomically: a reader sees all of it or none), and prune older ones."""
    root.mkdir(parents=True, exist_ok=True)
    target = folder_of(root, build.manifest)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=root))
    try:
        with (staging / _CHUNKS).open("w", encoding="utf-8") as out:
            out.writelines(line + "\n" for line in lines_of(build.chunks))
        build.lexical.save(staging / "lexical")
        (staging / _SPANS).write_text(json.dumps(build.spans, ensure_ascii=False), encoding="utf-8")
        stamp = {"build": build.manifest.build_id, "chunks": len(build.chunks), "format": FORMAT}
        (staging / _STAMP).write_text(json.dumps(stamp), encoding="utf-8")
        shutil.rmtree(target, ignore_errors=True)
        os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    prune(root, keep={target.name})


def prune(root: Path, keep: set[str]) -> None:
    """Delete cached builds but the newest KEEP (and those named), and staging left by a killed process."""
    folders = sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True)
    builds = [p for p in folders if not p.name.startswith(".staging-")]
    for path in builds[KEEP:] + [p for p in folders if p.name.startswith(".staging-")]:
        if path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)


def read(root: Path, manifest: Manifest) -> Build:
    """A build's cache; raises OSError or ValueError when it is missing, partial or for another build."""
    folder = folder_of(root, manifest)
    stamp = json.loads((folder / _STAMP).read_text(encoding="utf-8"))
    if stamp.get("build") != manifest.build_id or stamp.get("format") != FORMAT:
        raise ValueError(f"{folder} holds build {stamp.get('build')} in format {stamp.get('format')}")
    chunks = StoredChunks((folder / _CHUNKS).read_text(encoding="utf-8").splitlines())
    lexical = LexicalIndex.load(folder / "lexical")
    spans = {doc: (int(a), int(b)) for doc, (a, b) in json.loads((folder / _SPANS).read_text(encoding="utf-8")).items()}
    if len(chunks) != stamp["chunks"] or len(lexical) != len(chunks):
        raise ValueError(f"{folder} is incomplete")
    return Build(manifest, chunks, lexical, spans)


def load(root: Path, index: Index, manifest: Manifest) -> Build:
    """The active build: from this machine's cache, else read from the index and cached for the next process."""
    try:
        return read(root, manifest)
    except (OSError, ValueError, KeyError, json.JSONDecodeError):
        pass
    build = from_records(index, manifest)
    try:
        save(root, build)
    except OSError as exc:  # a read-only data dir still answers, from memory
        log.warning("could not cache the index build in %s: %s", root, exc)
    return build
