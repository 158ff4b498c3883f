"""Prior state: the notes of an earlier ankidigest package, read back with sqlite3.

Besides Anki's own tables, a package written by ankidigest holds two of its own
(Anki ignores them): the highest cloze number each sentence note has used, and
the notes removed from the posts but not yet exported with --mark-removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import os
import re
import shutil
import sqlite3
import threading
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from typing import NamedTuple

from ankidigest.errors import InputError
from ankidigest.identity import normalize_term
from ankidigest.limits import MAX_PRIOR_COLLECTION_BYTES, open_regular
from ankidigest.model import NoteSpec
from ankidigest.notes.notetype import FIELD_INDEX, FIELD_NAMES, MODEL_ID
from ankidigest.update import untrusted
from ankidigest.update.anki_packages import deck_names, unzstd
from ankidigest.update.untrusted import MAX_CLOZE, MAX_MOD
from ankidigest.write.apkg import CLOZE_TABLE, KEYS_TABLE, REMOVED_TABLE, read_only_uri
from ankidigest.write.formats import output_format
from ankidigest.write.scratch import temp_dir
from ankidigest.write.zipout import read_entry

_CLOZE = re.compile(r"\{\{c(\d+)::(.*?)(?:::[^}]*)?\}\}", re.S)  # (a hint after "::")
_HTML_TAG = re.compile(r"<[^>]*>")
_UNZIP_PIECE = 1 << 23  # 8 MB
# Fields that hold the same value for every note of an article or post.
_REPEATED = frozenset(FIELD_INDEX[name] for name in ("Source", "URL", "Date", "Section", "Post"))


class PriorNote(NamedTuple):
    """One ankidigest note as an earlier package holds it (a named tuple: 100,000 of
    them are made per re-export, and a tuple is made five times faster than a frozen
    dataclass)."""

    guid: str
    mod: int
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    deck: str
    cloze_max: int
    gone: bool = False  # recorded as removed from the posts, not a note of the package
    built: str = ""  # the key it was built under when it kept another key ("": its key)

    @property
    def key(self) -> str:
        return html.unescape(self.fields[FIELD_INDEX["Key"]])

    @property
    def text(self) -> str:
        return self.fields[FIELD_INDEX["Text"]]


def read_prior(
    path: str, known: Mapping[str, tuple[str, ...]] | None = None
) -> dict[str, PriorNote]:
    """guid -> PriorNote for every ankidigest note in the package at ``path``.

    Raises InputError (one line naming the file) when it is not a readable package.
    Notes of other note types are ignored. ``known``: guid -> fields of the notes
    about to be compared with these; a prior note's fields equal to them are stored
    as those same strings, so the unchanged notes of a big export are not held
    twice in memory.
    """
    with PriorPackage(path) as package:
        return package.read(known)


def prior_path(output: str, previous: str | None = None) -> str | None:
    """Where the prior state is: ``previous`` if given, else ``output`` if it is an
    existing .apkg, else None."""
    if previous is not None:
        return previous
    if output != "-" and output_format(output) == ".apkg" and os.path.isfile(output):
        return output
    return None


def load_prior(
    output: str,
    previous: str | None = None,
    notes: Sequence[NoteSpec] = (),
    package: PriorPackage | None = None,
    exclude: Sequence[tuple[int, int]] = (),
) -> tuple[str | None, dict[str, PriorNote], str]:
    """The prior state: ``previous`` if given, else the .apkg at ``output`` if it exists.

    Returns (its path or None, its notes, a warning or ""). An unreadable ``previous``
    is an InputError; an unreadable existing output only a warning, since -o already
    says to replace it (our own writes are atomic, so it is not a half-written export).
    ``notes``: the new notes; prior fields equal to theirs share their strings.
    ``package``: that package, already being unzipped (see ``PriorPackage``).
    ``exclude``: note id ranges of ``package`` not to read (copied as they are).
    """
    path = prior_path(output, previous)
    if path is None:
        return None, {}, ""
    known = {note.guid: note.fields for note in notes}

    def read() -> dict[str, PriorNote]:
        if package is not None and package.path == path:
            return package.read(known, exclude)
        return read_prior(path, known)

    if previous is not None:
        return previous, read(), ""
    try:
        return output, read(), ""
    except InputError as exc:
        return None, {}, f"{exc}; not used as the previous export, every note counts as new"


class PriorPackage:
    """An earlier package, unzipped in a background thread from the moment it is made,
    so that this happens while the posts are read; ``read()`` then reads its notes.

    Use it as a context manager: leaving it waits for the thread and deletes the
    unzipped copy. The thread only inflates and writes (zlib and file writes let other
    threads run), in big pieces so it rarely needs the interpreter.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._work: str | None = None
        self._db = ""
        self._digest = ""
        self._error: BaseException | None = None
        self._failure: str | None = None  # why the package cannot be read
        self._thread = threading.Thread(target=self._unzip, name="ankidigest-prior", daemon=True)
        self._thread.start()

    def _unzip(self) -> None:
        try:
            with open_regular(self.path):  # not a FIFO, which would hang us
                pass
            with zipfile.ZipFile(self.path) as archive:
                names = archive.namelist()
            # Anki 2.1.50+ exports collection.anki21b (zstd) beside a stub collection.anki2.
            found = ("collection.anki21b", "collection.anki21", "collection.anki2")
            name = next((n for n in found if n in names), "")
            if not name:
                raise InputError(self.path, "not an Anki package (no collection in it)")
            self._work = temp_dir("prior")
            db = os.path.join(self._work, "collection.anki2")
            sha = hashlib.sha256()
            pieces = read_entry(self.path, name, _UNZIP_PIECE, MAX_PRIOR_COLLECTION_BYTES)
            if name.endswith("b"):
                pieces = unzstd(self.path, pieces)
            with open(db, "wb") as out:
                for piece in pieces:
                    out.write(piece)
                    sha.update(piece)
            self._db = db
            self._digest = sha.hexdigest()
        except BaseException as exc:  # raised by read(), in the caller's thread
            self._error = exc

    def read(
        self,
        known: Mapping[str, tuple[str, ...]] | None = None,
        exclude: Sequence[tuple[int, int]] = (),
    ) -> dict[str, PriorNote]:
        """The notes, as ``read_prior`` returns them; InputError when unreadable.

        ``exclude``: (first, last) note id ranges not to read (sorted, disjoint)."""
        with self._readable():
            return _read_collection(self._db, known, exclude)

    def collection(self) -> tuple[str, str]:
        """(path of the unzipped collection, SHA-256 of its bytes); InputError when
        the package is unreadable. Valid until the package is closed."""
        with self._readable():
            return self._db, self._digest

    @contextlib.contextmanager
    def _readable(self) -> Iterator[None]:
        """Wait for the unzip; turn every way of failing to read the package into an
        InputError naming it. A failure is kept: every later call raises it again
        (a second call must not read the collection that was never unzipped)."""
        self._thread.join()
        if self._error is not None:
            error, self._error = self._error, None  # no reference cycle through its traceback
            self._failure = untrusted.reason(error)
            if self._failure is None:
                raise error
        if self._failure is not None:  # every later call fails the same way
            raise InputError(self.path, self._failure)
        try:
            yield
        except InputError:
            raise
        except Exception as exc:
            reason = untrusted.reason(exc)
            if reason is None:
                raise
            raise InputError(self.path, reason) from None

    def close(self) -> None:
        self._thread.join()
        if self._work is not None:
            shutil.rmtree(self._work, ignore_errors=True)
            self._work = None

    def __enter__(self) -> PriorPackage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _read_collection(
    db_path: str,
    known: Mapping[str, tuple[str, ...]] | None,
    exclude: Sequence[tuple[int, int]] = (),
) -> dict[str, PriorNote]:
    conn = sqlite3.connect(read_only_uri(db_path), uri=True)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        decks = deck_names(conn, tables)
        high: dict[str, int] = {}
        if CLOZE_TABLE in tables:
            high = {
                guid: top
                for guid, top in conn.execute(f"SELECT guid, high FROM {CLOZE_TABLE}")
                if type(top) is int and 0 <= top <= MAX_CLOZE
            }
        gone = []
        if REMOVED_TABLE in tables:
            gone = conn.execute(
                f"SELECT guid, mod, flds, tags, deck, high FROM {REMOVED_TABLE}"
            ).fetchall()
        prior: dict[str, PriorNote] = {}
        for guid, mod, flds, tags, deck, top in gone:
            if not (untrusted.good_note(guid, mod, flds) and isinstance(deck, str)):
                continue
            fields = tuple(flds.split("\x1f"))
            top = untrusted.number(top, MAX_CLOZE) or 0
            if len(fields) == len(FIELD_NAMES):
                prior[guid] = PriorNote(
                    guid, mod, fields, tuple(untrusted.tag_text(tags).split()), deck, top, True
                )
        # Row by row, not fetchall(). A note equal to its new version holds the new
        # note's own fields; other fields equal to the new note's share its strings,
        # and repeated values (title, URL, date, section, post: the same for every
        # note of an article) are stored once, as are equal tag lists. So 100,000 prior
        # notes cost little memory, and an unchanged note costs one string comparison.
        new_fields = known or {}
        shared: dict[str, str] = {}
        share = shared.setdefault
        tag_lists: dict[str, tuple[str, ...]] = {}
        separators = len(FIELD_NAMES) - 1
        join = "\x1f".join
        make = tuple.__new__
        # Each note's first card's deck (the card with the lowest ord), looked up by
        # sqlite through the cards' nid index rather than one Python pass over the cards.
        query = (
            "SELECT guid, mod, flds, tags, "
            "(SELECT did FROM cards WHERE nid = notes.id ORDER BY ord LIMIT 1) "
            "FROM notes WHERE mid = ? AND id BETWEEN ? AND ?"
        )
        rows = (
            row
            for low, high in _between(exclude)
            for row in conn.execute(query, (MODEL_ID, low, high))
        )
        for guid, mod, flds, tags, did in rows:
            new = new_fields.get(guid)
            if type(mod) is not int or not 0 <= mod <= MAX_MOD:
                continue  # no time we wrote (text, NULL, near 2**63): not a prior note
            if new is not None and flds == join(new) and flds.count("\x1f") == separators:
                fields = new
            elif not untrusted.good_note(guid, mod, flds):
                continue
            else:
                parts = flds.split("\x1f")
                if len(parts) != len(FIELD_NAMES):
                    continue
                if new is not None and len(new) == len(parts):
                    fields = tuple([n if f == n else f for f, n in zip(parts, new, strict=True)])
                else:
                    fields = tuple(
                        [share(f, f) if i in _REPEATED else f for i, f in enumerate(parts)]
                    )
            top = min(highest_cloze(fields[0]), MAX_CLOZE)
            if high:
                top = max(top, high.get(guid, 0))
            if type(tags) is not str:
                tags = ""
            tag_list = tag_lists.get(tags)
            if tag_list is None:
                tag_list = tag_lists[tags] = tuple(tags.split())
            deck = decks.get(did, "ankidigest") if did is not None else "ankidigest"
            # PriorNote(...) without its Python-level __new__ (half the cost of making one).
            prior[guid] = make(PriorNote, (guid, mod, fields, tag_list, deck, top, False, ""))
        if KEYS_TABLE in tables:
            for guid, built in conn.execute(f"SELECT guid, built FROM {KEYS_TABLE}"):
                note = prior.get(guid)
                if note is not None and not note.gone:
                    prior[guid] = note._replace(built=built)
    finally:
        conn.close()
    return prior


def _between(exclude: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The id ranges left when the sorted, disjoint ``exclude`` ranges are taken out."""
    ranges = []
    low = -(1 << 63)
    for first, last in exclude:
        if first > low:
            ranges.append((low, first - 1))
        low = last + 1
    ranges.append((low, (1 << 63) - 1))
    return ranges


def highest_cloze(cloze_html: str) -> int:
    """The highest cloze number a Text field shows (0 when none)."""
    found = _CLOZE.findall(cloze_html)
    return int(found[0][0]) if len(found) == 1 else max([int(n) for n, _ in found], default=0)


def plain_text(cloze_html: str) -> str:
    """The sentence a cloze field shows, as plain text."""
    text = _CLOZE.sub(lambda m: m.group(2), cloze_html).replace("<br>", "\n")
    return html.unescape(_HTML_TAG.sub("", text))


def cloze_terms(cloze_html: str) -> list[tuple[int, str]]:
    """(number, normalised term) of each deletion, in text order."""
    return [(int(n), normalize_term(html.unescape(a))) for n, a in _CLOZE.findall(cloze_html)]
