"""Prompt files under prompts/, loaded as LangChain chat prompts with their variables checked."""

from __future__ import annotations

import string
from functools import cache

from langchain_core.messages import BaseMessage
from langchain_core.prompts import ChatPromptTemplate, PromptTemplate

from bot.resources import prompts_dir

# Every prompt file and the variables it must use, no more and no fewer.
VARIABLES: dict[str, set[str]] = {
    "system": set(),
    "answer": {"clauses", "question"},
    "condense": {"history", "question"},
    "judge": {"gold", "question", "answer"},
}
# The chat prompts the code sends: (role, prompt file) per message.
CHATS: dict[str, tuple[tuple[str, str], ...]] = {
    "answer": (("system", "system"), ("human", "answer")),
    "condense": (("human", "condense"),),
    "judge": (("human", "judge"),),
}


class PromptError(ValueError):
    """A prompt file is missing or its variables differ from what the code fills in."""


@cache
def load_prompt(name: str) -> str:
    """Read prompts/NAME.md and check that it uses exactly the declared variables."""
    folder = prompts_dir()
    if name not in VARIABLES:
        raise PromptError(f"unknown prompt '{name}' (expected one of {sorted(VARIABLES)})")
    path = folder / f"{name}.md"
    if not path.is_file():
        raise PromptError(
            f"prompt file {path} is missing: policybot needs {', '.join(f'{n}.md' for n in VARIABLES)} in {folder}"
        )
    text = path.read_text(encoding="utf-8")
    try:
        used = {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
    except ValueError as exc:  # a lone { or }
        raise PromptError(f"{path}: {exc} (write literal braces as {{{{ and }}}})") from exc
    if used != VARIABLES[name]:
        raise PromptError(f"{path}: uses variables {sorted(used)}, expected {sorted(VARIABLES[name])}")
    return text


@cache
def chat_prompt(name: str) -> ChatPromptTemplate:
    """The chat prompt for a task ('answer', 'condense', 'judge'), built from its prompt files."""
    if name not in CHATS:
        raise PromptError(f"unknown chat prompt '{name}' (expected one of {sorted(CHATS)})")
    parts = CHATS[name]
    template = ChatPromptTemplate.from_messages([(role, load_prompt(file)) for role, file in parts])
    declared = set().union(*(VARIABLES[file] for _, file in parts))
    if set(template.input_variables) != declared:
        raise PromptError(f"chat prompt '{name}' takes {sorted(template.input_variables)}, expected {sorted(declared)}")
    return template


def _check(name: str, wanted: set[str], values: dict[str, str]) -> None:
    """A missing or unknown variable is an error (LangChain itself ignores unknown ones)."""
    if set(values) != wanted:
        raise PromptError(f"prompt '{name}' takes {sorted(wanted)}, got {sorted(values)}")


def messages(name: str, **values: str) -> list[BaseMessage]:
    """The messages of a chat prompt with its variables filled in."""
    template = chat_prompt(name)
    _check(name, set(template.input_variables), values)
    return template.format_messages(**values)


def render(name: str, **values: str) -> str:
    """One prompt file's text with its variables filled in."""
    text = load_prompt(name)
    _check(name, VARIABLES[name], values)
    return PromptTemplate.from_template(text).format(**values)


def check_prompts() -> None:
    """Load every prompt now, so a missing or broken file stops the start, not a question."""
    for name in CHATS:
        chat_prompt(name)


def all_prompt_lines() -> list[str]:
    """Every non-trivial line of every prompt (the leakage scorer looks for these in answers)."""
    return [line.strip() for name in VARIABLES for line in load_prompt(name).splitlines() if len(line.strip()) >= 12]


def instruction_text() -> str:
    """What the model is told but a student must never be shown: the system prompt and the answer prompt's own words."""
    answer = load_prompt("answer")
    for variable in VARIABLES["answer"]:
        answer = answer.replace("{" + variable + "}", "")
    return load_prompt("system") + "\n" + answer
