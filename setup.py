"""Which packages the wheel holds (the rest of the metadata is in pyproject.toml).

The repository keeps the notices in knowledge/ and the prompt files in prompts/ at its top level;
the wheel carries them inside the package as bot/knowledge/ and bot/prompt_files/, where
bot/resources.py reads them with importlib.resources.
"""

from setuptools import find_namespace_packages, setup

BUNDLED = {"bot.knowledge": "knowledge", "bot.prompt_files": "prompts"}

setup(
    packages=[
        *find_namespace_packages(
            include=["bot", "bot.*", "eval", "eval.*"],
            exclude=["*.__pycache__", "eval.reports*", "eval.fixtures*", "eval.runs*"],
        ),
        *BUNDLED,
    ],
    package_dir=BUNDLED,
)
