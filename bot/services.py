"""Factories that build policybot's parts from the settings, so tests can swap any of them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from filelock import FileLock
from langchain_core.embeddings import Embeddings

from bot.embeddings import make_embeddings, model_id
from bot.ingest import IngestReport, Progress, ingest
from bot.settings import Settings
from bot.store import Index, make_client


class Services:
    """The index and the embedding model, built lazily from the settings."""

    def __init__(
        self,
        settings: Settings,
        embeddings: Embeddings | None = None,
        index: Index | None = None,
    ) -> None:
        self.settings = settings
        self._embeddings = embeddings
        self._index = index

    @property
    def embeddings(self) -> Embeddings:
        """The embedding model (loaded at first use)."""
        if self._embeddings is None:
            self._embeddings = make_embeddings(self.settings)
        return self._embeddings

    @property
    def index(self) -> Index:
        """The Chroma index (connected at first use)."""
        if self._index is None:
            self._index = Index(make_client(self.settings))
        return self._index

    @property
    def model_id(self) -> str:
        """The id of the embedding model the settings name."""
        return model_id(self.settings)

    def ingest(
        self,
        paths: list[Path] | None = None,
        rebuild: bool = False,
        overrides: dict[str, Any] | None = None,
        progress: Progress | None = None,
        replace: bool = False,
    ) -> IngestReport:
        """Build or update the index; one ingest at a time per data dir (a second waits, then has little to do)."""
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        with FileLock(self.settings.data_dir / "ingest.lock"):
            return ingest(
                self.settings,
                self.index,
                self.embeddings,
                self.model_id,
                paths=paths,
                rebuild=rebuild,
                overrides=overrides,
                progress=progress,
                replace=replace,
            )

    def ensure_index(self, progress: Callable[[int, int], None] | None = None) -> IngestReport | None:
        """Build the index from the bundled notices if none exists yet."""
        manifest = self.index.manifest()
        if manifest is None or manifest.generation == 0:  # none yet, or one from before revisions
            return self.ingest(progress=progress)
        return None
