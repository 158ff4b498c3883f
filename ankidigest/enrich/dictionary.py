"""Dictionaries: the embedded ECDICT subset (loaded lazily, once a process) and a chain.

A dictionary is anything with ``get(word) -> Entry | None`` matching a lower-cased key.
``Lookup`` chains several (user dictionaries first), follows British-form redirects and
tries British/US spelling variants.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from importlib import resources
from typing import Protocol

from .datafile import Buffer, Index, read, reference
from .entry import Entry, from_fields, parse_translations
from .phonetic import to_ipa
from .spelling import any_variant_in, spelling_variants

__all__ = ["Dictionary", "EmbeddedDictionary", "Lookup", "MemoryDictionary", "spelling_variants"]

DATA_FILE = "ecdict.tsv"


class Dictionary(Protocol):
    def get(self, word: str) -> Entry | None: ...


class EmbeddedDictionary:
    """The ECDICT subset shipped in ``data/``: read and indexed on first use.

    The file (``datafile``'s format) stays one bytes object; the index is the tuple of
    keys (sorted, as the build script writes them), a dict of them for misses, and the
    file's table of the number of rows ending before every block of rows. A hit finds
    its row by two ``bisect`` calls and a few ``find`` calls and parses it; the entry is
    kept for the next call. Keys out of order (not what the build writes) fall back to
    ``reference_index``: a dict of every row, the first row of a key winning.
    """

    def __init__(self, data: bytes | None = None) -> None:
        self._data = data
        self._index: Index | None = None
        self._keys: dict[str, None] | None = None  # the index's keys, once loaded
        self._parsed: dict[str, Entry | None] = {}
        self._translated: dict[str, Entry] = {}  # ``translations``' entries
        self._lock = threading.Lock()

    def load(self) -> Index:
        index = self._index
        if index is not None:
            return index
        with self._lock:
            if self._index is None:
                self._index = Index(self._blob())
                self._keys = self._index.keys
            return self._index

    def _blob(self) -> Buffer:
        if self._data is not None:
            return self._data
        return read(resources.files(__package__).joinpath("data").joinpath(DATA_FILE))

    def reference_index(self) -> dict[str, bytes]:
        """Every key and its row, built the plain way (the differential tests' reference)."""
        return reference(self._blob())

    def __len__(self) -> int:
        return len(self.load())

    def __contains__(self, word: str) -> bool:
        keys = self._keys
        if keys is None:
            keys = self.load().keys
        return word.lower() in keys

    def get(self, word: str) -> Entry | None:
        key = word.lower()
        entry = self._parsed.get(key)
        if entry is not None:
            return entry
        keys = self._keys
        if keys is None:
            keys = self.load().keys
        if key not in keys:  # a miss costs two dict look-ups; nothing is stored for it
            return None
        row = self.load().row_of(key)
        entry = self._parsed[key] = from_fields(row.decode("utf-8").split("\t"))
        return entry

    def translations(self, word: str) -> Entry | None:
        """An entry of ``get(word)``'s translations alone (the rest of the row unparsed)."""
        key = word.lower()
        entry = self._parsed.get(key) or self._translated.get(key)
        if entry is not None:
            return entry
        index = self.load()
        if key not in index.keys:
            return None
        fields = index.row_of(key).split(b"\t", 4)
        text = fields[3].decode("utf-8") if len(fields) > 3 else ""
        entry = Entry(word=fields[0].decode("utf-8"), translations=parse_translations(text))
        self._translated[key] = entry  # kept, as ``get`` keeps its entries
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
        self._has: Callable[[str], bool] | None = None

    def known(self, word: str) -> bool:
        """False only when ``find(word)`` is None for certain (``word`` lower-case).

        One set look-up for ``word`` and each of its variants, no entry built; always True
        when some dictionary cannot answer ``in``.
        """
        has = self.membership()
        return has is None or has(word) or any_variant_in(word, has)

    def membership(self) -> Callable[[str], bool] | None:
        """``word in`` some dictionary, for a lower-case word (``exact(word)`` is None
        exactly when it is false); None when some dictionary cannot answer ``in``."""
        if not self._can_test:
            return None
        has = self._has
        if has is None:
            has = self._has = _membership(self.dictionaries)
        return has

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

    def translations(self, word: str) -> Entry | None:
        """``find(word)`` for its ``translations`` alone (what ``rerank.Bridge`` reads): a
        word of the embedded dictionary no user dictionary has that is no redirect gets
        its translations without the rest of its row parsed; any other word ``find``'s
        entry (tests/test_enrich_cache.py checks both give the same translations)."""
        dicts = self.dictionaries
        last = dicts[-1] if dicts else None
        if (
            isinstance(last, EmbeddedDictionary)
            and self._can_test
            and not any(word in d for d in dicts[:-1])  # type: ignore[operator]
        ):
            light = last.translations(word)
            if light is not None and light.redirect is None:
                return light
        return self.find(word)

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


def _membership(dictionaries: Sequence[Dictionary]) -> Callable[[str], bool]:
    """``word in`` some dictionary, for a lower-case word: the key dicts tested directly."""
    tests: list[Callable[[str], bool]] = []
    for d in dictionaries:
        if isinstance(d, EmbeddedDictionary):
            tests.append(d.load().keys.__contains__)
        elif isinstance(d, MemoryDictionary):
            tests.append(d._entries.__contains__)
        else:
            tests.append(d.__contains__)  # type: ignore[operator]
    if len(tests) == 1:
        return tests[0]
    return lambda word: any(test(word) for test in tests)


def normalised(entry: Entry) -> Entry:
    """``entry`` with its phonetic rewritten as IPA (user dictionaries carry raw marks)."""
    return replace(entry, phonetic=to_ipa(entry.phonetic)) if entry.phonetic else entry
