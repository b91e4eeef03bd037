"""Files that ship with policybot: the bundled notices, the prompt files and the lexicon."""

from __future__ import annotations

from pathlib import Path

from bot.settings import REPO_ROOT


def bundled_knowledge() -> Path:
    """The folder of bundled notices."""
    return REPO_ROOT / "knowledge"


def prompts_dir() -> Path:
    """The folder of prompt files."""
    return REPO_ROOT / "prompts"


def lexicon_file() -> Path:
    """The word lists that read a question (one YAML file)."""
    return Path(__file__).resolve().parent / "lexicon" / "zh.yaml"
