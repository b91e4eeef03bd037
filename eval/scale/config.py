"""What a scale benchmark run measures, and the environment its policybot processes run in."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eval.dataset import DEFAULT_DATASET
from eval.scale.measure import child_env

COLD_QUESTION = "贵州2022年特岗计划招多少人？"
TODAY = "2026-11-30"  # POLICYBOT_TODAY for every run, so answers about 今年 do not drift with the calendar
DEFAULT_FACTORS = (1, 10, 100, 400)


@dataclass
class ScaleConfig:
    """One benchmark run: the corpus sizes (in notices) and how much to measure at each."""

    notices: list[int]
    label: str
    factors: list[float] = field(default_factory=list)
    out: Path = Path("bench/results")
    seed: int = 0
    cold_runs: int = 3
    dataset: Path = DEFAULT_DATASET
    questions: int | None = None  # only the first N items of the dataset
    local_embeddings: bool = True
    local_notices: int | None = None  # how many bundled notices the local-model ingest reads (None: all)
    local_chars: int | None = None  # cut each of them after about this many characters (None: whole)
    chroma_server: bool = False
    work: Path | None = None  # where the generated corpora and indexes go (None: a temporary folder)
    today: str = TODAY

    def to_json(self) -> dict[str, Any]:
        """The configuration as recorded in the results."""
        data = {k: (str(v) if isinstance(v, Path) else v) for k, v in self.__dict__.items()}
        data["work"] = str(self.work) if self.work else None
        return data


def dataset_items(config: ScaleConfig) -> list[dict[str, Any]]:
    """The evaluation items the run uses (the first `questions` of the dataset when set)."""
    lines = [line for line in config.dataset.read_text(encoding="utf-8").splitlines() if line.strip()]
    items = [json.loads(line) for line in lines]
    return items[: config.questions] if config.questions else items


def run_env(
    data: Path, knowledge: Path, config: ScaleConfig, embeddings_url: str | None, chroma_port: int | None = None
) -> dict[str, str]:
    """Settings for a measured policybot process: its own data and knowledge folders, extractive answers,
    the benchmark's embeddings server (or the local model when `embeddings_url` is None), maybe a Chroma server."""
    settings = {
        "POLICYBOT_DATA_DIR": str(data),
        "POLICYBOT_KNOWLEDGE_DIR": str(knowledge),
        "POLICYBOT_MODE": "extractive",
        "POLICYBOT_TODAY": config.today,
    }
    if embeddings_url:
        settings |= {"POLICYBOT_EMBEDDINGS": "openai", "OPENAI_BASE_URL": embeddings_url, "OPENAI_API_KEY": "x"}
    if chroma_port:
        settings |= {"CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(chroma_port)}
    return child_env(settings)


Say = Callable[[str], None]
