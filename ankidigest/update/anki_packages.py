"""What a package Anki itself exported holds differently from ours: its collection in
zstd (``collection.anki21b``, Anki 2.1.50+) and its decks in a table of their own."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from ankidigest import sanitize
from ankidigest.errors import InputError
from ankidigest.update import untrusted


def unzstd(path: str, pieces: Iterator[bytes]) -> Iterator[bytes]:
    """``pieces`` (zstd) decompressed; InputError without zstandard or when not zstd."""
    try:
        import zstandard
    except ImportError:
        raise InputError(
            path,
            "exported by Anki 2.1.50 or later (collection.anki21b): install zstandard to "
            "read it, or export again in Anki with 'Support older Anki versions' ticked",
        ) from None
    inflate = zstandard.ZstdDecompressor().decompressobj()
    try:
        for piece in pieces:
            yield inflate.decompress(piece)
    except zstandard.ZstdError as exc:
        raise InputError(path, f"not a readable Anki package ({exc})") from None


def deck_names(conn: sqlite3.Connection, tables: set[str]) -> dict[int, str]:
    """Deck id -> name: from the collection's JSON (ours, Anki's older format), or from
    its decks table (Anki 2.1.50+: levels separated by 0x1f). Checked as untrusted."""
    row = conn.execute("SELECT decks FROM col").fetchone()
    if row is not None and row[0] in ("", "{}") and "decks" in tables:
        rows = conn.execute("SELECT id, name FROM decks")
        return {
            did: name.replace("\x1f", "::")
            for did, name in rows
            if type(did) is int and isinstance(name, str) and sanitize.deck(name)
        }
    return untrusted.deck_names(row)
