"""What a push compares: the notes of ours a collection holds, how a fresh note differs
from one, and the report and errors of a push."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ankidigest.deliver.ankiconnect import AnkiConnect, DeliveryError
from ankidigest.identity import guid_for
from ankidigest.model import NoteSpec
from ankidigest.notes.notetype import FIELD_INDEX, FIELD_NAMES, MODEL_ID, MODEL_NAME
from ankidigest.update.prior import PriorNote, highest_cloze

REMOVED_TAG = "ankidigest::removed"
# Fields ankidigest may leave empty (no dictionary entry, no --audio): when ours is
# empty, the user's own value stays.
USER_FILLABLE = frozenset(("Lemma", "Definition", "Translation", "Pronunciation", "Audio", "Image"))
_KEY = FIELD_INDEX["Key"]
_POST = FIELD_INDEX["Post"]
_TEXT = FIELD_INDEX["Text"]
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


def anki_note(info: object) -> AnkiNote | None:
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


def prior_note(note: AnkiNote, ords: Mapping[int, int]) -> PriorNote:
    """``note`` as the matchers see a note of a prior package: its guid is the one we give
    its key (every note of ours has it), its highest cloze number the higher of its text's
    and its cards' (``ords``: card id -> ordinal, when known), so a removed term's number
    is not given to another term."""
    numbers = [highest_cloze(note.fields[_TEXT])]
    numbers += [ords[c] + 1 for c in note.cards if c in ords]
    return PriorNote(
        guid=guid_for(html.unescape(note.key)),
        mod=note.mod,
        fields=note.fields,
        tags=note.tags,
        deck="",
        cloze_max=max(numbers),
    )


def has_tag(tags: Iterable[str], tag: str) -> bool:
    folded = tag.casefold()  # Anki's tags ignore case
    return any(t.casefold() == folded for t in tags)


def change_of(note: NoteSpec, before: AnkiNote) -> Change | None:
    """What must change in ``before`` to hold ``note``; None when nothing."""
    fields = tuple(
        name
        for name, ours, theirs in zip(FIELD_NAMES, note.fields, before.fields, strict=True)
        if ours != theirs and not (ours == "" and name in USER_FILLABLE)
    )
    add = tuple(t for t in note.tags if not has_tag(before.tags, t))
    back = (REMOVED_TAG,) if has_tag(before.tags, REMOVED_TAG) else ()
    if not (fields or add or back):
        return None
    return Change(note, before, fields, add, back)


def scope(key: str) -> str:
    """The occurrence scope a key starts with (an article's URL, or a post and section):
    ``scope#term#n``, or ``scope#s#term#n`` for a sentence note."""
    parts = key.rsplit("#", 3)
    if len(parts) == 4 and parts[1] == "s":
        return parts[0]
    return key.rsplit("#", 2)[0]


def gone_notes(notes: Sequence[NoteSpec], unmatched: Sequence[AnkiNote]) -> list[AnkiNote]:
    """The unmatched notes of the collection that belong to what is being pushed (same
    post, or same article or section): gone from the posts. Notes of posts not pushed
    now are none of this push's business."""
    posts = {n.fields[_POST] for n in notes}
    scopes = {scope(n.fields[_KEY]) for n in notes}
    gone = [n for n in unmatched if n.fields[_POST] in posts or scope(n.key) in scopes]
    return sorted(gone, key=lambda n: (n.key, n.note_id))


def by_tag(changes: Sequence[Change], *, add: bool) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for c in changes:
        for tag in c.add_tags if add else c.remove_tags:
            out.setdefault(tag, []).append(c.anki.note_id)
    return out


def counted(report: PushReport, client: AnkiConnect) -> PushReport:
    from dataclasses import replace

    return replace(report, requests=client.requests)


def changed_type(url: str, name: str, fields: list[str]) -> str:
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


def terms(notes: Iterable[NoteSpec]) -> str:
    listed = list(notes)
    names = ", ".join(repr(", ".join(n.terms) or n.key) for n in listed[:_SHOWN])
    return names + (f" and {len(listed) - _SHOWN} more" if len(listed) > _SHOWN else "")


def not_updated(url: str, failed: Sequence[Change]) -> str:
    count = len(failed)
    return (
        f"{url}: {count} note{'s' if count != 1 else ''} did not take the new fields "
        f"({terms(c.note for c in failed)}; note id {failed[0].anki.note_id}); a note open "
        "in Anki's Browser cannot be updated: close the Browser and push again"
    )


def not_arrived(url: str, lost: Sequence[NoteSpec]) -> str:
    count = len(lost)
    return (
        f"{url}: {count} new note{'s' if count != 1 else ''} did not arrive in Anki "
        f"({terms(lost)}); Anki may hold notes with their ids under another note type "
        "(Tools > Check Database, then push again)"
    )
