"""Write: NoteSpecs -> an .apkg file Anki desktop and AnkiDroid import.

genanki builds the collection schema, the note type and the decks; we insert
the notes and cards ourselves because each note needs its own ``mod`` (Anki
updates a note only when the incoming ``mod`` is newer) and because genanki's
per-note path is slow. The zip is deflated (on every core, ``zipout.py``) with
fixed entry times and the rows are written in a fixed order, so the same notes
give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import tempfile
from collections.abc import Iterator, Sequence

from .errors import OutputError
from .model import NoteSpec
from .notetype import MODEL_ID, NOTETYPE_MOD, SORT_FIELD, genanki_model
from .output import write_atomic
from .zipout import write_zip

# zlib level 1: a quarter of the time of the default level 6, about 10% bigger.
ZIP_LEVEL = 1
_CLOZE_NUMBER = re.compile(r"\{\{c(\d+)::")
_TAG_RE = re.compile(r"<[^>]*>")
CLOZE_TABLE = "ankidigest_clozes"
REMOVED_TABLE = "ankidigest_removed"


def deck_id(name: str) -> int:
    """A stable deck id from the deck name (Anki matches decks by name anyway)."""
    digest = hashlib.sha256(("deck:" + name).encode("utf-8")).digest()
    return (1 << 30) + int.from_bytes(digest[:4], "big") % (1 << 30)


def write_apkg(notes: Sequence[NoteSpec], path: str, kept: Sequence[NoteSpec] = ()) -> None:
    """Write ``notes`` to ``path`` atomically.

    ``kept`` are notes removed from the posts, recorded in a table of our own (not
    as notes, so Anki does not see them) for a later ``--mark-removed``.
    """
    try:
        write_atomic(path, lambda tmp: _write(notes, tmp, kept))
    except sqlite3.Error as exc:  # e.g. the temporary folder is full
        raise OutputError(f"{path}: cannot write: {exc}") from None


def _write(notes: Sequence[NoteSpec], zip_path: str, kept: Sequence[NoteSpec] = ()) -> None:
    with tempfile.TemporaryDirectory(prefix="ankidigest-") as work:
        db_path = os.path.join(work, "collection.anki2")
        conn = sqlite3.connect(db_path)
        try:
            # A scratch file: no rollback journal, no fsync.
            conn.execute("PRAGMA page_size=16384")  # fewer, fuller pages: faster, smaller
            conn.execute("PRAGMA journal_mode=OFF")
            conn.execute("PRAGMA synchronous=OFF")
            _fill(conn, notes)
            _record_removed(conn, kept)
            conn.commit()
        finally:
            conn.close()
        write_zip(zip_path, [("collection.anki2", db_path), ("media", b"{}")], ZIP_LEVEL)


def _fill(conn: sqlite3.Connection, notes: Sequence[NoteSpec]) -> None:
    import genanki
    from genanki.apkg_col import APKG_COL
    from genanki.apkg_schema import APKG_SCHEMA

    decks: dict[str, int] = {}
    for note in notes:
        if note.deck not in decks:
            decks[note.deck] = deck_id(note.deck)
    if not decks:
        decks["ankidigest"] = deck_id("ankidigest")
    # genanki's schema with one index of its seven: Anki's importer reads the
    # package's tables whole and does not need them (a test imports into a real
    # Anki); prior.py finds each note's cards by note id. Fewer indexes make the
    # write faster and the file 15% smaller.
    statements = [s.strip() for s in APKG_SCHEMA.split(";") if s.strip()]
    tables = [s for s in statements if not s.upper().startswith("CREATE INDEX")]
    cursor = conn.cursor()
    cursor.executescript(";\n".join(tables) + ";")
    cursor.executescript(APKG_COL)
    # The collection row, note type and decks are stamped with the note type's own
    # time: Anki then updates the note type only when our templates change.
    # (genanki's Package.write_to_db re-reads and re-writes this JSON once per deck,
    # which is quadratic in the number of decks; we write it once.)
    (decks_json,) = cursor.execute("SELECT decks FROM col").fetchone()
    all_decks = json.loads(decks_json)
    for name, did in decks.items():
        all_decks[str(did)] = genanki.Deck(did, name).to_json()
    last_deck = list(decks.values())[-1]
    models = {str(MODEL_ID): genanki_model().to_json(NOTETYPE_MOD, last_deck)}
    cursor.execute(
        "UPDATE col SET decks = ?, models = ?", (json.dumps(all_decks), json.dumps(models))
    )
    base = (max((n.mod for n in notes), default=NOTETYPE_MOD) or NOTETYPE_MOD) * 1000
    card_rows: list[tuple[int, int, int, int, int, int]] = []
    retired: list[tuple[str, int]] = []
    # The columns that are the same in every row are literals in the statement, so
    # each row binds only what varies (the stored values are the same either way).
    cursor.executemany(
        f"INSERT INTO notes VALUES (?,?,{MODEL_ID},?,-1,?,?,?,?,0,'')",
        _note_rows(notes, base, decks, card_rows, retired),
    )
    cursor.executemany(
        "INSERT INTO cards VALUES (?,?,?,?,?,-1,0,0,?,0,0,0,0,0,0,0,0,'')", card_rows
    )
    cursor.execute("CREATE INDEX ix_cards_nid ON cards (nid)")  # built after the rows: faster
    # Our own table (Anki ignores it): cloze numbers a note no longer shows but once
    # used, so that a later export never gives a retired card's number to a new term.
    cursor.execute(f"CREATE TABLE {CLOZE_TABLE} (guid TEXT PRIMARY KEY, high INTEGER NOT NULL)")
    cursor.executemany(f"INSERT INTO {CLOZE_TABLE} VALUES (?,?)", sorted(retired))


def _note_rows(
    notes: Sequence[NoteSpec],
    base: int,
    decks: dict[str, int],
    card_rows: list[tuple[int, int, int, int, int, int]],
    retired: list[tuple[str, int]],
) -> Iterator[tuple[int | str, ...]]:
    """Yield the varying columns of one notes row per note (id, guid, mod, tags, flds,
    sfld, csum); append its cards' varying columns (id, nid, did, ord, mod, due) to
    ``card_rows`` and (guid, highest cloze number) to ``retired`` when a number is no
    longer shown."""
    card_id = base + len(notes)
    strip_tags = _TAG_RE.sub
    cloze_numbers = _CLOZE_NUMBER.findall
    sha1 = hashlib.sha1
    from_bytes = int.from_bytes
    join = "\x1f".join
    add_card = card_rows.append
    for index, note in enumerate(notes):
        note_id = base + index
        fields = note.fields
        text = fields[0]
        sort = fields[SORT_FIELD]
        mod = note.mod
        tags = note.tags
        plain = strip_tags("", text) if "<" in text else text
        yield (
            note_id,
            note.guid,
            mod,
            f" {' '.join(tags)} " if tags else "",
            join(fields),
            strip_tags("", sort) if "<" in sort else sort,
            # Anki's checksum: the first 4 bytes of SHA-1 of the first field, tags removed.
            from_bytes(sha1(plain.encode("utf-8")).digest()[:4], "big"),
        )
        did = decks[note.deck]
        due = index + 1
        found = cloze_numbers(text)
        # Most notes have one deletion: skip the set and the sort for them.
        numbers = [int(found[0])] if len(found) == 1 else sorted({int(n) for n in found})
        if note.cloze_max > (numbers[-1] if numbers else 0):
            retired.append((note.guid, note.cloze_max))
        for number in numbers:
            add_card((card_id, note_id, did, number - 1, mod, due))
            card_id += 1


def _record_removed(conn: sqlite3.Connection, kept: Sequence[NoteSpec]) -> None:
    conn.execute(
        f"CREATE TABLE {REMOVED_TABLE} (guid TEXT PRIMARY KEY, mod INTEGER NOT NULL, "
        "flds TEXT NOT NULL, tags TEXT NOT NULL, deck TEXT NOT NULL, high INTEGER NOT NULL)"
    )
    rows = sorted(
        (n.guid, n.mod, "\x1f".join(n.fields), " ".join(n.tags), n.deck, n.cloze_max) for n in kept
    )
    conn.executemany(f"INSERT INTO {REMOVED_TABLE} VALUES (?,?,?,?,?,?)", rows)
