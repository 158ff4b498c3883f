"""Write: NoteSpecs -> an .apkg file Anki desktop and AnkiDroid import.

genanki builds the collection schema, the note type and the decks; we insert
the notes and cards ourselves because each note needs its own ``mod`` (Anki
updates a note only when the incoming ``mod`` is newer) and because genanki's
per-note path is slow. The zip is deflated with fixed entry times and the rows
are written in a fixed order, so the same notes give the same bytes.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import sqlite3
import tempfile
import zipfile
from collections.abc import Sequence

from .errors import OutputError
from .model import NoteSpec
from .notetype import MODEL_ID, NOTETYPE_MOD, SORT_FIELD, genanki_model
from .output import write_atomic

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
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
            _fill(conn, notes)
            _record_removed(conn, kept)
            conn.commit()
        finally:
            conn.close()
        with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as out:
            _add(out, "collection.anki2", db_path)
            info = zipfile.ZipInfo("media", date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            out.writestr(info, "{}")


def _add(out: zipfile.ZipFile, name: str, path: str) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    with open(path, "rb") as src, out.open(info, "w") as dst:
        while chunk := src.read(1 << 20):
            dst.write(chunk)


def _fill(conn: sqlite3.Connection, notes: Sequence[NoteSpec]) -> None:
    import genanki

    decks: dict[str, genanki.Deck] = {}
    for note in notes:
        if note.deck not in decks:
            decks[note.deck] = genanki.Deck(deck_id(note.deck), note.deck)
    if not decks:
        decks["ankidigest"] = genanki.Deck(deck_id("ankidigest"), "ankidigest")
    model = genanki_model()
    for deck in decks.values():
        deck.add_model(model)
    cursor = conn.cursor()
    # Schema, collection row, note type and decks, all stamped with the note type's
    # own time: Anki then updates the note type only when our templates change.
    genanki.Package(list(decks.values())).write_to_db(cursor, NOTETYPE_MOD, itertools.count())
    base = (max((n.mod for n in notes), default=NOTETYPE_MOD) or NOTETYPE_MOD) * 1000
    note_rows = []
    card_rows = []
    retired = []
    card_id = base + len(notes)
    for index, note in enumerate(notes):
        note_id = base + index
        text = note.fields[0]
        sort = _TAG_RE.sub("", note.fields[SORT_FIELD])
        note_rows.append(
            (
                note_id,
                note.guid,
                MODEL_ID,
                note.mod,
                -1,
                _tag_string(note.tags),
                "\x1f".join(note.fields),
                sort,
                _checksum(text),
                0,
                "",
            )
        )
        did = decks[note.deck].deck_id
        numbers = sorted({int(n) for n in _CLOZE_NUMBER.findall(text)})
        if note.cloze_max > max(numbers, default=0):
            retired.append((note.guid, note.cloze_max))
        for number in numbers:
            card_rows.append(
                (
                    card_id,
                    note_id,
                    did,
                    number - 1,
                    note.mod,
                    -1,
                    0,
                    0,
                    index + 1,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    "",
                )
            )
            card_id += 1
    cursor.executemany("INSERT INTO notes VALUES (?,?,?,?,?,?,?,?,?,?,?)", note_rows)
    cursor.executemany("INSERT INTO cards VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", card_rows)
    # Our own table (Anki ignores it): cloze numbers a note no longer shows but once
    # used, so that a later export never gives a retired card's number to a new term.
    cursor.execute(f"CREATE TABLE {CLOZE_TABLE} (guid TEXT PRIMARY KEY, high INTEGER NOT NULL)")
    cursor.executemany(f"INSERT INTO {CLOZE_TABLE} VALUES (?,?)", sorted(retired))


def _record_removed(conn: sqlite3.Connection, kept: Sequence[NoteSpec]) -> None:
    conn.execute(
        f"CREATE TABLE {REMOVED_TABLE} (guid TEXT PRIMARY KEY, mod INTEGER NOT NULL, "
        "flds TEXT NOT NULL, tags TEXT NOT NULL, deck TEXT NOT NULL, high INTEGER NOT NULL)"
    )
    rows = sorted(
        (n.guid, n.mod, "\x1f".join(n.fields), " ".join(n.tags), n.deck, n.cloze_max) for n in kept
    )
    conn.executemany(f"INSERT INTO {REMOVED_TABLE} VALUES (?,?,?,?,?,?)", rows)


def _tag_string(tags: Sequence[str]) -> str:
    return f" {' '.join(tags)} " if tags else ""


def _checksum(first_field: str) -> int:
    plain = _TAG_RE.sub("", first_field)
    return int(hashlib.sha1(plain.encode("utf-8")).hexdigest()[:8], 16)


def read_apkg_guids(path: str) -> dict[str, tuple[int, str]]:
    """guid -> (mod, fields) of the notes in an existing package (for tests and updates)."""
    with zipfile.ZipFile(path) as archive, tempfile.TemporaryDirectory() as work:
        names = archive.namelist()
        name = "collection.anki21" if "collection.anki21" in names else "collection.anki2"
        archive.extract(name, work)
        conn = sqlite3.connect(os.path.join(work, name))
        try:
            rows = conn.execute("SELECT guid, mod, flds FROM notes").fetchall()
        finally:
            conn.close()
    return {guid: (mod, flds) for guid, mod, flds in rows}
