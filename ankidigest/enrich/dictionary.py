"""Dictionaries: the embedded ECDICT subset (loaded lazily, once a process) and a chain.

A dictionary is anything with ``get(word) -> Entry | None`` matching a lower-cased key.
``Lookup`` chains several (user dictionaries first), follows British-form redirects and
tries British/US spelling variants.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import replace
from importlib import resources
from typing import Protocol

from .entry import Entry, from_fields
from .phonetic import to_ipa

DATA_FILE = "ecdict.tsv.gz"


class Dictionary(Protocol):
    def get(self, word: str) -> Entry | None: ...


class EmbeddedDictionary:
    """The ECDICT subset shipped in ``data/``: decompressed and indexed on first use.

    Rows stay undecoded bytes until looked up; a parsed entry is kept for the next call.
    """

    def __init__(self, data: bytes | None = None) -> None:
        self._data = data
        self._index: dict[str, bytes] | None = None
        self._parsed: dict[str, Entry | None] = {}
        self._lock = threading.Lock()

    def load(self) -> dict[str, bytes]:
        index = self._index
        if index is not None:
            return index
        with self._lock:
            if self._index is None:
                blob = self._data
                if blob is None:
                    blob = (
                        resources.files(__package__)
                        .joinpath("data")
                        .joinpath(DATA_FILE)
                        .read_bytes()
                    )
                keys, _, rows = zlib.decompress(blob, 31).partition(b"\n\n")
                # reversed: of rows with one key the first (the lower-case word) wins
                pairs = zip(
                    keys.decode("utf-8").split("\n"), rows.rstrip(b"\n").split(b"\n"), strict=True
                )
                self._index = dict(reversed(list(pairs)))
            return self._index

    def __len__(self) -> int:
        return len(self.load())

    def get(self, word: str) -> Entry | None:
        key = word.lower()
        try:
            return self._parsed[key]
        except KeyError:
            pass
        row = self.load().get(key)
        entry = from_fields(row.decode("utf-8").split("\t")) if row is not None else None
        self._parsed[key] = entry
        return entry


class MemoryDictionary:
    """Entries held in a plain dict (user dictionaries, tests)."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self._entries: dict[str, Entry] = {}
        for entry in entries:
            self._entries.setdefault(entry.word.lower(), entry)

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, word: str) -> Entry | None:
        return self._entries.get(word.lower())


_EMBEDDED: EmbeddedDictionary | None = None


def embedded() -> EmbeddedDictionary:
    """The process-wide embedded dictionary (nothing is read until the first look-up)."""
    global _EMBEDDED
    if _EMBEDDED is None:
        _EMBEDDED = EmbeddedDictionary()
    return _EMBEDDED


# British <-> US spelling rules: (British ending or infix, US one), tried both ways.
_SUFFIX_PAIRS = (
    ("ise", "ize"),
    ("ised", "ized"),
    ("ising", "izing"),
    ("ises", "izes"),
    ("isation", "ization"),
    ("isations", "izations"),
    ("yse", "yze"),
    ("ysed", "yzed"),
    ("ysing", "yzing"),
    ("our", "or"),
    ("ours", "ors"),
    ("re", "er"),
    ("res", "ers"),
    ("ogue", "og"),
    ("ence", "ense"),
)
_INFIX_PAIRS = (("our", "or"), ("oeu", "eu"), ("ae", "e"), ("oe", "e"), ("ll", "l"))


def spelling_variants(word: str) -> Iterator[str]:
    """Yield British/US spellings of ``word`` (not ``word`` itself), most likely first."""
    seen = {word}
    for brit, us in _SUFFIX_PAIRS:
        for a, b in ((brit, us), (us, brit)):
            if word.endswith(a) and len(word) > len(a) + 2:
                cand = word[: -len(a)] + b
                if cand not in seen:
                    seen.add(cand)
                    yield cand
    for brit, us in _INFIX_PAIRS:
        for a, b in ((brit, us), (us, brit)):
            at = word.find(a, 1)
            if at > 0:
                cand = word[:at] + b + word[at + len(a) :]
                if cand not in seen:
                    seen.add(cand)
                    yield cand


class Lookup:
    """Look words up in several dictionaries in order, resolving redirects and variants."""

    def __init__(self, dictionaries: Sequence[Dictionary]) -> None:
        self.dictionaries = tuple(dictionaries)

    def raw(self, word: str) -> Entry | None:
        for dictionary in self.dictionaries:
            entry = dictionary.get(word)
            if entry is not None:
                return entry
        return None

    def exact(self, word: str) -> Entry | None:
        """The entry of ``word`` itself, a redirect replaced by its target's data."""
        entry = self.raw(word)
        if entry is None:
            return None
        target_word = entry.redirect
        if target_word is None:
            return entry
        target = self.raw(target_word)
        if target is None or target.redirect is not None:
            return entry
        return replace(
            target,
            word=entry.word,
            phonetic=entry.phonetic or target.phonetic,
            exchange=entry.exchange or target.exchange,
            tags=target.tags or entry.tags,
            bnc=target.bnc or entry.bnc,
            frq=target.frq or entry.frq,
        )

    def find(self, word: str) -> Entry | None:
        """``exact``, else the first spelling variant found."""
        entry = self.exact(word)
        if entry is not None:
            return entry
        for variant in spelling_variants(word.lower()):
            entry = self.exact(variant)
            if entry is not None:
                return entry
        return None


def normalised(entry: Entry) -> Entry:
    """``entry`` with its phonetic rewritten as IPA (user dictionaries carry raw marks)."""
    return replace(entry, phonetic=to_ipa(entry.phonetic)) if entry.phonetic else entry
