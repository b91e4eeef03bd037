"""The Chroma index: embedded or a server, with an atomic pointer to the active build.

A one-record manifest collection names the active collection and, for each notice, the revision of it
that is live (its content hash). An ingest adds the records of changed notices under their new revision
beside the old ones, then switches the manifest: the single write that commits it. Readers keep only
records of live revisions, so an ingest that dies midway leaves the previous index answering, and a
reader that started on the previous manifest can finish (superseded records are deleted one ingest later).
A rebuild, or the first build, writes a fresh collection the same way.

Reads are paged and writes batched within the client's maximum batch size, so no call grows with the archive.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import chromadb
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.api.shared_system_client import SharedSystemClient
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import ChromaError

from bot.chunks import Chunk
from bot.settings import Settings

MANIFEST = "policybot-manifest"
PREFIX = "policybot-ix-"
_ACTIVE_ID = "active"
_PENDING = "pending-"
REV_CHARS = 16
PAGE = 5000
"""Records per read and per write (or the client's maximum batch size, if smaller)."""


def rev_of(content_hash: str) -> str:
    """A notice revision as stored with its records: the start of its content hash."""
    return content_hash[:REV_CHARS]


def record_id(chunk: Chunk, rev: str) -> str:
    """A record's id in Chroma: the chunk's id and the notice revision it belongs to."""
    return f"{chunk.id}@{rev}"


def chunk_id(record: str) -> str:
    """The chunk id inside a record id."""
    return record.rpartition("@")[0] or record


class IndexNotReady(RuntimeError):
    """The index is missing or unusable; the message says what to run."""


class IndexChanged(RuntimeError):
    """Another ingest (another process or machine) switched the index while this one was building."""


class StorageError(IndexNotReady):
    """The index's storage failed: a read-only or full disk, a server that went away. The message says which."""


class ModelMismatchError(IndexNotReady):
    """The index was built with another embedding model than the settings name."""


@dataclass
class Manifest:
    """What the active index is: its collection, the model that built it, and its notices."""

    collection: str
    model: str
    hashes: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    built_at: float = 0.0
    generation: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    retired: list[tuple[str, str]] = field(default_factory=list)
    """(doc, rev) pairs this build superseded: deleted by the next ingest, once readers of the last build are done."""

    @property
    def build_id(self) -> str:
        """Names this build: its collection and generation."""
        return f"{self.collection}.{self.generation}"

    @property
    def revs(self) -> dict[str, str]:
        """The live revision of every notice."""
        return {doc: rev_of(h) for doc, h in self.hashes.items()}

    def to_metadata(self) -> dict[str, Any]:
        """Flatten for storage as Chroma metadata."""
        return {
            "collection": self.collection,
            "model": self.model,
            "hashes": json.dumps(self.hashes, sort_keys=True, ensure_ascii=False),
            "sources": json.dumps(self.sources, sort_keys=True, ensure_ascii=False),
            "built_at": self.built_at,
            "generation": self.generation,
            "counts": json.dumps(self.counts, sort_keys=True, ensure_ascii=False),
            "retired": json.dumps(self.retired, ensure_ascii=False),
        }

    @classmethod
    def from_metadata(cls, data: dict[str, Any]) -> Manifest:
        """Read back from Chroma metadata."""
        return cls(
            collection=str(data["collection"]),
            model=str(data["model"]),
            hashes=json.loads(str(data.get("hashes") or "{}")),
            sources=json.loads(str(data.get("sources") or "{}")),
            built_at=float(data.get("built_at") or 0.0),
            generation=int(data.get("generation") or 0),
            counts=json.loads(str(data.get("counts") or "{}")),
            retired=[(str(d), str(r)) for d, r in json.loads(str(data.get("retired") or "[]"))],
        )


def make_client(settings: Settings) -> ClientAPI:
    """Connect to Chroma: a server when CHROMA_HOST is set, else embedded under the data dir."""
    try:
        return _connect(settings)
    except (ChromaError, OSError, ValueError) as exc:
        SharedSystemClient.clear_system_cache()  # else this process would get the half-started client again
        where = f"the Chroma server {settings.chroma_host}:{settings.chroma_port}"
        where = where if settings.server_mode else str(settings.chroma_dir)
        raise StorageError(f"cannot open the index in {where}: {_reason(exc)}") from exc


def _reason(exc: BaseException) -> str:
    """A storage failure in a few words, with what to check."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    lowered = text.lower()
    if "readonly" in lowered or "read-only" in lowered or "permission" in lowered:
        return f"{text} (is the data dir writable? set POLICYBOT_DATA_DIR to one that is)"
    if "disk is full" in lowered or "no space" in lowered:
        return f"{text} (the disk is full: free some space and run the command again)"
    return text


def storage_error(exc: BaseException, what: str) -> StorageError:
    """A Chroma or disk failure while doing something, as a one-line StorageError."""
    return StorageError(f"{what} failed: {_reason(exc)}")


def _connect(settings: Settings) -> ClientAPI:
    """Make the Chroma client the settings name."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.server_mode:
        headers = {}
        if settings.chroma_auth_token is not None:
            headers["Authorization"] = f"Bearer {settings.chroma_auth_token.get_secret_value()}"
        return chromadb.HttpClient(
            host=str(settings.chroma_host),
            port=settings.chroma_port,
            ssl=settings.chroma_ssl,
            headers=headers,
            settings=chroma_settings,
        )
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)


class Index:
    """The policybot index inside one Chroma client."""

    def __init__(self, client: ClientAPI) -> None:
        self.client = client

    def _manifest_collection(self) -> Collection:
        """The collection holding the pointer to the active index."""
        return self.client.get_or_create_collection(MANIFEST, embedding_function=None)

    def manifest(self) -> Manifest | None:
        """The active index's manifest, or None when nothing was ever built."""
        got = self._manifest_collection().get(ids=[_ACTIVE_ID], include=["metadatas"])
        metadatas = got.get("metadatas") or []
        if not metadatas or metadatas[0] is None:
            return None
        return Manifest.from_metadata(dict(metadatas[0]))

    def require(self, model: str) -> Manifest:
        """The active manifest, checked against the embedding model the caller will query with."""
        manifest = self.manifest()
        if manifest is None:
            raise IndexNotReady("no index yet: run `policybot ingest` to build it")
        if manifest.generation == 0:
            raise IndexNotReady("the index was built by an older policybot: run `policybot ingest --rebuild`")
        if manifest.model != model:
            raise ModelMismatchError(
                f"the index was built with embeddings '{manifest.model}' but the settings ask for "
                f"'{model}': run `policybot ingest --rebuild` to rebuild it with the new model"
            )
        return manifest

    def new_collection(self, model: str) -> Collection:
        """Create an empty collection for a new build."""
        name = f"{PREFIX}{time.strftime('%Y%m%d%H%M%S')}-{time.time_ns() % 1_000_000:06d}"
        return self.client.create_collection(
            name, embedding_function=None, metadata={"embedding_model": model, "hnsw:space": "cosine"}
        )

    def collection(self, name: str) -> Collection:
        """Open a collection by name."""
        return self.client.get_collection(name, embedding_function=None)

    def activate(self, manifest: Manifest) -> None:
        """Point readers at a finished build: the single write that commits it."""
        self._manifest_collection().upsert(
            ids=[_ACTIVE_ID],
            embeddings=[[1.0]],  # type: ignore[arg-type]
            metadatas=[manifest.to_metadata()],
            documents=["active"],
        )

    def drop_stale(self, keep: set[str]) -> None:
        """Delete every build collection but those kept (older or abandoned builds)."""
        for col in self.client.list_collections():
            name = col.name if hasattr(col, "name") else str(col)
            if name.startswith(PREFIX) and name not in keep:
                self.client.delete_collection(name)

    @property
    def batch(self) -> int:
        """Records per read or write: PAGE, or less if the client allows less."""
        return min(PAGE, int(self.client.get_max_batch_size()))

    def records(self, name: str, revs: dict[str, str] | None = None) -> Iterator[Chunk]:
        """Every chunk of a collection, read a page at a time; only live revisions when `revs` is given."""
        col = self.collection(name)
        offset = 0
        while True:
            got = col.get(limit=self.batch, offset=offset, include=["documents", "metadatas"])
            ids = got["ids"]
            if not ids:
                return
            docs = got.get("documents") or []
            metas = got.get("metadatas") or []
            for text, meta in zip(docs, metas, strict=True):
                if revs is None or revs.get(str(meta["doc"])) == meta.get("rev", ""):
                    yield Chunk.from_record(str(text), dict(meta))
            offset += len(ids)

    def chunks(self, name: str, revs: dict[str, str] | None = None) -> list[Chunk]:
        """Every live chunk of a build, in reading order (the active manifest's revisions by default)."""
        if revs is None:
            manifest = self.manifest()
            revs = manifest.revs if manifest and manifest.collection == name else None
        return sorted(self.records(name, revs), key=lambda c: (c.doc, c.order, c.part))

    def add(
        self, col: Collection, chunks: Sequence[Chunk], vectors: Sequence[Sequence[float]], rev: dict[str, str]
    ) -> None:
        """Write chunks with their vectors, tagged with their notice's revision, in batches the client accepts."""
        for start in range(0, len(chunks), self.batch):
            part = chunks[start : start + self.batch]
            col.upsert(
                ids=[record_id(c, rev[c.doc]) for c in part],
                embeddings=cast(Any, [list(v) for v in vectors[start : start + self.batch]]),
                documents=[c.text for c in part],
                metadatas=cast(Any, [{**c.to_metadata(), "rev": rev[c.doc]} for c in part]),
            )

    def record_ids(self, col: Collection, doc: str, rev: str) -> list[str]:
        """The ids of one notice revision's records."""
        where = cast(Any, {"$and": [{"doc": doc}, {"rev": rev}]})
        return list(col.get(where=where, include=[])["ids"])

    def delete_revs(self, col: Collection, pairs: Sequence[tuple[str, str]], keep: set[tuple[str, str]]) -> int:
        """Delete the records of (doc, rev) pairs, except those in `keep`; how many records went."""
        gone = 0
        for doc, rev in dict.fromkeys(pairs):
            if (doc, rev) in keep:
                continue
            ids = self.record_ids(col, doc, rev)
            for start in range(0, len(ids), self.batch):
                col.delete(ids=ids[start : start + self.batch])
            gone += len(ids)
        return gone

    # -- revisions being written ------------------------------------------------------------------

    def mark_pending(self, collection: str, pairs: Sequence[tuple[str, str]]) -> str:
        """Record, before writing them, the revisions an ingest is about to add (to clean up if it dies)."""
        token = _PENDING + uuid.uuid4().hex
        meta = {"collection": collection, "pairs": json.dumps(list(pairs), ensure_ascii=False), "at": time.time()}
        self._manifest_collection().upsert(
            ids=[token], embeddings=cast(Any, [[1.0]]), metadatas=cast(Any, [meta]), documents=["pending"]
        )
        return token

    def clear_pending(self, token: str) -> None:
        """Forget a pending mark (its revisions were committed, or cleaned up)."""
        self._manifest_collection().delete(ids=[token])

    def abandoned(self, older_than: float) -> list[tuple[str, str, list[tuple[str, str]]]]:
        """Pending marks left by ingests that died: (token, collection, pairs), older than the given age."""
        got = self._manifest_collection().get(include=["metadatas"])
        out = []
        for token, meta in zip(got["ids"], got.get("metadatas") or [], strict=True):
            age = time.time() - float(cast(Any, meta.get("at")) or 0) if meta else 0.0
            if token.startswith(_PENDING) and meta and age >= older_than:
                pairs = [(str(d), str(r)) for d, r in json.loads(str(meta.get("pairs") or "[]"))]
                out.append((token, str(meta.get("collection") or ""), pairs))
        return out
