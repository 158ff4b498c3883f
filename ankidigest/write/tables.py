"""Tables of our own in a package (Anki ignores tables it does not know).

- ``ankidigest_clozes``: the highest cloze number a note once used and no longer
  shows, so that a later export never gives a retired card's number to a new term;
- ``ankidigest_removed``: notes gone from the posts, not (or no longer) exported,
  for a later ``--mark-removed`` and for a term that comes back;
- ``ankidigest_keys``: the key a note was built under when it kept another (a prior
  note's) key, so that the next export finds it (``update/term_match.py``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from ankidigest.model import NoteSpec

CLOZE_TABLE = "ankidigest_clozes"
REMOVED_TABLE = "ankidigest_removed"
KEYS_TABLE = "ankidigest_keys"


def write_clozes(cursor: sqlite3.Cursor, rows: list[tuple[str, int]]) -> None:
    cursor.execute(f"CREATE TABLE {CLOZE_TABLE} (guid TEXT PRIMARY KEY, high INTEGER NOT NULL)")
    cursor.executemany(f"INSERT INTO {CLOZE_TABLE} VALUES (?,?)", sorted(rows))


def write_keys(cursor: sqlite3.Cursor, rows: list[tuple[str, str]]) -> None:
    cursor.execute(f"CREATE TABLE {KEYS_TABLE} (guid TEXT PRIMARY KEY, built TEXT NOT NULL)")
    cursor.executemany(f"INSERT INTO {KEYS_TABLE} VALUES (?,?)", sorted(rows))


def old_tables(cursor: sqlite3.Cursor) -> set[str]:
    """Our tables the attached earlier package (``old``) has."""
    rows = cursor.execute("SELECT name FROM old.sqlite_master WHERE type = 'table'")
    return {name for (name,) in rows} & {CLOZE_TABLE, KEYS_TABLE}


def copied_rows(cursor: sqlite3.Cursor, table: str, ids: tuple[int, int]) -> list[Any]:
    """The rows of one of our per-note tables (guid, value) that belong to the notes of
    the earlier package (``old``) with ids in ``ids`` (first, last)."""
    column = "high" if table == CLOZE_TABLE else "built"
    return [
        tuple(row)
        for row in cursor.execute(
            f"SELECT guid, {column} FROM old.{table} WHERE guid IN "
            "(SELECT guid FROM old.notes WHERE id BETWEEN ? AND ?)",
            ids,
        )
    ]


def record_removed(conn: sqlite3.Connection, kept: Sequence[NoteSpec]) -> None:
    conn.execute(
        f"CREATE TABLE {REMOVED_TABLE} (guid TEXT PRIMARY KEY, mod INTEGER NOT NULL, "
        "flds TEXT NOT NULL, tags TEXT NOT NULL, deck TEXT NOT NULL, high INTEGER NOT NULL)"
    )
    rows = sorted(
        (n.guid, n.mod, "\x1f".join(n.fields), " ".join(n.tags), n.deck, n.cloze_max) for n in kept
    )
    conn.executemany(f"INSERT INTO {REMOVED_TABLE} VALUES (?,?,?,?,?,?)", rows)
