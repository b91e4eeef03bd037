"""A real `chroma run` server on 127.0.0.1 for one benchmark corpus (`policybot bench --scale --chroma-server`)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Self


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ChromaServer:
    """`chroma run --path DIR` on a free port while used as a context manager; its peak memory when stopped."""

    def __init__(self, path: Path, log: Path) -> None:
        self.path = path
        self.log = log
        self.port = free_port()
        self.max_rss_mb: float | None = None
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Self:
        exe = Path(sys.executable).with_name("chroma")  # installed with chromadb, beside this interpreter
        if not exe.exists():
            raise RuntimeError(f"{exe}: no chroma command beside this Python (it ships with chromadb)")
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as log:
            command = [str(exe), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)]
            self.proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"chroma run exited {self.proc.returncode} (log: {self.log})")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/v2/heartbeat", timeout=1):
                    return self
            except OSError:
                time.sleep(0.3)
        self.__exit__()
        raise RuntimeError(f"chroma run did not answer within 60 s (log: {self.log})")

    def __exit__(self, *exc: Any) -> None:
        if self.proc is None or self.proc.returncode is not None:
            return
        self.proc.terminate()
        deadline = time.monotonic() + 20
        while True:
            pid, status, usage = os.wait4(self.proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                self.proc.kill()
                deadline = float("inf")
            time.sleep(0.1)
        self.proc.returncode = os.waitstatus_to_exitcode(status)
        self.max_rss_mb = round(usage.ru_maxrss / 1024, 1)
