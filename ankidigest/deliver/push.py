"""Push: bring a running Anki's collection up to date with our notes through AnkiConnect.

The prior state is what the collection holds: every note of our note type (found by its
id, ``mid:``, so no field value is ever put in a search), matched to our notes by the
``Key`` field. Then:

- new notes go in through ``importPackage`` of a package we write (``write_apkg``):
  only a package import can set a note's guid, and with our guids a later .apkg import
  of the same post matches these notes instead of adding them again. The same import
  creates our note type (with our model id) and the decks when they are missing;
- changed notes get ``updateNoteFields`` with only the fields that differ, then our
  missing tags with ``addTags``: the user's own tags and every card's history stay.
  A field we leave empty (Lemma, Definition, Pronunciation, Audio, Image, Translation)
  is the user's to fill: an empty value of ours never clears it;
- unchanged notes are not touched; nothing is ever deleted. Notes of ours gone from the
  posts are reported, and tagged ``ankidigest::removed`` with ``mark_removed``.

A note whose fields did not take (AnkiConnect's ``updateNoteFields`` does nothing while
the note is open in the Browser) is found by reading the notes back, and reported after
everything else is done. A lost reply to the import is followed by a fresh look at the
collection, and only notes still missing are imported again: never two of one note.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ankidigest.api import check_fields, read_posts
from ankidigest.apkg import write_apkg
from ankidigest.build import BuildOptions, build_notes
from ankidigest.errors import UsageError
from ankidigest.model import NoteSpec
from ankidigest.notetype import FIELD_INDEX, FIELD_NAMES, MODEL_ID, MODEL_NAME

from .ankiconnect import AnkiConnect, DeliveryError, ReplyLost

REMOVED_TAG = "ankidigest::removed"
# Fields ankidigest leaves empty today (enrichment to come): when ours is empty, the
# user's own value stays.
USER_FILLABLE = frozenset(("Lemma", "Definition", "Translation", "Pronunciation", "Audio", "Image"))
_KEY = FIELD_INDEX["Key"]
_POST = FIELD_INDEX["Post"]
_INFO_BATCH = 1000  # notes per notesInfo request
_SHOWN = 3  # notes named in an error message


class NoteTypeChanged(DeliveryError):
    """Our note type in the collection no longer has our field list."""


class NotesNotUpdated(DeliveryError):
    """Some notes did not take the new fields (open in the Browser) or did not arrive.
    Everything else was done; ``report`` says what."""

    def __init__(self, message: str, report: PushReport) -> None:
        self.report = report
        super().__init__(message)


@dataclass(frozen=True)
class AnkiNote:
    """A note of our note type as the collection holds it."""

    note_id: int
    fields: tuple[str, ...]  # in FIELD_NAMES order, as stored
    tags: tuple[str, ...]
    cards: tuple[int, ...]
    mod: int

    @property
    def key(self) -> str:
        return self.fields[_KEY]


@dataclass(frozen=True)
class Change:
    """What a push does to one note the collection has: fields rewritten, tags added or
    taken off (only ``ankidigest::removed``, when a removed note is back)."""

    note: NoteSpec
    anki: AnkiNote
    fields: tuple[str, ...] = ()  # names of the fields to rewrite
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class PushReport:
    """What a push did (or, with ``dry_run``, would do)."""

    url: str
    dry_run: bool = False
    new: tuple[NoteSpec, ...] = ()
    changed: tuple[Change, ...] = ()
    unchanged: tuple[NoteSpec, ...] = ()
    removed: tuple[AnkiNote, ...] = ()  # ours in the collection, gone from the posts
    marked: tuple[AnkiNote, ...] = ()  # of those, tagged ankidigest::removed now
    requests: int = field(default=0, compare=False)  # HTTP requests sent

    def counts(self) -> str:
        return (
            f"{len(self.new)} new, {len(self.changed)} changed, "
            f"{len(self.unchanged)} unchanged, {len(self.removed)} removed"
        )


def push_notes(
    notes: Sequence[NoteSpec],
    client: AnkiConnect | None = None,
    *,
    url: str | None = None,
    key: str | None = None,
    mark_removed: bool = False,
    dry_run: bool = False,
) -> PushReport:
    """Bring the collection behind AnkiConnect up to date with ``notes`` (see the module
    docstring); the report says what changed. ``dry_run``: only read, change nothing.

    Either pass a ``client``, or ``url`` (default 127.0.0.1:8765) and ``key``.
    Raises a DeliveryError (one line) when Anki cannot be reached or refuses, when our
    note type was changed by the user, or (``NotesNotUpdated``) when some notes did not
    take the push; by then the rest is done, and pushing again is safe.
    """
    check_fields(notes)  # the same guard as an export: plain text and <b>, <br> only
    own = client is None
    if client is None:
        client = AnkiConnect(url or "http://127.0.0.1:8765", key)
    try:
        return _Push(client, notes, mark_removed).run(dry_run)
    finally:
        if own:
            client.close()


def push_posts(
    inputs: Iterable[str],
    options: BuildOptions | None = None,
    *,
    url: str | None = None,
    key: str | None = None,
    mark_removed: bool = False,
    dry_run: bool = False,
    terms: str = "bold",
    encoding: str | None = None,
    jobs: int | None = None,
) -> PushReport:
    """Read and build the posts named by ``inputs`` (as ``export`` does) and push their
    notes: what ``ankidigest INPUT... --push`` does.

    ``--group sentence`` is refused for now: an edited sentence keeps its note only when
    it is matched to its prior note (``renumber.py``), which is not done against a
    collection yet, so an edit would add a new note.
    """
    if options is not None and options.group != "term":
        raise UsageError(
            "--push works with --group term only (for now); "
            "export an .apkg (-o FILE.apkg) for --group sentence"
        )
    documents = read_posts(inputs, terms=terms, encoding=encoding, jobs=jobs)
    notes = build_notes(documents, options)
    return push_notes(notes, url=url, key=key, mark_removed=mark_removed, dry_run=dry_run)


class _Push:
    def __init__(self, client: AnkiConnect, notes: Sequence[NoteSpec], mark: bool) -> None:
        self.client = client
        self.notes = notes
        self.mark = mark

    def run(self, dry_run: bool) -> PushReport:
        client = self.client
        client.check()
        model = self._note_type()
        prior = self._ours(model is not None)
        report = self._plan(prior, dry_run)
        if dry_run or not (report.new or report.changed or report.marked):
            return _counted(report, client)
        if report.new:
            self._add(report.new)
        failed = self._change(report.changed)
        if report.marked:
            self._tag([n.note_id for n in report.marked], REMOVED_TAG, add=True)
        report = _counted(report, client)
        if failed:
            raise NotesNotUpdated(_not_updated(client.url, failed), report)
        return report

    # Reading the prior state

    def _note_type(self) -> str | None:
        """The name of our note type in the collection (found by our model id, so a
        renamed one is still ours), or None; NoteTypeChanged when its fields differ."""
        by_name = self.client.call("modelNamesAndIds")
        if not isinstance(by_name, Mapping):
            raise DeliveryError(f"{self.client.url}: modelNamesAndIds answered {by_name!r:.80}")
        name = next((str(n) for n, mid in by_name.items() if mid == MODEL_ID), None)
        if name is None:
            return None
        fields = self.client.call("modelFieldNames", {"modelName": name})
        if tuple(fields or ()) != FIELD_NAMES:
            raise NoteTypeChanged(_changed_type(self.client.url, name, list(fields or ())))
        return name

    def _ours(self, exists: bool) -> dict[str, AnkiNote]:
        """Key -> note, for every note of our note type (the lowest note id when two share
        a key, as after a copy made in Anki)."""
        if not exists:
            return {}
        ids = self.client.call("findNotes", {"query": f"mid:{MODEL_ID}"})
        found: dict[str, AnkiNote] = {}
        for note in self._info(sorted(int(i) for i in ids or ())):
            found.setdefault(note.key, note)
        return found

    def _info(self, ids: Sequence[int]) -> list[AnkiNote]:
        out: list[AnkiNote] = []
        for start in range(0, len(ids), _INFO_BATCH):
            batch = list(ids[start : start + _INFO_BATCH])
            infos = self.client.call("notesInfo", {"notes": batch})
            for info in infos or ():
                note = _anki_note(info)
                if note is not None:
                    out.append(note)
        return out

    # Deciding

    def _plan(self, prior: Mapping[str, AnkiNote], dry_run: bool) -> PushReport:
        new: list[NoteSpec] = []
        changed: list[Change] = []
        unchanged: list[NoteSpec] = []
        matched: set[str] = set()
        for note in self.notes:
            key = note.fields[_KEY]
            before = prior.get(key)
            if before is None:
                new.append(note)
                continue
            matched.add(key)
            change = _change_of(note, before)
            if change is None:
                unchanged.append(note)
            else:
                changed.append(change)
        removed = _removed(self.notes, [n for k, n in prior.items() if k not in matched])
        marked = [n for n in removed if self.mark and not _has_tag(n.tags, REMOVED_TAG)]
        return PushReport(
            self.client.url,
            dry_run,
            tuple(new),
            tuple(changed),
            tuple(unchanged),
            tuple(removed),
            tuple(marked),
        )

    # Writing

    def _add(self, new: Sequence[NoteSpec]) -> None:
        """Import ``new`` (none of them in the collection when planned) in a package of
        ours; after a lost reply, look again and import only what is still missing."""
        decks = self.client.call("deckNames") or []
        known = {str(d).casefold() for d in decks}
        missing_decks = sorted({n.deck for n in new if n.deck.casefold() not in known})
        if missing_decks:
            self.client.multi([("createDeck", {"deck": d}) for d in missing_decks])
        todo = list(new)
        for attempt in range(2):
            try:
                self._import(todo)
                break
            except ReplyLost:
                if attempt:
                    raise
                # Anki may have imported them: see what arrived before sending any again.
                arrived = set(self._ours(True))
                todo = [n for n in todo if n.fields[_KEY] not in arrived]
                if not todo:
                    break
        arrived = set(self._ours(True))
        lost = [n for n in new if n.fields[_KEY] not in arrived]
        if lost:
            raise DeliveryError(_not_arrived(self.client.url, lost))

    def _import(self, notes: Sequence[NoteSpec]) -> None:
        work = tempfile.mkdtemp(prefix="ankidigest-push-")
        try:
            path = os.path.join(work, "ankidigest-push.apkg")
            write_apkg(notes, path)
            # An absolute path: the add-on resolves a relative one against Anki's media
            # folder. Anki must run on this machine to read it.
            self.client.call("importPackage", {"path": os.path.abspath(path)})
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _change(self, changes: Sequence[Change]) -> list[Change]:
        """Rewrite fields, then tags; the changes whose fields did not take."""
        rewrite = [c for c in changes if c.fields]
        self.client.multi(
            [
                (
                    "updateNoteFields",
                    {
                        "note": {
                            "id": c.anki.note_id,
                            "fields": {n: c.note.fields[FIELD_INDEX[n]] for n in c.fields},
                        }
                    },
                )
                for c in rewrite
            ]
        )
        for tag, ids in _by_tag(changes, add=True).items():
            self._tag(ids, tag, add=True)
        for tag, ids in _by_tag(changes, add=False).items():
            self._tag(ids, tag, add=False)
        if not rewrite:
            return []
        # updateNoteFields says nothing when a note is open in the Browser: read back.
        now = {n.note_id: n for n in self._info([c.anki.note_id for c in rewrite])}
        failed = []
        for c in rewrite:
            after = now.get(c.anki.note_id)
            if after is None or any(
                after.fields[FIELD_INDEX[n]] != c.note.fields[FIELD_INDEX[n]] for n in c.fields
            ):
                failed.append(c)
        return failed

    def _tag(self, ids: Sequence[int], tag: str, *, add: bool) -> None:
        action = "addTags" if add else "removeTags"
        calls = [
            (action, {"notes": list(ids[i : i + _INFO_BATCH]), "tags": tag})
            for i in range(0, len(ids), _INFO_BATCH)
        ]
        self.client.multi(calls)


def _anki_note(info: object) -> AnkiNote | None:
    """A notesInfo entry as an AnkiNote; None for a missing note or another field list."""
    if not isinstance(info, Mapping) or "noteId" not in info:
        return None
    fields = info.get("fields")
    if not isinstance(fields, Mapping) or set(fields) != set(FIELD_NAMES):
        return None
    return AnkiNote(
        note_id=int(info["noteId"]),
        fields=tuple(str(fields[name]["value"]) for name in FIELD_NAMES),
        tags=tuple(str(t) for t in info.get("tags") or ()),
        cards=tuple(int(c) for c in info.get("cards") or ()),
        mod=int(info.get("mod") or 0),
    )


def _has_tag(tags: Iterable[str], tag: str) -> bool:
    folded = tag.casefold()  # Anki's tags ignore case
    return any(t.casefold() == folded for t in tags)


def _change_of(note: NoteSpec, before: AnkiNote) -> Change | None:
    """What must change in ``before`` to hold ``note``; None when nothing."""
    fields = tuple(
        name
        for name, ours, theirs in zip(FIELD_NAMES, note.fields, before.fields, strict=True)
        if ours != theirs and not (ours == "" and name in USER_FILLABLE)
    )
    add = tuple(t for t in note.tags if not _has_tag(before.tags, t))
    back = (REMOVED_TAG,) if _has_tag(before.tags, REMOVED_TAG) else ()
    if not (fields or add or back):
        return None
    return Change(note, before, fields, add, back)


def _scope(key: str) -> str:
    """The occurrence scope a key starts with (an article's URL, or a post and section):
    ``scope#term#n``, or ``scope#s#term#n`` for a sentence note."""
    parts = key.rsplit("#", 3)
    if len(parts) == 4 and parts[1] == "s":
        return parts[0]
    return key.rsplit("#", 2)[0]


def _removed(notes: Sequence[NoteSpec], unmatched: Sequence[AnkiNote]) -> list[AnkiNote]:
    """The unmatched notes of the collection that belong to what is being pushed (same
    post, or same article or section): gone from the posts. Notes of posts not pushed
    now are none of this push's business."""
    posts = {n.fields[_POST] for n in notes}
    scopes = {_scope(n.fields[_KEY]) for n in notes}
    gone = [n for n in unmatched if n.fields[_POST] in posts or _scope(n.key) in scopes]
    return sorted(gone, key=lambda n: (n.key, n.note_id))


def _by_tag(changes: Sequence[Change], *, add: bool) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for c in changes:
        for tag in c.add_tags if add else c.remove_tags:
            out.setdefault(tag, []).append(c.anki.note_id)
    return out


def _counted(report: PushReport, client: AnkiConnect) -> PushReport:
    from dataclasses import replace

    return replace(report, requests=client.requests)


def _changed_type(url: str, name: str, fields: list[str]) -> str:
    ours = set(FIELD_NAMES)
    extra = [f for f in fields if f not in ours]
    lacking = [f for f in FIELD_NAMES if f not in fields]
    if extra or lacking:
        what = ", ".join(
            part
            for part in (
                f"added {', '.join(extra)}" if extra else "",
                f"lacks {', '.join(lacking)}" if lacking else "",
            )
            if part
        )
    else:
        what = "its fields are in another order"
    return (
        f"{url}: the note type {name!r} ({MODEL_NAME}, id {MODEL_ID}) was changed in Anki "
        f"({what}); ankidigest cannot update its notes: undo it in Tools > Manage Note "
        f"Types so the fields are {', '.join(FIELD_NAMES)}"
    )


def _terms(notes: Iterable[NoteSpec]) -> str:
    listed = list(notes)
    names = ", ".join(repr(", ".join(n.terms) or n.key) for n in listed[:_SHOWN])
    return names + (f" and {len(listed) - _SHOWN} more" if len(listed) > _SHOWN else "")


def _not_updated(url: str, failed: Sequence[Change]) -> str:
    count = len(failed)
    return (
        f"{url}: {count} note{'s' if count != 1 else ''} did not take the new fields "
        f"({_terms(c.note for c in failed)}; note id {failed[0].anki.note_id}); a note open "
        "in Anki's Browser cannot be updated: close the Browser and push again"
    )


def _not_arrived(url: str, lost: Sequence[NoteSpec]) -> str:
    count = len(lost)
    return (
        f"{url}: {count} new note{'s' if count != 1 else ''} did not arrive in Anki "
        f"({_terms(lost)}); Anki may hold notes with their ids under another note type "
        "(Tools > Check Database, then push again)"
    )
