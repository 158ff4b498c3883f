"""Re-exports that copy what did not change from the previous package.

After an .apkg is written with the cache on, a ledger goes into the cache under the
SHA-256 of the package's collection file: which post (by its cache key, see
``cache.py``) gave which run of notes and cards, in order. When the next export's
previous package has a collection with that very digest, it is a package we wrote,
unaltered, and the ledger describes it. A post whose cache key is in the ledger is
the same text, path, mtime, options and code, so it builds the same notes; the update
rules (``update.py``) leave each of them as the previous package holds it (equal
fields and tags: the prior ``mod``, the prior highest cloze number), so its rows are
the previous package's rows, with only ids and positions shifted. Those runs are
copied by sqlite (``apkg.Copied``) instead of being loaded, compared and written one
note at a time; only the other posts are loaded, built, compared (with the rest of
the previous package) and written. The package has the same bytes either way
(tests/test_reuse.py checks it against a full export).

Only for ``--group term`` (``--group sentence`` may give an unchanged sentence the
guid of another prior note); posts that share an occurrence scope with another post,
now or when the package was written, are read and built together (``jobs.py``); and
whenever the ledger is missing or does not match, everything is read as usual.
"""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
import html
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple, overload

from ankidigest.errors import InputError
from ankidigest.model import NoteSpec
from ankidigest.notes.notetype import FIELD_INDEX
from ankidigest.run.cache import PostCache, pack
from ankidigest.run.posts import Counts
from ankidigest.update.prior import PriorPackage, highest_cloze
from ankidigest.write.apkg import CLOZE_TABLE, KEYS_TABLE, Copied, read_only_uri

_VERSION = 1


class PostRun(NamedTuple):
    """One post's run of notes in a package we wrote."""

    key: str  # the post's cache key
    notes: int
    cards: int
    decks: tuple[str, ...]  # its notes' decks, in order of first appearance
    scopes: frozenset[str]  # its occurrence scopes (see stage.py)
    counts: Counts  # its Document's (articles, terms, skips)


class Ledger(NamedTuple):
    """How a package we wrote is made: note ids start at ``base``; the posts' runs come
    first, in order, then any notes that belong to no post (marked as removed)."""

    base: int
    total: int  # notes in the package
    posts: tuple[PostRun, ...]

    def runs(self) -> dict[str, Copied]:
        """Each post's run, by cache key, as the writer copies it."""
        out: dict[str, Copied] = {}
        index = card = 0
        for post in self.posts:
            out[post.key] = Copied(
                self.base + index,
                post.notes,
                self.base + self.total + card,
                post.cards,
                index + 1,
                post.decks,
            )
            index += post.notes
            card += post.cards
        return out


def _name(digest: str) -> str:
    return hashlib.sha256(f"ankidigest-ledger:{digest}".encode()).hexdigest()


def store_ledger(cache: PostCache, digest: str, ledger: Ledger) -> None:
    """Record ``ledger`` for the collection whose SHA-256 is ``digest``."""
    name = _name(digest)
    posts = tuple(tuple(post) for post in ledger.posts)
    cache.store(name, pack(name, (_VERSION, ledger.base, ledger.total, posts)))


def load_ledger(cache: PostCache, digest: str) -> Ledger | None:
    """The ledger of the collection whose SHA-256 is ``digest``, or None."""
    value = cache.load(_name(digest))
    try:
        version, base, total, posts = value  # type: ignore[misc]
        if version != _VERSION:
            return None
        runs = tuple(_post_run(post) for post in posts)
    except (TypeError, ValueError):
        return None
    if not (isinstance(base, int) and isinstance(total, int)):
        return None
    if sum(run.notes for run in runs) > total:
        return None
    return Ledger(base, total, runs)


def _post_run(row: Any) -> PostRun:
    key, notes, cards, decks, scopes, counts = row
    ints = (notes, cards, *counts)
    if not (
        isinstance(key, str)
        and all(isinstance(n, int) and n >= 0 for n in ints)
        and len(counts) == 3
        and isinstance(decks, tuple)
        and all(isinstance(d, str) for d in decks)
        and isinstance(scopes, frozenset)
    ):
        raise ValueError("not a ledger row")
    return PostRun(key, notes, cards, decks, scopes, tuple(counts))


class Reuse:
    """The previous package and its ledger, when both are there: what can be copied."""

    def __init__(self, cache: PostCache, package: PriorPackage) -> None:
        self.cache = cache
        self.package = package
        self.ledger: Ledger | None = None
        self.db = ""

    def reusable(self) -> dict[str, tuple[Counts, frozenset[str]]]:
        """Cache key -> (counts, scopes) of the posts the previous package holds; empty
        when it is not a package we wrote and recorded (or cannot be read: the usual
        path then reports that)."""
        try:
            self.db, digest = self.package.collection()
        except InputError:
            return {}
        self.ledger = load_ledger(self.cache, digest)
        if self.ledger is None:
            return {}
        # A post that shared a scope with another was built with it: its notes are not
        # those it gives alone, so it is read again (with the posts it shares a scope with).
        owners: dict[str, int] = {}
        for post in self.ledger.posts:
            for scope in post.scopes:
                owners[scope] = owners.get(scope, 0) + 1
        return {
            post.key: (post.counts, post.scopes)
            for post in self.ledger.posts
            if all(owners[scope] == 1 for scope in post.scopes)
        }

    def runs(self) -> dict[str, Copied]:
        return self.ledger.runs() if self.ledger is not None else {}

    def clashes(self, guids: Sequence[str], copied: Sequence[Copied]) -> bool:
        """Whether any of ``guids`` belongs to a note of the ``copied`` runs: then a new
        note would share its identity with a reused one, and the usual path must run
        (and report it)."""
        if not guids or not copied:
            return False
        conn = sqlite3.connect(read_only_uri(self.db), uri=True)
        try:
            conn.execute("CREATE TEMP TABLE wanted (guid TEXT PRIMARY KEY)")
            conn.executemany("INSERT OR IGNORE INTO temp.wanted VALUES (?)", ((g,) for g in guids))
            ids = conn.execute(
                "SELECT id FROM notes WHERE guid IN (SELECT guid FROM temp.wanted)"
            ).fetchall()
        finally:
            conn.close()
        ranges = merged(copied)
        starts = [first for first, _ in ranges]
        for (note_id,) in ids:
            at = bisect.bisect_right(starts, note_id) - 1
            if at >= 0 and note_id <= ranges[at][1]:
                return True
        return False

    def prior_values(
        self, copied: Sequence[Copied]
    ) -> tuple[list[tuple[str, str]], dict[str, int], dict[str, tuple[str, str]]]:
        """Per run, its notes' ids and ``mod`` in the same order, each as one
        comma-separated string (made by sqlite: most exports never ask for them); and
        the highest cloze number recorded for any note; and, for each note that kept
        another key than the one it is built under, that built key -> (guid, flds).
        What a reused note's final NoteSpec needs (``final_notes``)."""
        conn = sqlite3.connect(read_only_uri(self.db), uri=True)
        try:
            query = (
                "SELECT coalesce(group_concat(id), ''), coalesce(group_concat(mod), '') "
                "FROM (SELECT id, mod FROM notes WHERE id BETWEEN ? AND ? ORDER BY id)"
            )
            mods = [
                conn.execute(query, (run.first_id, run.first_id + run.notes - 1)).fetchone()
                for run in copied
            ]
            high = dict(conn.execute(f"SELECT guid, high FROM {CLOZE_TABLE}").fetchall())
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            kept: dict[str, tuple[str, str]] = {}
            if KEYS_TABLE in tables:
                query = (
                    f"SELECT k.built, n.guid, n.flds FROM {KEYS_TABLE} k "
                    "JOIN notes n ON n.guid = k.guid"
                )
                kept = {built: (guid, flds) for built, guid, flds in conn.execute(query)}
        finally:
            conn.close()
        return mods, high, kept


def final_notes(
    built: Sequence[NoteSpec],
    run: Copied,
    values: tuple[str, str],
    high: dict[str, int],
    kept: dict[str, tuple[str, str]] | None = None,
) -> list[NoteSpec]:
    """A reused post's notes as the export writes them: its built notes given the prior
    ``mod`` (``values``: the run's note ids and mods, from ``prior_values``) and highest
    cloze number, as ``update.reconcile`` does for unchanged notes, and the guid and key
    of the prior note each kept (``kept``, from ``prior_values``), as
    ``update.term_match`` gives them."""
    from ankidigest.update.reconcile import unchanged_note

    if kept:
        built = [_kept(note, kept) for note in built]

    ids, mods = ([int(n) for n in v.split(",")] if v else [] for v in values)
    if len(built) != len(mods) or ids != list(range(run.first_id, run.first_id + run.notes)):
        raise InputError(
            built[0].path if built else "", "the cache and the previous package disagree"
        )
    return [
        unchanged_note(note, mod, max(highest_cloze(note.fields[0]), high.get(note.guid, 0)))
        for note, mod in zip(built, mods, strict=True)
    ]


def _kept(note: NoteSpec, kept: dict[str, tuple[str, str]]) -> NoteSpec:
    """``note`` under the guid and key of the prior note that was built under its key."""
    found = kept.get(note.key)
    if found is None:
        return note
    guid, flds = found
    fields = tuple(flds.split("\x1f"))
    key = html.unescape(fields[FIELD_INDEX["Key"]])
    return dataclasses.replace(note, guid=guid, key=key, fields=fields, built=note.key)


def merged(runs: Sequence[Copied]) -> list[tuple[int, int]]:
    """The note id ranges of ``runs`` (each ``(first, last)``), sorted and merged."""
    ranges: list[tuple[int, int]] = []
    for first, last in sorted((r.first_id, r.first_id + r.notes - 1) for r in runs if r.notes):
        if ranges and first <= ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], max(ranges[-1][1], last))
        else:
            ranges.append((first, last))
    return ranges


class LazyNotes(Sequence[NoteSpec]):
    """Notes in parts of known length, each made the first time any note is asked for
    (a reused post's notes are loaded only if someone wants them)."""

    def __init__(self, parts: Sequence[tuple[int, Callable[[], Sequence[NoteSpec]]]]) -> None:
        self._parts = list(parts)
        self._length = sum(n for n, _ in parts)
        self._notes: tuple[NoteSpec, ...] | None = None

    def _all(self) -> tuple[NoteSpec, ...]:
        if self._notes is None:
            self._notes = tuple(note for _, make in self._parts for note in make())
            self._parts = []
        return self._notes

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> NoteSpec: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[NoteSpec]: ...
    def __getitem__(self, index: int | slice) -> NoteSpec | Sequence[NoteSpec]:
        return self._all()[index]

    def __iter__(self) -> Iterator[NoteSpec]:
        return iter(self._all())

    def __eq__(self, other: object) -> bool:
        """Equal to a tuple, list or LazyNotes of the same notes (so ``result.notes ==
        a_tuple`` holds whichever way the export went)."""
        if isinstance(other, (LazyNotes, tuple, list)):
            return self._all() == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]
