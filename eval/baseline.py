"""The textbook LangChain pipeline, scored beside ours: split the notices 500/50, embed, top-4 similarity."""

from __future__ import annotations

import uuid
from pathlib import Path

import chromadb
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_text_splitters import RecursiveCharacterTextSplitter

from bot.notice import load_notice

CHUNK_SIZE = 500
CHUNK_OVERLAP = 50
TOP_K = 4


class TextbookBaseline:
    """RecursiveCharacterTextSplitter(500, 50) over each notice's full text, the same embeddings, in-memory Chroma."""

    def __init__(self, knowledge_dir: Path, embeddings: Embeddings) -> None:
        splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
        documents: list[Document] = []
        for path in sorted(knowledge_dir.glob("*.md")):
            notice = load_notice(path)
            documents += splitter.create_documents([notice.text], metadatas=[{"doc": notice.meta.doc}])
        client = chromadb.EphemeralClient(ChromaSettings(anonymized_telemetry=False))
        self.store = Chroma(
            client=client, collection_name=f"baseline-{uuid.uuid4().hex[:8]}", embedding_function=embeddings
        )
        self.store.add_documents(documents)
        self.chunks = len(documents)

    def retrieve(self, question: str) -> str:
        """The text of the top-4 chunks for a question (follow-ups get no history: the textbook has none)."""
        return "\n".join(d.page_content for d in self.store.similarity_search(question, k=TOP_K))
