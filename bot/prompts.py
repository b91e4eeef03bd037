"""Prompt files under prompts/, loaded with their variables checked."""

from __future__ import annotations

import string
from functools import cache

from bot.resources import prompts_dir

PROMPTS_DIR = prompts_dir()
VARIABLES = {
    "system": set(),
    "answer": {"clauses", "question"},
    "condense": {"history", "question"},
    "judge": {"gold", "question", "answer"},
}


class PromptError(ValueError):
    """A prompt file is missing or its variables differ from what the code fills in."""


@cache
def load_prompt(name: str) -> str:
    """Read prompts/NAME.md and check that it uses exactly the declared variables."""
    path = PROMPTS_DIR / f"{name}.md"
    if name not in VARIABLES or not path.exists():
        raise PromptError(f"unknown prompt '{name}' (expected one of {sorted(VARIABLES)} in {PROMPTS_DIR})")
    text = path.read_text(encoding="utf-8")
    used = {field for _, field, _, _ in string.Formatter().parse(text) if field}
    if used != VARIABLES[name]:
        raise PromptError(f"{path}: uses variables {sorted(used)}, expected {sorted(VARIABLES[name])}")
    return text


def render(name: str, **values: str) -> str:
    """Fill a prompt's variables; a missing or unknown one is an error."""
    template = load_prompt(name)
    if set(values) != VARIABLES[name]:
        raise PromptError(f"prompt '{name}' takes {sorted(VARIABLES[name])}, got {sorted(values)}")
    return template.format(**values)


def all_prompt_lines() -> list[str]:
    """Every non-trivial line of every prompt (the leakage scorer looks for these in answers)."""
    return [line.strip() for name in VARIABLES for line in load_prompt(name).splitlines() if len(line.strip()) >= 12]
