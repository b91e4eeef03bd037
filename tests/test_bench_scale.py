"""The scale benchmark: its distractor notices, its embeddings server, and a smoke run of `policybot bench --scale`."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys

import numpy as np
import openai
import pytest
from langchain_openai import OpenAIEmbeddings

from bot.clauses import parse_structure
from bot.extract import load_documents
from eval.scale.distractors import DistractorMaker, build_knowledge, load_sources, notices_for
from eval.scale.embed_server import DIMENSIONS, EmbeddingsServer, embed
from tests.conftest import REPO

FIGURE = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(?=万人|人|名|家|所|个|场)")


def _source_of(meta: dict) -> str:
    """The bundled doc id a distractor was made from (named in its `source` field)."""
    return re.search(r"distractor of (\S+)", meta["source"])[1]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """A knowledge folder of 2× the bundled notices: the five and five distractors, then 20 more."""
    folder = tmp_path_factory.mktemp("scale") / "knowledge"
    build_knowledge(folder, 30, seed=3)
    return folder


def test_factors_count_the_bundled_notices():
    assert notices_for(1) == len(load_sources()) == 5
    assert notices_for(400) == 2000


def test_distractors_load_with_policybot_s_notice_loader_with_unique_ids(corpus):
    notices = load_documents([corpus])  # refuses duplicate doc ids and bad headers
    assert len(notices) == 30
    assert len({n.meta.doc for n in notices}) == 30
    assert (corpus / "examples.yaml").exists()


def test_distractors_are_other_regions_and_years_with_other_figures(corpus):
    sources = {s.doc: s for s in load_sources()}
    bundled_scopes = {str(s.meta["scope"]) for s in sources.values()}
    distractors = [n for n in load_documents([corpus]) if n.meta.doc not in sources]
    assert len(distractors) == 25
    for notice in distractors:
        meta, source = notice.meta, sources[_source_of(notice.meta.model_dump())]
        assert meta.scope not in bundled_scopes and not meta.scope.startswith("贵州")
        assert "贵州" not in notice.text and "黔教发" not in notice.text
        assert 2019 <= int(meta.cohort[:4]) <= 2024
        assert meta.doc_number and meta.doc_number in notice.text  # printed, never only invented
        assert meta.cohort[:4] in meta.title and meta.issuer in meta.title
        old = FIGURE.findall(source.text)
        new = FIGURE.findall(notice.text)
        assert len(new) == len(old) and all(a != b for a, b in zip(old, new, strict=True))
        clauses = [c.path for c in parse_structure(notice.text).clauses]
        assert clauses == [c.path for c in parse_structure(source.text).clauses]
    assert len({n.meta.scope for n in distractors}) > 10
    cities = [n for n in distractors if n.meta.issuer.endswith("市教育局")]
    assert cities and all(n.meta.scope.endswith(n.meta.issuer.removesuffix("教育局")) for n in cities)


def test_a_guizhou_lookalike_changes_the_special_post_figure():
    maker = DistractorMaker(seed=0)
    index = next(i for i in range(50) if _source_of(maker.make(i).meta) == "guizhou-2022-class")
    text = maker.make(index).text
    figure = re.search(r"“特岗计划”拟招聘 (\d+) 人", text)
    assert figure and figure[1] != "6000"


def test_distractors_are_deterministic_per_seed_and_index():
    a, b = DistractorMaker(seed=7), DistractorMaker(seed=7)
    assert a.make(12).render() == b.make(12).render()
    assert DistractorMaker(seed=8).make(12).render() != a.make(12).render()


def test_hashed_vectors_are_unit_length_and_mean_something():
    q, near, far = embed("贵州2022年特岗计划招多少人"), embed("2022 年全省“特岗计划”拟招聘 6000 人"), embed("征兵入伍")
    assert q.shape == (DIMENSIONS,) and abs(float(np.linalg.norm(q)) - 1) < 1e-5
    assert float(q @ near) > float(q @ far) + 0.2
    assert np.allclose(embed("特岗 计划"), embed("特岗计划"))  # whitespace does not count
    assert abs(float(np.linalg.norm(embed(""))) - 1) < 1e-5


def test_the_server_answers_the_openai_client_and_langchain():
    with EmbeddingsServer() as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="x", max_retries=0)
        reply = client.embeddings.create(model="any", input=["一", "二三"])  # the client asks for base64
        assert [d.index for d in reply.data] == [0, 1] and len(reply.data[0].embedding) == DIMENSIONS
        assert np.allclose(reply.data[1].embedding, embed("二三"), atol=1e-6)
        floats = client.embeddings.create(model="any", input="二三", encoding_format="float", dimensions=64)
        assert len(floats.data[0].embedding) == 64
        tokens = client.embeddings.create(model="any", input=[[1, 2, 3], [4]], encoding_format="float")
        assert len(tokens.data) == 2
        with pytest.raises(openai.BadRequestError):
            client.embeddings.create(model="any", input=[{"not": "text"}])  # type: ignore[list-item]
        lc = OpenAIEmbeddings(model="m", api_key="x", base_url=server.base_url, check_embedding_ctx_length=False)
        assert np.allclose(lc.embed_query("二三"), embed("二三"), atol=1e-6)
        assert len(lc.embed_documents(["一", "二", "三"])) == 3
        assert server.texts == 2 + 1 + 2 + 1 + 3


def test_base64_replies_are_little_endian_float32():
    from eval.scale.embed_server import response

    data = response({"input": "特岗", "encoding_format": "base64"})["data"][0]["embedding"]
    assert np.allclose(np.frombuffer(base64.b64decode(data), dtype="<f4"), embed("特岗"))


@pytest.mark.slow
def test_bench_scale_smoke_writes_every_field(tmp_path):
    out = tmp_path / "results"
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", "bench", "--scale", "--smoke", "--out", str(out)],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    [path] = out.glob("scale-smoke-*.json")
    assert path.with_suffix(".md").exists() and path.with_suffix(".png").stat().st_size > 1000
    results = json.loads(path.read_text(encoding="utf-8"))
    assert results["finished"] and results["machine"]["nproc"] >= 1 and results["machine"]["chromadb"]
    [run] = results["runs"]
    assert run["notices"] == 6 and run["distractors"] == 1 and run["chunks"] > 100
    ingest = run["ingest"]
    assert ingest["full"]["notices_added"] == 6 and ingest["add_one"]["notices_added"] == 1
    for key in ("full_s", "noop_s", "add_one_s", "add_one_over_full", "full_max_rss_mb"):
        assert ingest[key] > 0, key
    assert run["cold_ask"]["median_s"] > 0 and run["cold_ask"]["first_citation"] == "guizhou-2022-class"
    warm = run["warm"]
    assert warm["answers"] == 4 and warm["errors"] == 0 and warm["max_rss_mb"] > 50
    assert 0 < warm["p50_ms"] <= warm["p95_ms"] <= warm["p99_ms"]
    assert run["quality"]["items"] == 4 and run["quality"]["first_citation"] is not None
    assert run["quality"]["facts"] is not None
    local = results["local_embeddings"]
    # a share of two wall times of a few seconds each: measured, not bounded here (it exceeded 1 on a loaded
    # machine, where the hashed ingest's start-up took longer than the whole local one)
    assert local["chunks"] > 0 and local["chunks_per_s"] > 0 and local["non_embedding_share"] >= 0
