"""The embedded dictionary's data file (``data/ecdict.tsv``) and the index over it.

The file, as ``scripts/build_dictionary.py`` writes it (docs/DESIGN.md says why it is
not compressed and why it carries a table):

* a header line, tab-separated: ``ankidigest-ecdict``, the format (2), the block size
  and the offset of the first row (10 digits);
* the table, one line: for k = 0, 1, ... the number of newlines in the first k blocks
  of the rows (the last block short, the rows' final newline left out), 8 hex digits
  each, space-separated;
* the lower-case keys, one a line, sorted; an empty line; the rows, one a line, in the
  keys' order. This part alone is format 1 (the file before, the tests' small
  dictionaries): data without the header line gets its table computed.

``block_ends`` is the reference path the stored table must equal (``tests/
test_enrich_datafile.py`` checks the shipped file against it). The load checks the table
cheaply (its length, order and total against the keys), and each hit's row against its
key (the row's own word; for a key of several rows, the row before too), so a wrong
table is replaced by the computed one before it gives a wrong row.
"""

from __future__ import annotations

import array
import mmap
import operator
import os
import sys
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import Protocol

MAGIC = b"ankidigest-ecdict\t"
FORMAT = b"2"
BLOCK = 1024  # bytes of the rows block: the index keeps how many rows end before each

Table = tuple[int, Sequence[int], bool]  # block size, ends, not yet proven right
Buffer = bytes | mmap.mmap


class Resource(Protocol):  # what ``importlib.resources.files`` gives
    def read_bytes(self) -> bytes: ...


def read(path: Resource) -> Buffer:
    """The file's bytes, mapped where it is a file of a POSIX system (a load copies
    nothing, and the processes of an export share the pages), else read (a package in a
    zip; Windows, where a mapped file could not be replaced by an upgrade)."""
    if os.name == "posix" and isinstance(path, Path):
        try:
            with open(path, "rb") as fh:
                return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):  # ValueError: an empty file
            pass
    return path.read_bytes()


def block_ends(raw: Buffer, start: int, end: int, block: int) -> list[int]:
    """How many newlines ``raw[start:end]`` has before each ``block``-th byte, and in all:
    one C count a block, no object a row (the reference of the stored table)."""
    ends = [0]
    total = 0
    for pos in range(start, end, block):
        total += raw[pos : min(pos + block, end)].count(b"\n")
        ends.append(total)
    return ends


def _header(raw: Buffer) -> tuple[int, tuple[int, int, array.array[int]] | None]:
    """Where the keys start and, if the header and table parse, (block, first row, ends)."""
    if raw[: len(MAGIC)] != MAGIC:
        return 0, None  # format 1
    line = raw.find(b"\n")
    table_end = raw.find(b"\n", line + 1) if line >= 0 else -1
    if table_end < 0:
        raise ValueError("the dictionary's header has no table line")
    fields = raw[len(MAGIC) : line].split(b"\t")
    ends = array.array("I")
    if len(fields) != 3 or fields[0] != FORMAT or ends.itemsize != 4:
        return table_end + 1, None
    try:
        block, rows_at = int(fields[1]), int(fields[2])
        ends.frombytes(bytes.fromhex(raw[line + 1 : table_end].decode("ascii")))
    except ValueError:  # UnicodeDecodeError too
        return table_end + 1, None
    if sys.byteorder == "little":
        ends.byteswap()  # written big-endian
    return table_end + 1, (block, rows_at, ends)


def reference(raw: Buffer) -> dict[str, bytes]:
    """Every key and its row, built the plain way (the differential tests' reference)."""
    keys, _, rows = raw[_header(raw)[0] :].partition(b"\n\n")
    words = keys.decode("utf-8").split("\n")
    lines = rows.rstrip(b"\n").split(b"\n")
    # reversed: of rows with one key the first (the lower-case word) wins
    return dict(zip(reversed(words), reversed(lines), strict=True))


def _key_of(row: bytes) -> str:
    return row.partition(b"\t")[0].decode("utf-8", "replace").lower()


class Index:
    """Key -> row bytes over the data file's bytes or mapping (see the module's docstring)."""

    def __init__(self, raw: Buffer) -> None:
        keys_at, stored = _header(raw)
        end = len(raw)
        while end > keys_at and raw[end - 1] == 10:  # the rows without their last newlines
            end -= 1
        fitted = None if stored is None else _fitted(raw, keys_at, end, *stored)
        if fitted is None:  # format 1, or a stored layout that does not fit: computed
            sep = raw.find(b"\n\n", keys_at)
            if sep < 0:
                sep = len(raw)
            start = min(sep + 2, len(raw))
            words = raw[keys_at:sep].decode("utf-8").split("\n")
            keys = dict.fromkeys(words)
            table = None
        else:
            start, words, keys, table = fitted
        self._raw = raw
        self._start = start
        self._end = max(end, start)
        # Containers the garbage collector does not walk (a dict of str keys and None, tuples
        # of str and int): a list or set of 218k keys made every full collection slower.
        self._words = tuple(words)
        self.keys = keys
        self._table = table or self._computed()
        self._fallback: dict[str, bytes] | None = None
        if not all(map(operator.le, words, islice(words, 1, None))):
            self._fallback = reference(raw)

    def _computed(self) -> Table:
        if self._end > self._start:
            ends = block_ends(self._raw, self._start, self._end, BLOCK)
        else:
            ends = [0]
        if ends[-1] + 1 != len(self._words):
            raise ValueError(f"{len(self._words)} keys but {ends[-1] + 1} rows")
        return BLOCK, tuple(ends), False

    def __len__(self) -> int:
        return len(self.keys)

    def __contains__(self, key: str) -> bool:
        return key in self.keys

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys)

    def get(self, key: str) -> bytes | None:
        return self.row_of(key) if key in self.keys else None

    def row_of(self, key: str) -> bytes:
        """The row of ``key``, one of ``keys``: the first of its rows."""
        if self._fallback is not None:
            return self._fallback[key]
        i = bisect_left(self._words, key)
        table = self._table
        span = self._span(i, table)
        if table[2] and (span is None or not self._is_first_row(i, key, *span)):
            table = self._table = self._computed()  # the stored table is wrong
            span = self._span(i, table)
        return self.row(i) if span is None else self._raw[span[0] : span[1]]

    def row(self, i: int) -> bytes:
        span = self._span(i, self._table)
        if span is None:
            raise ValueError(f"no row {i}")
        return self._raw[span[0] : span[1]]

    def _span(self, i: int, table: Table) -> tuple[int, int] | None:
        """Where row ``i`` starts and stops by ``table``; None past the last row."""
        raw = self._raw
        pos = self._start
        end = self._end
        if i > 0:  # from the start of the block holding the newline before row i
            block, ends, _ = table
            j = bisect_left(ends, i) - 1
            pos += j * block
            for _ in range(i - ends[j]):
                pos = raw.find(b"\n", pos, end) + 1
                if not pos:
                    return None
        stop = raw.find(b"\n", pos, end)
        return pos, end if stop < 0 else stop

    def _is_first_row(self, i: int, key: str, pos: int, stop: int) -> bool:
        """Whether the row at ``pos`` is the first row of ``key`` (the ``i``-th key, the
        first of its run), for rows whose words are their keys (what the build writes)."""
        raw = self._raw
        if _key_of(raw[pos:stop]) != key:
            return False
        words = self._words
        if i + 1 == len(words) or words[i + 1] != key or pos == self._start:
            return True  # one row has this key (or it is the first row)
        before = raw.rfind(b"\n", self._start, pos - 1) + 1 or self._start
        return _key_of(raw[before : pos - 1]) != key


def _fitted(
    raw: Buffer, keys_at: int, end: int, block: int, start: int, ends: Sequence[int]
) -> tuple[int, list[str], dict[str, None], Table] | None:
    """The stored layout (first row, keys, table) if it fits the file, else None."""
    if not keys_at + 2 <= start <= len(raw) or raw[start - 2 : start] != b"\n\n":
        return None
    words = raw[keys_at : start - 2].decode("utf-8").split("\n")
    keys = dict.fromkeys(words)
    if "" in keys:  # a second empty line: format 1 cuts the keys there
        return None
    if block <= 0 or len(ends) != -(-(max(end, start) - start) // block) + 1:
        return None
    if ends[0] != 0 or ends[-1] + 1 != len(words):
        return None
    if not all(map(operator.le, ends, islice(ends, 1, None))):
        return None
    return start, words, keys, (block, ends, True)
