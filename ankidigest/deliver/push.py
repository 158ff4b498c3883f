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
  Audio (``--audio``): new notes' files travel in the package; a changed Audio field's
  file is sent first with ``storeMediaFile`` (content-hashed names: the same name is the
  same sound, so storing it again is harmless).
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

import base64
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence

from ankidigest.deliver.ankiconnect import AnkiConnect, DeliveryError, ReplyLost
from ankidigest.deliver.changes import (
    REMOVED_TAG,
    AnkiNote,
    Change,
    NotesNotUpdated,
    NoteTypeChanged,
    PushReport,
    anki_note,
    by_tag,
    change_of,
    changed_type,
    counted,
    gone_notes,
    has_tag,
    not_arrived,
    not_updated,
    prior_note,
)
from ankidigest.errors import UsageError
from ankidigest.model import NoteSpec
from ankidigest.notes.notetype import FIELD_INDEX, FIELD_NAMES, MODEL_ID
from ankidigest.update.reconcile import group_of_key, match_prior, other_group, switch_message
from ankidigest.write.apkg import write_segments
from ankidigest.write.formats import check_fields
from ankidigest.write.media import media_path, sound_names

_KEY = FIELD_INDEX["Key"]
_AUDIO = FIELD_INDEX["Audio"]
_INFO_BATCH = 1000  # notes per notesInfo request
_MEDIA_BATCH = 50  # audio files (~5 KB each, base64) per request


def push_notes(
    notes: Sequence[NoteSpec],
    client: AnkiConnect | None = None,
    *,
    url: str | None = None,
    key: str | None = None,
    mark_removed: bool = False,
    dry_run: bool = False,
    media_dir: str | None = None,
    force: bool = False,
) -> PushReport:
    """Bring the collection behind AnkiConnect up to date with ``notes`` (see the module
    docstring); the report says what changed. ``dry_run``: only read, change nothing.
    ``media_dir``: where the audio files the notes name are (the export's media folder).
    ``force``: push even when the collection's notes were made with another ``--group``.

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
        return _Push(client, notes, mark_removed, media_dir, force).run(dry_run)
    finally:
        if own:
            client.close()


class _Push:
    def __init__(
        self,
        client: AnkiConnect,
        notes: Sequence[NoteSpec],
        mark: bool,
        media: str | None,
        force: bool = False,
    ) -> None:
        self.client = client
        self.notes = notes
        self.mark = mark
        self.media = media
        self.force = force

    def run(self, dry_run: bool) -> PushReport:
        client = self.client
        client.check()
        model = self._note_type()
        prior = self._ours(model is not None)
        self.notes = self._matched(prior, dry_run)
        report = self._plan(prior, dry_run)
        if dry_run or not (report.new or report.changed or report.marked):
            return counted(report, client)
        if report.new:
            self._add(report.new)
        failed = self._change(report.changed)
        if report.marked:
            self._tag([n.note_id for n in report.marked], REMOVED_TAG, add=True)
        report = counted(report, client)
        if failed:
            raise NotesNotUpdated(not_updated(client.url, failed), report)
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
            raise NoteTypeChanged(changed_type(self.client.url, name, list(fields or ())))
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
                note = anki_note(info)
                if note is not None:
                    out.append(note)
        return out

    def _matched(self, prior: Mapping[str, AnkiNote], dry_run: bool) -> list[NoteSpec]:
        """Our notes, each one that is a note the collection has (an edited sentence, an
        unbolded first occurrence, a corrected URL) under that note's key: the matching an
        export does against its prior package (``update/reconcile.py``), done against the
        collection. A switch of ``--group`` is refused, as an export refuses it."""
        notes = list(self.notes)
        if not prior or not notes:
            return notes
        group = group_of_key(notes[0].key)
        ords = self._card_ords(prior.values()) if group == "sentence" else {}
        known = {}
        for note in prior.values():
            old = prior_note(note, ords)
            known[old.guid] = old
        switch = other_group(known, group)
        if switch is not None:
            message = switch_message(self.client.url, switch[0], switch[1], group)
            if not (self.force or dry_run):
                raise UsageError(f"{message}; use --group {switch[0]}, or --force to switch")
        return match_prior(notes, known, group)[0]

    def _card_ords(self, notes: Iterable[AnkiNote]) -> dict[int, int]:
        """Card id -> its template ordinal (a cloze number less one)."""
        cards = sorted(c for n in notes for c in n.cards)
        ords: dict[int, int] = {}
        for start in range(0, len(cards), _INFO_BATCH):
            infos = self.client.call("cardsInfo", {"cards": cards[start : start + _INFO_BATCH]})
            for info in infos or ():
                if isinstance(info, Mapping) and "cardId" in info and "ord" in info:
                    ords[int(info["cardId"])] = int(info["ord"])
        return ords

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
            change = change_of(note, before)
            if change is None:
                unchanged.append(note)
            else:
                changed.append(change)
        removed = gone_notes(self.notes, [n for k, n in prior.items() if k not in matched])
        marked = [n for n in removed if self.mark and not has_tag(n.tags, REMOVED_TAG)]
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
            raise DeliveryError(not_arrived(self.client.url, lost))

    def _import(self, notes: Sequence[NoteSpec]) -> None:
        work = tempfile.mkdtemp(prefix="ankidigest-push-")
        try:
            path = os.path.join(work, "ankidigest-push.apkg")
            write_segments([notes], path, media_dir=self.media)  # with their audio
            # An absolute path: the add-on resolves a relative one against Anki's media
            # folder. Anki must run on this machine to read it.
            self.client.call("importPackage", {"path": os.path.abspath(path)})
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _change(self, changes: Sequence[Change]) -> list[Change]:
        """Rewrite fields, then tags; the changes whose fields did not take."""
        rewrite = [c for c in changes if c.fields]
        self._store_audio([c.note for c in rewrite if "Audio" in c.fields])
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
        for tag, ids in by_tag(changes, add=True).items():
            self._tag(ids, tag, add=True)
        for tag, ids in by_tag(changes, add=False).items():
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

    def _store_audio(self, notes: Sequence[NoteSpec]) -> None:
        """Send the audio files ``notes`` name into Anki's media folder (before the fields
        that name them, so no card ever plays a missing file)."""
        names = sorted({name for n in notes for name in sound_names(n.fields[_AUDIO])})
        files = [(name, media_path(self.media, name)) for name in names]  # all, or one line
        for start in range(0, len(files), _MEDIA_BATCH):
            batch = files[start : start + _MEDIA_BATCH]
            calls = []
            for name, path in batch:
                with open(path, "rb") as fh:
                    data = base64.b64encode(fh.read()).decode("ascii")
                calls.append(
                    ("storeMediaFile", {"filename": name, "data": data, "deleteExisting": False})
                )
            for (name, _), stored in zip(batch, self.client.multi(calls), strict=True):
                if stored != name:  # Anki renamed it: another file has that name there
                    raise DeliveryError(
                        f"{self.client.url}: Anki stored audio file {name} as {stored!r:.60}"
                    )

    def _tag(self, ids: Sequence[int], tag: str, *, add: bool) -> None:
        action = "addTags" if add else "removeTags"
        calls = [
            (action, {"notes": list(ids[i : i + _INFO_BATCH]), "tags": tag})
            for i in range(0, len(ids), _INFO_BATCH)
        ]
        self.client.multi(calls)
