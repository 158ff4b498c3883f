"""Dictionaries: the embedded ECDICT subset (loaded lazily, once a process) and a chain.

A dictionary is anything with ``get(word) -> Entry | None`` matching a lower-cased key.
``Lookup`` chains several (user dictionaries first), follows British-form redirects and
tries British/US spelling variants.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Sequence
from dataclasses import replace
from importlib import resources
from typing import Protocol

from .entry import Entry, from_fields
from .phonetic import to_ipa
from .spelling import spelling_variants

__all__ = ["Dictionary", "EmbeddedDictionary", "Lookup", "MemoryDictionary", "spelling_variants"]

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
                words = keys.decode("utf-8").split("\n")
                lines = rows.rstrip(b"\n").split(b"\n")
                # reversed: of rows with one key the first (the lower-case word) wins
                self._index = dict(zip(reversed(words), reversed(lines), strict=True))
            return self._index

    def __len__(self) -> int:
        return len(self.load())

    def __contains__(self, word: str) -> bool:
        return word.lower() in self.load()

    def get(self, word: str) -> Entry | None:
        key = word.lower()
        entry = self._parsed.get(key)
        if entry is not None:
            return entry
        row = self.load().get(key)
        if row is None:  # a miss costs two dict look-ups; nothing is stored for it
            return None
        entry = self._parsed[key] = from_fields(row.decode("utf-8").split("\t"))
        return entry


class MemoryDictionary:
    """Entries held in a plain dict (user dictionaries, tests)."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self._entries: dict[str, Entry] = {}
        for entry in entries:
            self._entries.setdefault(entry.word.lower(), entry)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, word: str) -> bool:
        return word.lower() in self._entries

    def get(self, word: str) -> Entry | None:
        return self._entries.get(word.lower())


_EMBEDDED: EmbeddedDictionary | None = None


def embedded() -> EmbeddedDictionary:
    """The process-wide embedded dictionary (nothing is read until the first look-up)."""
    global _EMBEDDED
    if _EMBEDDED is None:
        _EMBEDDED = EmbeddedDictionary()
    return _EMBEDDED


class Lookup:
    """Look words up in several dictionaries in order, resolving redirects and variants."""

    def __init__(self, dictionaries: Sequence[Dictionary]) -> None:
        self.dictionaries = tuple(dictionaries)
        # When every dictionary answers ``in`` (``word in d`` exactly when ``d.get(word)``
        # is not None), a spelling variant no dictionary has costs one set look-up each.
        self._can_test = all(hasattr(d, "__contains__") for d in self.dictionaries)

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
        if not self._can_test:
            return self._find_variant(word)
        dictionaries = self.dictionaries
        for variant in spelling_variants(word.lower()):
            if any(variant in d for d in dictionaries):  # type: ignore[operator]
                entry = self.exact(variant)
                if entry is not None:
                    return entry
        return None

    def _find_variant(self, word: str) -> Entry | None:
        """The reference path of ``find`` after ``exact``: every variant looked up."""
        for variant in spelling_variants(word.lower()):
            entry = self.exact(variant)
            if entry is not None:
                return entry
        return None


def normalised(entry: Entry) -> Entry:
    """``entry`` with its phonetic rewritten as IPA (user dictionaries carry raw marks)."""
    return replace(entry, phonetic=to_ipa(entry.phonetic)) if entry.phonetic else entry
