"""Files that ship with policybot: the bundled notices, the prompt files and the lexicon.

This module is the one place that says where they are. An installed wheel carries them inside the
package (`bot/knowledge/`, `bot/prompt_files/`, `bot/lexicon/`: setup.py maps the repository's
top-level `knowledge/` and `prompts/` there). A source checkout (an editable install, or the
checkout on PYTHONPATH) keeps them at the top of the repository, beside the `bot` package.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def _package_dir() -> Path:
    """The folder the `bot` package was imported from."""
    root = resources.files("bot")
    if not isinstance(root, Path):  # a zipped install; pip always unpacks wheels
        raise RuntimeError(f"policybot must be installed unpacked to read its bundled files (found {root})")
    return root


def _bundled(in_package: str, in_checkout: str) -> Path:
    """A bundled folder: inside the installed package, else at the top of the source checkout."""
    package = _package_dir()
    installed = package / in_package
    return installed if installed.is_dir() else package.parent / in_checkout


def bundled_knowledge() -> Path:
    """The folder of bundled notices (the default knowledge folder)."""
    return _bundled("knowledge", "knowledge")


def prompts_dir() -> Path:
    """The folder of prompt files."""
    return _bundled("prompt_files", "prompts")


def lexicon_file() -> Path:
    """The word lists that read a question (one YAML file)."""
    return _package_dir() / "lexicon" / "zh.yaml"
