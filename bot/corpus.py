"""The indexed notices as the chain and the front ends see them: one object, one active build."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from langchain_core.embeddings import Embeddings

from bot import build
from bot.chunks import Chunk, clause_texts
from bot.ingest import IngestReport, Progress
from bot.profile import CorpusProfile
from bot.retrieval import HybridRetriever
from bot.services import Services
from bot.settings import Settings
from bot.sources import describe_sources

EXAMPLES_FILE = "examples.yaml"
MAX_EXAMPLES = 5


class Corpus:
    """The notices in the active index build: what is indexed, a clause's text, ingesting, limits."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._retriever: HybridRetriever | None = None
        self._build = ""
        self._sources: list[dict[str, Any]] | None = None

    @property
    def settings(self) -> Settings:
        """The settings this corpus was opened with."""
        return self.services.settings

    @property
    def embeddings(self) -> Embeddings:
        """The embedding model the index was built with."""
        return self.services.embeddings

    @property
    def max_question_chars(self) -> int:
        """How much of a question is read; the rest is cut."""
        return self.settings.max_question_chars

    def is_built(self) -> bool:
        """Whether an index build exists (else the first question or ingest builds one)."""
        return self.services.index.manifest() is not None

    def ensure(self, progress: Progress | None = None) -> IngestReport | None:
        """Build the index from the bundled notices if none exists yet."""
        return self.services.ensure_index(progress)

    def ingest(
        self,
        paths: list[Path] | None = None,
        rebuild: bool = False,
        overrides: dict[str, Any] | None = None,
        progress: Progress | None = None,
        replace: bool = False,
    ) -> IngestReport:
        """Build or update the index; the next question reads the new build."""
        return self.services.ingest(paths, rebuild, overrides, progress, replace)

    def retriever(self) -> HybridRetriever:
        """The retriever over the active build, loaded again only when the index changed."""
        services = self.services
        manifest = services.index.require(services.model_id)
        if self._retriever is None or manifest.build_id != self._build:
            made = build.load(self.settings.builds_dir, services.index, manifest)
            self._retriever = HybridRetriever.from_build(services.index.client, made, services.embeddings)
            self._build = manifest.build_id
            self._sources = None
        return self._retriever

    @property
    def profile(self) -> CorpusProfile:
        """What the active build covers: regions, cohorts, doc numbers (read from the notices' metadata)."""
        return self.retriever().profile

    @property
    def chunks(self) -> Sequence[Chunk]:
        """Every chunk of the active build, in reading order."""
        return self.retriever().chunks

    def sources(self) -> list[dict[str, Any]]:
        """The indexed notices (CONTRACT.md §4 `sources --json`), listed once per build."""
        retriever = self.retriever()
        if self._sources is None:
            self._sources = describe_sources(list(retriever.chunks))
        return self._sources

    def examples(self) -> list[str]:
        """Example questions for this corpus: `examples.yaml` in the knowledge folder, else made from the profile."""
        path = self.settings.knowledge_dir / EXAMPLES_FILE
        if path.exists():
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            if isinstance(data, list) and all(isinstance(q, str) for q in data):
                return [q.strip() for q in data if q.strip()][:MAX_EXAMPLES]
        profile = self.profile
        made = [f"{n.region.name}{n.cohort}毕业生有哪些就业政策？" for n in profile.notices.values()]
        return list(dict.fromkeys(made))[:MAX_EXAMPLES]

    def clause_texts(self) -> Mapping[tuple[str, str], str]:
        """Every clause's full stored text, by (doc, clause path): each notice's read when first asked for."""
        return ClauseTexts(self.retriever())

    def clause_text(self, doc: str, clause: str) -> str | None:
        """One clause's full stored text, or None when the active build has no such clause."""
        return self.clause_texts().get((doc, clause))


class ClauseTexts(Mapping[tuple[str, str], str]):
    """The full text of each clause of a build, by (doc, clause path), read a notice at a time."""

    def __init__(self, retriever: HybridRetriever) -> None:
        self._retriever = retriever

    def __getitem__(self, key: tuple[str, str]) -> str:
        doc, clause = key
        return clause_texts([c for c in self._retriever.notice_chunks(doc) if c.clause == clause])[key]

    def __iter__(self) -> Iterator[tuple[str, str]]:
        for doc in self._retriever.spans:
            yield from dict.fromkeys((doc, c.clause) for c in self._retriever.notice_chunks(doc))

    def __len__(self) -> int:
        return sum(1 for _ in self)
