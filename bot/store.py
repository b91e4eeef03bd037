"""The Chroma index: embedded or a server, with an atomic pointer to the active collection.

Each build writes a fresh collection; a one-record manifest collection names the active one.
Readers follow the manifest, so a build that dies midway leaves the previous index answering.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import chromadb
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.config import Settings as ChromaSettings

from bot.chunks import Chunk
from bot.settings import Settings

MANIFEST = "policybot-manifest"
PREFIX = "policybot-ix-"
_ACTIVE_ID = "active"


class IndexNotReady(RuntimeError):
    """The index is missing or unusable; the message says what to run."""


class IndexChanged(RuntimeError):
    """Another ingest (another process or machine) switched the index while this one was building."""


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

    def to_metadata(self) -> dict[str, Any]:
        """Flatten for storage as Chroma metadata."""
        return {
            "collection": self.collection,
            "model": self.model,
            "hashes": json.dumps(self.hashes, sort_keys=True, ensure_ascii=False),
            "sources": json.dumps(self.sources, sort_keys=True, ensure_ascii=False),
            "built_at": self.built_at,
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
        )


def make_client(settings: Settings) -> ClientAPI:
    """Connect to Chroma: a server when CHROMA_HOST is set, else embedded under the data dir."""
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

    def chunks(self, name: str) -> list[Chunk]:
        """Every chunk of a build, in reading order."""
        got = self.collection(name).get(include=["documents", "metadatas"])
        docs = got.get("documents") or []
        metas = got.get("metadatas") or []
        chunks = [Chunk.from_record(text, dict(meta)) for text, meta in zip(docs, metas, strict=True)]
        return sorted(chunks, key=lambda c: (c.doc, c.order, c.part))
