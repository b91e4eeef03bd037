"""200 concurrent API questions over loopback to a real uvicorn server: every one answered, once."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest

from bot.stats import percentile
from tests.conftest import REPO
from tests.test_web_api import serving

pytestmark = [pytest.mark.slow, pytest.mark.integration]

CONCURRENT = 200


def student_questions() -> list[str]:
    """Questions as students type them, from the development set."""
    path = REPO / "eval" / "datasets" / "student_dev.jsonl"
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [i["question"] for i in items if not i["history"]]


async def test_200_concurrent_questions_are_each_answered_once(real_services, tmp_path):
    questions = student_questions()
    with serving(real_services, tmp_path, web_rate_limit=0) as (served, store):
        limits = httpx.Limits(max_connections=CONCURRENT, max_keepalive_connections=CONCURRENT)
        async with httpx.AsyncClient(base_url=served.url, limits=limits, timeout=300) as client:

            async def ask(n: int) -> tuple[int, str, httpx.Response, float]:
                question = questions[n % len(questions)]
                started = time.perf_counter()
                if n % 4 == 3:  # a quarter through the OpenAI-compatible endpoint
                    body = {"model": "policybot", "messages": [{"role": "user", "content": question}]}
                    response = await client.post("/v1/chat/completions", json=body)
                else:
                    response = await client.post("/api/ask", json={"question": question})
                return n, question, response, (time.perf_counter() - started) * 1000

            started = time.perf_counter()
            results = await asyncio.gather(*(ask(n) for n in range(CONCURRENT)))
            wall = time.perf_counter() - started
        stored = [store.get(n) for n in range(1, CONCURRENT + 2)]

    assert [r.status_code for _, _, r, _ in results] == [200] * CONCURRENT
    answers = [r.json() if n % 4 != 3 else r.json()["policybot"] for n, _, r, _ in results]
    assert [a["question"] for a in answers] == [q for _, q, _, _ in results]  # each reply is to its own question
    ids = [a["id"] for a in answers]
    assert len(set(ids)) == CONCURRENT  # recorded once each
    assert sorted(ids) == [row["id"] for row in stored if row]  # and nothing else was stored
    assert sum(a["grounded"] for a in answers) > CONCURRENT * 0.8
    latencies = [ms for *_, ms in results]
    p50, p95 = percentile(latencies, 0.5), percentile(latencies, 0.95)
    print(f"\n{CONCURRENT} concurrent questions in {wall:.1f} s: p50 {p50:.0f} ms, p95 {p95:.0f} ms")
    assert p95 < 240_000  # bounded: a stuck server fails instead of hanging
