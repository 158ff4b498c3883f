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

from ankidigest.model import Article

_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|ref|ref_src|cmpid|CMP)$")
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "‐": "-", "–": "-", "—": "-"})
_BASE91 = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_`{|}~"
)


@functools.lru_cache(maxsize=1 << 16)
def normalize_term(term: str) -> str:
    """Case, width, quotes and spacing do not change a term's identity."""
    if term.isascii():  # NFKC and _QUOTES change no ASCII character; casefold is lower
        text = term.lower()
    else:
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


# Every two-digit base-91 number, "aa" (0) to "~~" (8280): two digits per step below.
_PAIRS = tuple(high + low for high in _BASE91 for low in _BASE91)
_PAIR_BASE = len(_PAIRS)  # 91 * 91


def guid_for(key: str) -> str:
    """A 10-character guid from the first 64 bits of the key's SHA-256.

    "surrogateescape": a file name that is not UTF-8 reaches the key as lone
    surrogates, which go back to the name's own bytes; any other key encodes as
    plain UTF-8, so no guid changes."""
    data = key.encode("utf-8", "surrogateescape")
    return base91(int.from_bytes(hashlib.sha256(data).digest()[:8], "big"))


def base91(number: int) -> str:
    """``number`` (0 <= number < 2**64) in base 91, most significant digit first,
    without leading zero digits ('a' for zero)."""
    # 91**10 > 2**64, so five pairs of digits always hold the number (two digits a
    # step halves the divisions); the zero digits ('a') they may start with are stripped.
    number, fifth = divmod(number, _PAIR_BASE)
    number, fourth = divmod(number, _PAIR_BASE)
    number, third = divmod(number, _PAIR_BASE)
    first, second = divmod(number, _PAIR_BASE)
    pairs = _PAIRS[first] + _PAIRS[second] + _PAIRS[third] + _PAIRS[fourth] + _PAIRS[fifth]
    return pairs.lstrip(_BASE91[0]) or _BASE91[0]


LEMMA_PREFIX = "deck:"
LEMMA_MARK = "#lemma:"


def lemma_key(deck: str, lemma: str) -> str:
    """The key of a ``--group lemma`` note: its word within its deck, nothing else, so
    adding or removing a sentence of the word keeps the note (and its history)."""
    return f"{LEMMA_PREFIX}{normalize_term(deck)}{LEMMA_MARK}{normalize_term(lemma)}"


def lemma_of_key(key: str) -> str | None:
    """The lemma of a ``--group lemma`` key, None for any other key."""
    if not key.startswith(LEMMA_PREFIX):
        return None
    _, mark, lemma = key.rpartition(LEMMA_MARK)
    return lemma if mark else None
