"""Telegram load at scale (not in CI): 200 questions from 50 chats to the real bot over a local Bot API server.

Run from a checkout (it uses the test suite's fake Bot API server):

    python -m eval.scale.telegram_load --notices 500 [--work-dir DIR]

The corpus is the bundled notices and look-alike distractors (as `policybot bench --scale` makes them),
embedded by the hashed-n-gram embeddings server; answers are extractive; the local embedding model's
thread count does not matter here (the server embeds). Prints the latencies as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from bot.chain import AnswerChain
from bot.feedback import FeedbackStore
from bot.services import Services
from bot.settings import Settings
from bot.tg.app import PolicyBot, build_application
from eval.scale.distractors import build_knowledge
from eval.scale.embed_server import EmbeddingsServer
from tests.bot_api_server import FakeBotAPI

QUESTIONS = {
    "贵州2022年特岗计划招多少人？": "6000",
    "2024届通知对校级就业工作人员配备比例有什么要求？": "500:1",
    "2022年就业促进周什么时候举办？": "5月9日",
    "贵州宏志助航计划的培训任务是多少人？": "9000",
}


async def _load(bot: PolicyBot, chats: int, per_chat: int) -> dict[str, float]:
    """Push every question at once, wait for every reply, return the latencies."""
    order = list(QUESTIONS)
    with FakeBotAPI() as api:
        app = build_application(bot, api.token, api.base_url, timeout=30)
        async with app:
            await bot.post_init(app)
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0.0, timeout=1)
            pushed: dict[tuple[int, int], float] = {}
            started = time.monotonic()
            for n in range(per_chat):
                for chat in range(100, 100 + chats):
                    pushed[(chat, n)] = time.monotonic()
                    api.message(chat, order[(chat + n) % len(order)])
            deadline = time.monotonic() + 900
            while time.monotonic() < deadline:
                done = [len([m for m in api.sent(c) if "fb:" in json.dumps(m)]) for c in range(100, 100 + chats)]
                if all(d >= per_chat for d in done):
                    break
                await asyncio.sleep(0.2)
            wall = time.monotonic() - started
            await app.updater.stop()
            await app.stop()
    sent = [(t, int(p["chat_id"]), p) for t, m, p in api.calls if m == "sendMessage" and "fb:" in json.dumps(p)]
    latencies, right = [], 0
    for chat in range(100, 100 + chats):
        replies = [(t, p) for t, c, p in sent if c == chat]
        for n, (t, p) in enumerate(replies[:per_chat]):
            latencies.append((t - pushed[(chat, n)]) * 1000)
            right += QUESTIONS[order[(chat + n) % len(order)]] in str(p.get("text", "")).replace(" ", "")
    latencies.sort()
    return {
        "questions": chats * per_chat,
        "answered": len(latencies),
        "right_figure": right,
        "wall_s": round(wall, 1),
        "p50_ms": round(statistics.median(latencies)),
        "p95_ms": round(latencies[int(0.95 * len(latencies)) - 1]),
        "max_ms": round(latencies[-1]),
    }


def main() -> None:
    """Build the corpus and index, run the load, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--notices", type=int, default=500)
    parser.add_argument("--chats", type=int, default=50)
    parser.add_argument("--per-chat", type=int, default=4)
    parser.add_argument("--work-dir", type=Path, default=None)
    args = parser.parse_args()
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="policybot-tgload-"))
    knowledge, data = work / "knowledge", work / "data"
    if not knowledge.exists():
        build_knowledge(knowledge, args.notices)
    with EmbeddingsServer() as server:
        os.environ.update({"OPENAI_API_KEY": "bench", "OPENAI_BASE_URL": server.base_url})
        settings = Settings(
            data_dir=data, knowledge_dir=knowledge, embeddings="openai", mode="extractive", telegram_rate_limit=1000
        )
        services = Services(settings)
        started = time.monotonic()
        services.ingest()
        ingest_s = time.monotonic() - started
        bot = PolicyBot(AnswerChain(services, mode="extractive"), settings, FeedbackStore(work / "fb.sqlite3", "x"))
        result = asyncio.run(_load(bot, args.chats, args.per_chat))
    print(json.dumps({"notices": args.notices, "ingest_s": round(ingest_s, 1), **result}, ensure_ascii=False))


if __name__ == "__main__":
    main()
