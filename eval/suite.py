"""An evaluation suite: several datasets, each against the bundled notices or with extra notices indexed beside them."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from bot.chain import AnswerChain
from bot.corpus import Corpus
from bot.extract import BINARY_SUFFIXES, SKIP_NAMES, TEXT_SUFFIXES
from bot.services import Services


class SuiteError(ValueError):
    """A gate file that is not a valid suite or threshold list."""


class SuiteRun(BaseModel):
    """One dataset of a suite: where it is, the extra notices it needs, the thresholds it must meet."""

    name: str = Field(pattern=r"^[a-z0-9_.+-]+$")
    dataset: Path
    notices: list[Path] = Field(default_factory=list)
    thresholds: dict[str, float] = Field(default_factory=dict)


def load_gate(path: Path, dataset: Path, notices: list[Path]) -> list[SuiteRun]:
    """Read a gate file: a suite (`{"runs": [...]}`) or plain thresholds for the one dataset given."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SuiteError(f"{path}: cannot read the gate file ({exc})") from exc
    try:
        if isinstance(data, dict) and "runs" in data:
            base = path.resolve().parent
            runs = [SuiteRun.model_validate(run) for run in data["runs"]]
            for run in runs:  # paths in a suite are relative to the repository (the gate file's parent's parent)
                run.dataset = _resolve(run.dataset, base)
                run.notices = [_resolve(p, base) for p in run.notices]
            return runs
        return [SuiteRun(name=dataset.stem, dataset=dataset, notices=notices, thresholds=data)]
    except (ValidationError, TypeError) as exc:
        raise SuiteError(f"{path}: not a suite or a threshold list ({exc})") from exc


def gate_date(path: Path) -> date | None:
    """The day a suite's labels were written for (`today`), so 今年 and the stale caveat are judged against it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return date.fromisoformat(data["today"]) if isinstance(data, dict) and "today" in data else None
    except (OSError, ValueError, TypeError) as exc:
        raise SuiteError(f"{path}: 'today' is not a date (YYYY-MM-DD) ({exc})") from exc


def _resolve(path: Path, gate_dir: Path) -> Path:
    """A suite path as written (absolute, or relative to the repository that holds the gate file's folder)."""
    return path if path.is_absolute() else (gate_dir.parent / path)


def notice_files(paths: list[Path]) -> list[Path]:
    """The notice files of the given files and folders (a folder's own files, not its sub-folders)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += [
                p
                for p in sorted(path.iterdir())
                if p.is_file()
                and p.suffix.lower() in TEXT_SUFFIXES | BINARY_SUFFIXES
                and p.name.lower() not in SKIP_NAMES
            ]
        else:
            found.append(path)
    return found


def corpus_with(corpus: Corpus, notices: list[Path]) -> Corpus:
    """The bundled notices plus extra ones, in an index of their own under the data dir (built once, then reused)."""
    if not notices:
        return corpus
    files = notice_files(notices)
    key = hashlib.sha256("\n".join(str(p.resolve()) for p in files).encode()).hexdigest()[:12]
    settings = corpus.settings.model_copy(update={"data_dir": corpus.settings.data_dir / "eval-indexes" / key})
    extended = Corpus(Services(settings, embeddings=corpus.embeddings))
    extended.ingest([settings.knowledge_dir, *files])
    return extended


def chain_with(chain: AnswerChain, notices: list[Path]) -> AnswerChain:
    """The same chain (mode, k, model) over the bundled notices plus extra ones; the chain itself when none."""
    if not notices:
        return chain
    model = chain.llm() if chain.mode == "llm" else None
    return AnswerChain(corpus_with(chain.corpus, notices), mode=chain.mode, k=chain.k, llm=model)
