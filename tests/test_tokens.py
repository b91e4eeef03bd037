"""tiktoken works offline from the bundled vocab, verified by hash."""

from __future__ import annotations

import hashlib

import pytest

from bot import tokens


def test_counts_chinese_tokens_from_the_local_cache(tmp_path):
    enc = tokens.get_encoding(str(tmp_path / "tk"))
    text = "2022 年全省“特岗计划”拟招聘 6000 人"
    assert enc.decode(enc.encode(text)) == text
    assert tokens.count_tokens(text, tmp_path / "tk") == len(enc.encode(text))


def test_cache_file_is_named_and_hashed_as_tiktoken_expects(tmp_path):
    path = tokens.seed_cache(tmp_path)
    url = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
    assert path.name == hashlib.sha1(url.encode()).hexdigest()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == tokens._SHA256["cl100k_base"]


def test_a_tampered_cache_file_is_replaced(tmp_path):
    path = tokens.seed_cache(tmp_path)
    path.write_bytes(b"tampered")
    tokens.seed_cache(tmp_path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == tokens._SHA256["cl100k_base"]


def test_a_bundled_vocab_with_the_wrong_hash_is_refused(tmp_path, monkeypatch):
    monkeypatch.setitem(tokens._SHA256, "cl100k_base", "0" * 64)
    with pytest.raises(tokens.VocabError):
        tokens.seed_cache(tmp_path)
