"""Identity: normalised URLs and terms, identity keys and guids.

A note's guid is a hash of its identity key, and the key never contains the
sentence text, so fixing a typo in a sentence updates the card instead of
making a new one. See docs/DESIGN.md before changing anything here: a change
to these functions gives every existing user's notes new guids (duplicates).
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .model import Article

_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|ref|ref_src|cmpid|CMP)$")
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "‐": "-", "–": "-", "—": "-"})
_BASE91 = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_`{|}~"
)


@functools.lru_cache(maxsize=1 << 16)
def normalize_term(term: str) -> str:
    """Case, width, quotes and spacing do not change a term's identity."""
    text = unicodedata.normalize("NFKC", term).translate(_QUOTES).casefold()
    return " ".join(text.split())


@functools.lru_cache(maxsize=1 << 14)
def normalize_url(url: str) -> str:
    """Scheme, 'www.', fragment, tracking parameters and a trailing slash do not count."""
    raw = url.strip()
    try:
        parts = urlsplit(raw)
    except ValueError:
        return raw
    if not parts.netloc:
        return raw
    host = parts.hostname or ""
    host = host.lower().removeprefix("www.")
    if parts.port:
        host = f"{host}:{parts.port}"
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)
    ]
    path = parts.path.rstrip("/")
    return urlunsplit(("", host, path, urlencode(sorted(query)), "")).lstrip("/")


def post_key(path: str) -> str:
    """A post's identity when its sentences have no article: the file name, not the title."""
    return os.path.splitext(os.path.basename(path))[0]


def article_scope(article: Article | None, path: str, section: tuple[str, ...]) -> str:
    """Where occurrences are counted: the article URL, else the post and section path."""
    if article is not None and article.url:
        return normalize_url(article.url)
    return "post:" + post_key(path) + "/" + "/".join(normalize_term(s) for s in section)


def guid_for(key: str) -> str:
    """A 10-character guid from the first 64 bits of the key's SHA-256."""
    number = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big")
    chars = []
    while number:
        number, digit = divmod(number, len(_BASE91))
        chars.append(_BASE91[digit])
    return "".join(reversed(chars)) or _BASE91[0]
