"""Run policybot's command line in a subprocess and measure it: wall time, exit status, its own peak memory."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import bot

# Settings a benchmark run sets itself: the caller's values (or .env) must not leak into a measured run.
CLEARED_PREFIXES = ("POLICYBOT_", "OPENAI_", "CHROMA_", "TELEGRAM_")


class CommandFailed(RuntimeError):
    """A measured command exited with an error."""


@dataclass(frozen=True)
class Run:
    """One finished command."""

    args: list[str]
    seconds: float
    max_rss_mb: float
    stdout: str
    stderr: str


def policybot_command() -> list[str]:
    """How to start the policybot that this process imports (the same code, whatever PATH says)."""
    return [sys.executable, "-m", "bot.cli"]


def child_env(settings: dict[str, str]) -> dict[str, str]:
    """The environment of a measured run: this one without policybot's settings, plus `settings`, with the
    folder that holds the imported `bot` package first on PYTHONPATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(CLEARED_PREFIXES)}
    code_root = str(Path(bot.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join([code_root, *filter(None, [os.environ.get("PYTHONPATH")])])
    env["PYTHONUNBUFFERED"] = "1"
    return env | settings


def run(command: list[str], env: dict[str, str], cwd: Path, logs: Path, name: str) -> Run:
    """Run a command with its output in LOGS/NAME.out and .err; raise CommandFailed on a non-zero exit.

    The peak resident memory is the child's own (os.wait4), not a maximum over every child so far.
    """
    logs.mkdir(parents=True, exist_ok=True)
    out_path, err_path = logs / f"{name}.out", logs / f"{name}.err"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:  # interrupted: leave no measured process behind
            proc.kill()
            proc.wait()
            raise
        seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    stdout = out_path.read_text(encoding="utf-8", errors="replace")
    stderr = err_path.read_text(encoding="utf-8", errors="replace")
    if proc.returncode != 0:
        tail = stderr.strip().splitlines()[-1:] or ["(no message)"]
        raise CommandFailed(f"{name}: {' '.join(command[2:5])} exited {proc.returncode}: {tail[0]} (log: {err_path})")
    return Run(command, seconds, usage.ru_maxrss / 1024, stdout, stderr)


def policybot(args: list[str], env: dict[str, str], cwd: Path, logs: Path, name: str) -> Run:
    """Run `policybot ARGS` (see `run`)."""
    return run([*policybot_command(), *args], env, cwd, logs, name)


def median(values: list[float]) -> float:
    """The median (0.0 of nothing)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
