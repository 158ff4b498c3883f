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
import shutil
import sqlite3
from collections.abc import Iterator, Sequence
from typing import NamedTuple
from urllib.parse import quote

from ankidigest.errors import OutputError
from ankidigest.model import NoteSpec
from ankidigest.notes.notetype import MODEL_ID, NOTETYPE_MOD, SORT_FIELD, genanki_model
from ankidigest.write.atomic import write_atomic
from ankidigest.write.decks import fix_copied_cards, spellings
from ankidigest.write.media import media_files
from ankidigest.write.scratch import temp_dir
from ankidigest.write.tables import (
    CLOZE_TABLE,
    KEYS_TABLE,
    REMOVED_TABLE,
    copied_rows,
    old_tables,
    record_removed,
    write_clozes,
    write_keys,
)
from ankidigest.write.zipout import write_zip

# zlib level 1: a quarter of the time of the default level 6, about 10% bigger.
ZIP_LEVEL = 1
_CLOZE_NUMBER = re.compile(r"\{\{c(\d+)::")
_TAG_RE = re.compile(r"<[^>]*>")
__all__ = ["CLOZE_TABLE", "KEYS_TABLE", "REMOVED_TABLE", "Copied", "write_segments"]


def read_only_uri(db_path: str) -> str:
    """The sqlite URI that opens the collection file ``db_path`` read-only (the path
    quoted, so that a '?' or '#' in it is not read as part of the URI)."""
    return f"file:{quote(db_path)}?mode=ro"


def deck_id(name: str) -> int:
    """A stable deck id from the deck name (Anki matches decks by name anyway)."""
    digest = hashlib.sha256(("deck:" + name).encode("utf-8")).digest()
    return (1 << 30) + int.from_bytes(digest[:4], "big") % (1 << 30)


class Copied(NamedTuple):
    """A run of notes copied as they are, with their cards, from an earlier package of
    ours (attached as ``old``): a post unchanged since that package was written
    (``reuse.py``). Ids and card positions are shifted to where the run now is."""

    first_id: int  # the run's first note id in the earlier collection
    notes: int
    first_card: int  # the id of its first card there
    cards: int
    first_due: int  # the due (note position + 1) of its first note's cards there
    decks: tuple[str, ...]  # the decks of its notes, in order of first appearance


# A part of the package: notes to write, or a run to copy.
Segment = Sequence[NoteSpec] | Copied


class Written(NamedTuple):
    """What ``write_segments`` wrote: the SHA-256 of the collection file, per segment how
    many cards it got, and the first note id."""

    digest: str
    cards: list[int]
    base: int


def write_apkg(notes: Sequence[NoteSpec], path: str, kept: Sequence[NoteSpec] = ()) -> Written:
    """Write ``notes`` to ``path`` atomically.

    ``kept`` are notes removed from the posts, recorded in a table of our own (not
    as notes, so Anki does not see them) for a later ``--mark-removed``.
    """
    return write_segments([notes], path, kept)


def write_segments(
    segments: Sequence[Segment],
    path: str,
    kept: Sequence[NoteSpec] = (),
    source: str | None = None,
    media_dir: str | None = None,
) -> Written:
    """``write_apkg`` of the notes of ``segments`` in order, ``Copied`` runs taken from
    the collection file ``source``: the same bytes as writing the notes themselves.
    ``media_dir``: where the audio files the notes name are (``media.py``)."""
    written: list[Written] = []
    args = (kept, source, media_dir)
    try:
        write_atomic(path, lambda tmp: written.append(_write(segments, tmp, *args)))
    except sqlite3.Error as exc:  # e.g. the temporary folder is full
        raise OutputError(f"{path}: cannot write: {exc}") from None
    return written[0]


def _write(
    segments: Sequence[Segment],
    zip_path: str,
    kept: Sequence[NoteSpec],
    source: str | None,
    media_dir: str | None,
) -> Written:
    work = temp_dir()
    try:
        db_path = os.path.join(work, "collection.anki2")
        conn = sqlite3.connect(db_path, uri=True)
        try:
            if source is not None:
                conn.execute("ATTACH DATABASE ? AS old", (read_only_uri(source),))
            # A scratch file: no rollback journal, no fsync.
            conn.execute("PRAGMA main.page_size=16384")  # fewer, fuller pages: faster, smaller
            conn.execute("PRAGMA main.journal_mode=OFF")
            conn.execute("PRAGMA main.synchronous=OFF")
            cards, base = _fill(conn, segments)
            record_removed(conn, kept)
            conn.commit()
            media = media_files(conn, media_dir)
        finally:
            conn.close()
        digests = write_zip(zip_path, [("collection.anki2", db_path), *media], ZIP_LEVEL)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return Written(digests["collection.anki2"], cards, base)


def _fill(conn: sqlite3.Connection, segments: Sequence[Segment]) -> tuple[list[int], int]:
    """Create the tables and write the notes and cards; return each segment's number of
    cards and the first note id."""
    import genanki
    from genanki.apkg_col import APKG_COL
    from genanki.apkg_schema import APKG_SCHEMA

    decks: dict[str, int] = {}
    total = 0
    for segment in segments:
        names = segment.decks if isinstance(segment, Copied) else (n.deck for n in segment)
        for name in names:
            if name not in decks:
                decks[name] = 0
        total += segment.notes if isinstance(segment, Copied) else len(segment)
    if not decks:
        decks["ankidigest"] = 0
    spelled = spellings(decks)  # one deck per name as Anki compares them (no case)
    decks = {name: deck_id(spelled[name]) for name in decks}
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
        if spelled[name] == name:
            all_decks[str(did)] = genanki.Deck(did, name).to_json()
    last_deck = list(decks.values())[-1]
    models = {str(MODEL_ID): genanki_model().to_json(NOTETYPE_MOD, last_deck)}
    cursor.execute(
        "UPDATE col SET decks = ?, models = ?", (json.dumps(all_decks), json.dumps(models))
    )
    parts = _joined(segments)  # one statement per stretch of copied runs
    base = (_newest(cursor, parts) or NOTETYPE_MOD) * 1000
    cards: list[list[tuple[int, int, int, int, int, int]]] = []
    retired: list[tuple[str, int]] = []
    keys: list[tuple[str, str]] = []
    old = old_tables(cursor) if any(isinstance(p, Copied) for p in parts) else set()
    index = 0
    card_id = base + total
    for segment in parts:
        if isinstance(segment, Copied):
            if segment.notes:
                cursor.execute(
                    "INSERT INTO notes SELECT id + ?, guid, mid, mod, usn, tags, flds, sfld, "
                    "csum, flags, data FROM old.notes WHERE id BETWEEN ? AND ? ORDER BY id",
                    (base + index - segment.first_id, *_ids(segment)),
                )
                if CLOZE_TABLE in old:
                    retired += copied_rows(cursor, CLOZE_TABLE, _ids(segment))
                if KEYS_TABLE in old:
                    keys += copied_rows(cursor, KEYS_TABLE, _ids(segment))
            cards.append([])
            index += segment.notes
            card_id += segment.cards
            continue
        rows: list[tuple[int, int, int, int, int, int]] = []
        # The columns that are the same in every row are literals in the statement,
        # so each row binds only what varies (the stored values are the same either way).
        cursor.executemany(
            f"INSERT INTO notes VALUES (?,?,{MODEL_ID},?,-1,?,?,?,?,0,'')",
            _note_rows(segment, base, index, card_id, decks, rows, retired),
        )
        keys.extend((n.guid, n.built) for n in segment if n.built)
        cards.append(rows)
        index += len(segment)
        card_id += len(rows)
    index = 0
    card_id = base + total
    for segment, rows in zip(parts, cards, strict=True):
        if isinstance(segment, Copied):
            if segment.cards:
                cursor.execute(
                    "INSERT INTO cards SELECT id + ?, nid + ?, did, ord, mod, usn, type, "
                    "queue, due + ?, ivl, factor, reps, lapses, left, odue, odid, flags, data "
                    "FROM old.cards WHERE id BETWEEN ? AND ? ORDER BY id",
                    (
                        card_id - segment.first_card,
                        base + index - segment.first_id,
                        index + 1 - segment.first_due,
                        segment.first_card,
                        segment.first_card + segment.cards - 1,
                    ),
                )
            index += segment.notes
            card_id += segment.cards
        else:
            cursor.executemany(
                "INSERT INTO cards VALUES (?,?,?,?,?,-1,0,0,?,0,0,0,0,0,0,0,0,'')", rows
            )
            index += len(segment)
            card_id += len(rows)
    if any(isinstance(p, Copied) for p in parts):
        fix_copied_cards(cursor, decks)
    cursor.execute("CREATE INDEX ix_cards_nid ON cards (nid)")  # built after the rows: faster
    write_clozes(cursor, retired)  # our own tables (tables.py)
    write_keys(cursor, keys)
    fresh = iter(
        len(rows) for part, rows in zip(parts, cards, strict=True) if not isinstance(part, Copied)
    )
    counts = [s.cards if isinstance(s, Copied) else next(fresh) for s in segments]
    return counts, base


def _joined(segments: Sequence[Segment]) -> list[Segment]:
    """``segments`` with each stretch of copied runs that follow one another in the old
    collection as one run (the notes to write stay as they are, in order)."""
    parts: list[Segment] = []
    for segment in segments:
        last = parts[-1] if parts else None
        if (
            isinstance(segment, Copied)
            and isinstance(last, Copied)
            and segment.first_id == last.first_id + last.notes
            and segment.first_card == last.first_card + last.cards
            and segment.first_due == last.first_due + last.notes
        ):
            decks = last.decks + tuple(d for d in segment.decks if d not in last.decks)
            parts[-1] = last._replace(
                notes=last.notes + segment.notes, cards=last.cards + segment.cards, decks=decks
            )
        else:
            parts.append(segment)
    return parts


def _ids(run: Copied) -> tuple[int, int]:
    return run.first_id, run.first_id + run.notes - 1


def _newest(cursor: sqlite3.Cursor, segments: Sequence[Segment]) -> int:
    """The newest ``mod`` of all the notes (NOTETYPE_MOD when there are none)."""
    newest = []
    for segment in segments:
        if isinstance(segment, Copied):
            if segment.notes:
                (mod,) = cursor.execute(
                    "SELECT max(mod) FROM old.notes WHERE id BETWEEN ? AND ?", _ids(segment)
                ).fetchone()
                newest.append(mod)
        elif segment:
            newest.append(max(note.mod for note in segment))
    return max(newest, default=NOTETYPE_MOD)


def _note_rows(
    notes: Sequence[NoteSpec],
    base: int,
    start: int,
    card_id: int,
    decks: dict[str, int],
    card_rows: list[tuple[int, int, int, int, int, int]],
    retired: list[tuple[str, int]],
) -> Iterator[tuple[int | str, ...]]:
    """Yield the varying columns of one notes row per note (id, guid, mod, tags, flds,
    sfld, csum), the first at position ``start``; append its cards' varying columns
    (id, nid, did, ord, mod, due), the first with id ``card_id``, to ``card_rows`` and
    (guid, highest cloze number) to ``retired`` when a number is no longer shown."""
    strip_tags = _TAG_RE.sub
    cloze_numbers = _CLOZE_NUMBER.findall
    sha1 = hashlib.sha1
    from_bytes = int.from_bytes
    join = "\x1f".join
    add_card = card_rows.append
    for index, note in enumerate(notes, start):
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
        due = note.due or index + 1
        found = cloze_numbers(text)
        # Most notes have one deletion: skip the set and the sort for them.
        numbers = [int(found[0])] if len(found) == 1 else sorted({int(n) for n in found})
        if note.cloze_max > (numbers[-1] if numbers else 0):
            retired.append((note.guid, note.cloze_max))
        for number in numbers:
            add_card((card_id, note_id, did, number - 1, mod, due))
            card_id += 1
