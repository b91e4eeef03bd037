"""A built wheel, installed (not editable) into a fresh venv, answers offline from another directory; CI = README."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from bot.resources import bundled_knowledge, prompts_dir

CHECKOUT = Path(__file__).resolve().parents[1]
NOT_SOURCES = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "runs", ".*cache")
MINIMAL_PATH = "/usr/bin:/bin"


def run(command: list[str], **kwargs) -> str:
    """Run a command; its stdout, or a failure that shows its stderr."""
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, **kwargs)
    assert result.returncode == 0, f"{command[:4]} exited {result.returncode}: {result.stderr[-2000:]}"
    return result.stdout


def offline(command: list[str]) -> list[str]:
    """The command with the network cut when this machine allows it (`unshare -n`)."""
    unshare = shutil.which("unshare", path=MINIMAL_PATH)
    if unshare and subprocess.run([unshare, "-n", "true"], capture_output=True).returncode == 0:
        return [unshare, "-n", *command]
    return command


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from a copy of the checkout's sources (pip fetches the build backend from the registry)."""
    source = tmp_path_factory.mktemp("clone") / "policybot"
    shutil.copytree(CHECKOUT, source, ignore=NOT_SOURCES)
    out = tmp_path_factory.mktemp("dist")
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)]
    run(build, env=clean_env())
    return next(out.glob("policybot-*.whl"))


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding the wheel; its dependencies are this interpreter's (a .pth file), not a checkout."""
    env_dir = tmp_path_factory.mktemp("venv")
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    purelib = run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).strip()
    install = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", str(wheel)]
    run(install, env=clean_env())
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}  # added after: pip sees only the wheel
    Path(purelib, "dependencies.pth").write_text("\n".join(sorted(ours)) + "\n", encoding="utf-8")
    return env_dir


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without the checkout or a venv on any path (pip would count a checkout's egg-info)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "POLICYBOT_KNOWLEDGE_DIR")}
    return {**env, "PATH": MINIMAL_PATH, **extra}


def test_ci_runs_the_readme_test_command_verbatim():
    readme = (CHECKOUT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"Install and run the tests.*?```bash\n(.+?)\n```", readme, re.S)
    assert match, "the README has its test command"
    ci = (CHECKOUT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert ci[-1] == match.group(1)
    assert f"env PATH={MINIMAL_PATH} .venv/bin/python -m pytest" in ci[-1], "the suite runs with a minimal PATH"


@pytest.mark.slow
def test_the_wheel_carries_the_notices_prompts_and_datasets(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in bundled_knowledge().glob("*.md"):
        assert f"bot/knowledge/{path.name}" in names
    for path in prompts_dir().glob("*.md"):
        assert f"bot/prompt_files/{path.name}" in names
    assert "eval/datasets/policy_qa.jsonl" in names
    sources = {str(p.relative_to(CHECKOUT)) for d in ("bot", "eval") for p in (CHECKOUT / d).rglob("*.py")}
    sources = {s for s in sources if not s.startswith("eval/fixtures/")}  # test-data generators stay in the checkout
    assert sources <= names, "every module of the checkout is in the wheel"


@pytest.mark.slow
def test_an_installed_wheel_answers_offline_from_another_directory(installed, real_index_dir, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(real_index_dir, data)  # the index the session built; the installed code reads it
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = clean_env(POLICYBOT_DATA_DIR=str(data), HOME=str(elsewhere))
    show = "import bot.resources as r; print(r.bundled_knowledge())"
    where = run(offline([str(installed / "bin" / "python"), "-c", show]), cwd=elsewhere, env=env).strip()
    assert Path(where).is_relative_to(installed), "the notices come from the installed package, not the checkout"
    assert sorted(p.name for p in Path(where).glob("*.md")) == sorted(p.name for p in bundled_knowledge().glob("*.md"))

    ask = [str(installed / "bin" / "policybot"), "ask", "--json", "贵州2022年特岗计划招多少人？"]
    answer = json.loads(run(offline(ask), cwd=elsewhere, env=env))
    assert answer["grounded"] and "6000" in answer["answer"]
    assert (answer["citations"][0]["doc"], answer["citations"][0]["clause"]) == ("guizhou-2022-class", "二、6.")
