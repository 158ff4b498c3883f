"""One walked and built post, as it travels between processes and the cache.

A ``Result`` is what a post gives (its Document, counts, notes, occurrence scopes);
an entry is the same as plain bytes, ints, strings and tuples, which is what a
helper process sends and the cache stores; ``Documents`` is the posts' Documents in
file order, each unpickled only when asked for.
"""

from __future__ import annotations

import contextlib
import dataclasses
import pickle
from collections.abc import Callable, Iterator, Sequence
from operator import attrgetter
from typing import Any, NamedTuple, overload

from ankidigest.model import Document, NoteSpec
from ankidigest.run.cache import load_document, unpack

# (articles, terms, skips) of a Document: what a summary line needs without the Document.
Counts = tuple[int, int, int]
_NOTE_FIELDS = tuple(f.name for f in dataclasses.fields(NoteSpec))
_note_values = attrgetter(*_NOTE_FIELDS)


class Result(NamedTuple):
    """What one post gives: its Document (or its pickle, decoded only when asked for), the
    Document's counts, its notes built alone, its occurrence scopes and whether every field
    of its notes passed the markup check (sanitize.fields_safe)."""

    document: Document | bytes
    counts: Counts
    notes: list[NoteSpec]
    scopes: frozenset[str]
    safe: bool


# A Result as a cache entry holds it and a worker sends it: only bytes, ints, strings and
# tuples (no class is named in the pickle, so it loads fast): the Document pickled apart,
# and each note as the tuple of its values in NoteSpec's field order.
Entry = tuple[bytes, Counts, list[tuple[Any, ...]], frozenset[str], bool]


def counts_of(doc: Document) -> Counts:
    return doc.articles, doc.term_count, len(doc.skips)


def to_entry(result: Result) -> Entry:
    doc = result.document
    blob = doc if isinstance(doc, bytes) else pickle.dumps(doc, pickle.HIGHEST_PROTOCOL)
    rows = [_note_values(note) for note in result.notes]
    return blob, result.counts, rows, result.scopes, result.safe


def decode(blob: bytes) -> Result | None:
    """The Result in an entry's bytes (as ``cache.pack`` made them), or None when they do
    not decode to one (truncated, foreign, naming a class): a miss, never an error."""
    with contextlib.suppress(Exception):
        return from_entry(unpack(blob))
    return None


def from_entry(entry: Any) -> Result | None:
    """The Result an entry holds, or None when it is not an entry of this shape."""
    if not (isinstance(entry, tuple) and len(entry) == 5):
        return None
    blob, counts, rows, scopes, safe = entry
    if not (
        isinstance(blob, bytes)
        and isinstance(counts, tuple)
        and len(counts) == 3
        and all(type(n) is int for n in counts)
        and isinstance(rows, list)
        and isinstance(scopes, frozenset)
        and isinstance(safe, bool)
        and all(isinstance(row, tuple) and len(row) == len(_NOTE_FIELDS) for row in rows)
    ):
        return None
    # What pickle itself does for a dataclass: a bare instance and its attribute dict,
    # without the 15 object.__setattr__ calls of the frozen __init__ (a third of the
    # time of loading a cached post), in one loop rather than a call per note (a
    # quarter less again: 0.125 -> 0.094 s for 100,000 notes). tests/test_transfer.py
    # checks each equals NoteSpec(*row).
    new = object.__new__
    notes = []
    for row in rows:
        note: NoteSpec = new(NoteSpec)
        note.__dict__.update(zip(_NOTE_FIELDS, row, strict=False))  # lengths checked above
        notes.append(note)
    return Result(blob, counts, notes, scopes, safe)


class Documents(Sequence[Document]):
    """The posts' Documents in file order; a cached or worker-built one is unpickled the
    first time it is asked for, a reused one (see ``reuse.py``) loaded then.
    ``articles``, ``terms`` and ``skipped`` need none of them. ``rebuild(i)``: the i-th
    Document made again from its post, for a pickle that does not load (a damaged
    cache entry)."""

    def __init__(
        self,
        items: Sequence[Document | bytes | Callable[[], Document]],
        counts: Sequence[Counts],
        rebuild: Callable[[int], Document] | None = None,
    ) -> None:
        self._items = list(items)
        self._rebuild = rebuild
        self.articles = sum(c[0] for c in counts)
        self.terms = sum(c[1] for c in counts)
        self.skipped = sum(c[2] for c in counts)

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> Document: ...
    @overload
    def __getitem__(self, index: slice) -> list[Document]: ...
    def __getitem__(self, index: int | slice) -> Document | list[Document]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        item = self._items[index]
        if isinstance(item, bytes):
            try:
                item = load_document(item)
            except Exception:
                if self._rebuild is None:
                    raise
                item = self._rebuild(index)
            self._items[index] = item
        elif not isinstance(item, Document):
            item = self._items[index] = item()
        return item

    def __iter__(self) -> Iterator[Document]:
        for i in range(len(self._items)):
            yield self[i]
