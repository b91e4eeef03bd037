"""Answers given by the front ends and the votes on them, in SQLite; users appear only as salted hashes."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import secrets
import sqlite3
import statistics
import threading
import time
from pathlib import Path
from typing import Any

from bot.answer import Answer
from bot.settings import Settings
from bot.stats import percentile

SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    chat_type TEXT NOT NULL,
    user_hash TEXT NOT NULL,
    question TEXT NOT NULL,
    history TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,
    grounded INTEGER NOT NULL,
    mode TEXT NOT NULL,
    latency_ms REAL NOT NULL,
    vote INTEGER,
    voted_at REAL
)
"""
EXPORT_COLUMNS = (
    "id",
    "at",
    "chat_type",
    "user_hash",
    "question",
    "history",
    "answer",
    "citations",
    "grounded",
    "mode",
    "latency_ms",
    "vote",
)


def make_private(path: Path) -> None:
    """Create the file readable and writable by its owner only (0600), or tighten one that exists."""
    fd = os.open(path, os.O_CREAT | os.O_RDONLY, 0o600)  # the mode applies at creation: no window at 0644
    try:
        if os.fstat(fd).st_mode & 0o077:
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def load_secret(data_dir: Path, name: str) -> str:
    """A random secret kept in a private file (0600) in the data dir, created at first use."""
    path = data_dir / name
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        draft = data_dir / f".{name}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(draft, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)  # private from the start
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(secrets.token_hex(16))
        try:
            os.link(draft, path)  # atomic and never replaces: a process that got there first wins
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    make_private(path)
    return path.read_text(encoding="utf-8").strip()


def load_salt(settings_salt: str | None, data_dir: Path) -> str:
    """The configured salt, else a random one kept (private) in the data dir."""
    return settings_salt or load_secret(data_dir, "feedback-salt")


class FeedbackStore:
    """One row per answer sent, with the vote it got; safe to use from several threads."""

    def __init__(self, path: Path, salt: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        for name in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            if name == path or name.exists():  # SQLite gives its -wal and -shm files the database's mode
                make_private(name)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(SCHEMA)
        self._salt = salt
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> FeedbackStore:
        """The store in the data dir, with the configured or the kept salt."""
        salt = settings.feedback_salt.get_secret_value() if settings.feedback_salt else None
        return cls(settings.feedback_db, load_salt(salt, settings.data_dir))

    def user_hash(self, user_id: int) -> str:
        """A salted hash of a Telegram user id (the id itself is never stored)."""
        return hashlib.sha256(f"{self._salt}:{user_id}".encode()).hexdigest()[:24]

    def record(self, answer: Answer, history: list[str], chat_type: str, user_id: int, latency_ms: float) -> int:
        """Store an answer that was sent; return its id (used in the buttons under it)."""
        citations = json.dumps([c.model_dump() for c in answer.citations], ensure_ascii=False)
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO answers (at, chat_type, user_hash, question, history, answer, citations, grounded, mode,"
                " latency_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    time.time(),
                    chat_type,
                    self.user_hash(user_id),
                    answer.question,
                    json.dumps(history, ensure_ascii=False),
                    answer.answer,
                    citations,
                    int(answer.grounded),
                    answer.mode,
                    latency_ms,
                ),
            )
        return int(cursor.lastrowid or 0)

    def get(self, answer_id: int) -> dict[str, Any] | None:
        """A stored answer with its citations decoded."""
        with self._lock:
            row = self._db.execute("SELECT * FROM answers WHERE id = ?", (answer_id,)).fetchone()
        if row is None:
            return None
        data = dict(row)
        data["citations"] = json.loads(data["citations"])
        data["history"] = json.loads(data["history"])
        return data

    def vote(self, answer_id: int, vote: int) -> bool:
        """Record 👍 (1) or 👎 (-1) on an answer; False when there is no such answer."""
        with self._lock:
            cursor = self._db.execute(
                "UPDATE answers SET vote = ?, voted_at = ? WHERE id = ?", (vote, time.time(), answer_id)
            )
        return cursor.rowcount == 1

    def stats(self) -> dict[str, Any]:
        """Questions answered, share declined, latency percentiles and vote counts."""
        with self._lock:
            rows = self._db.execute("SELECT grounded, latency_ms, vote FROM answers").fetchall()
        latencies = [r["latency_ms"] for r in rows]
        return {
            "questions": len(rows),
            "declined_share": round(statistics.mean(1 - r["grounded"] for r in rows), 3) if rows else 0.0,
            "latency_ms_p50": percentile(latencies, 0.5),
            "latency_ms_p95": percentile(latencies, 0.95),
            "thumbs_up": sum(1 for r in rows if r["vote"] == 1),
            "thumbs_down": sum(1 for r in rows if r["vote"] == -1),
        }

    def export_csv(self, path: Path) -> int:
        """Write every stored answer as CSV for staff; return the row count."""
        with self._lock:
            rows = self._db.execute(f"SELECT {', '.join(EXPORT_COLUMNS)} FROM answers ORDER BY id").fetchall()
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(EXPORT_COLUMNS)
            writer.writerows(tuple(r) for r in rows)
        return len(rows)

    def export_eval(self, path: Path) -> int:
        """Write 👎 answers as candidate evaluation items (CONTRACT.md §5) for staff to correct; return the count."""
        with self._lock:
            rows = self._db.execute("SELECT * FROM answers WHERE vote = -1 ORDER BY id").fetchall()
        with path.open("w", encoding="utf-8") as f:
            for row in rows:
                history = json.loads(row["history"])
                cited = json.loads(row["citations"])
                grounded = bool(row["grounded"]) and bool(cited)
                item = {
                    "id": f"fb-{row['id']}",
                    "question": row["question"],
                    "history": history,
                    "answerable": grounded,
                    "gold": [{"doc": c["doc"], "clause": c["clause"]} for c in cited] if grounded else [],
                    "facts": [],
                    "kind": "multiturn" if history else ("fact" if grounded else "refuse"),
                }
                f.write(json.dumps(item, ensure_ascii=False) + "\n")
        return len(rows)

    def close(self) -> None:
        """Close the database."""
        self._db.close()
