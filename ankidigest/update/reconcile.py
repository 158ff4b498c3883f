"""Updates: compare freshly built notes with a prior package and set each note's ``mod``.

Anki updates a note it already has only when the incoming ``mod`` is strictly newer
(see docs/DESIGN.md). So a note whose fields and tags equal the prior package's
keeps the prior ``mod`` (Anki leaves it, and the user's own edits, alone), and a
changed note gets ``max(source mtime, prior mod + 1)``: strictly newer, and the same
for the same input and prior state. Without a prior note, the source file's mtime.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from ankidigest.model import NoteSpec
from ankidigest.notes.build import check_unique
from ankidigest.notes.notetype import FIELD_INDEX
from ankidigest.update.prior import PriorNote, plain_text, read_prior

__all__ = ["REMOVED_TAG", "PriorNote", "UpdateReport", "read_prior", "reconcile"]

REMOVED_TAG = "ankidigest::removed"
_ANSWERS = re.compile(r"\{\{c\d+::(.*?)(?:::[^}]*)?\}\}", re.S)  # (a hint after "::")


@dataclass(frozen=True)
class UpdateReport:
    """What an export changes compared with the prior package (``prior`` None: none)."""

    prior: str | None
    new: tuple[NoteSpec, ...] = ()
    changed: tuple[NoteSpec, ...] = ()
    # A sequence that may load its notes only when asked (see reuse.LazyNotes).
    unchanged: Sequence[NoteSpec] = ()
    removed: tuple[NoteSpec, ...] = ()  # notes of the prior package gone from the posts
    marked: tuple[NoteSpec, ...] = ()  # gone notes exported now, tagged ankidigest::removed
    kept: tuple[NoteSpec, ...] = ()  # gone notes recorded in the package, not exported

    @property
    def unmarked(self) -> tuple[NoteSpec, ...]:
        """Gone notes still in Anki untagged (as far as we know): --mark-removed's work."""
        return tuple(n for n in self.kept if REMOVED_TAG not in n.tags)

    def counts(self) -> str:
        return (
            f"{len(self.new)} new, {len(self.changed)} changed, "
            f"{len(self.unchanged)} unchanged, {len(self.removed)} removed"
        )


def reconcile(
    notes: Sequence[NoteSpec],
    prior: Mapping[str, PriorNote],
    *,
    prior_path: str | None = None,
    group: str = "term",
    mark_removed: bool = False,
) -> tuple[list[NoteSpec], UpdateReport]:
    """Give each note its ``mod`` against ``prior`` and report what changed.

    With ``group="sentence"`` an edited sentence first takes back the guid and the
    cloze numbers of its prior note (see ``renumber.py``). With ``mark_removed``,
    prior notes gone from the source and not marked yet are exported once more,
    tagged ``ankidigest::removed`` (``report.marked``); the other gone notes are
    ``report.kept``, for the writer to record.
    """
    if group == "sentence" and prior:
        from ankidigest.update.sentence_match import match_sentences

        notes = match_sentences(notes, prior)
    out: list[NoteSpec] = []
    new: list[NoteSpec] = []
    changed: list[NoteSpec] = []
    unchanged: list[NoteSpec] = []
    for note in notes:
        before = prior.get(note.guid)
        if before is None:
            new.append(note)
        elif before.fields == note.fields and (
            before.tags == note.tags or sorted(before.tags) == sorted(note.tags)
        ):
            note = unchanged_note(note, before.mod, before.cloze_max)
            unchanged.append(note)
        else:
            mod = max(note.mod, before.mod + 1)
            note = replace(note, mod=mod, cloze_max=max(note.cloze_max, before.cloze_max))
            changed.append(note)
        out.append(note)
    present = {n.guid for n in out}
    gone = sorted((p for g, p in prior.items() if g not in present), key=lambda p: (p.key, p.guid))
    removed = [_removed_note(p, prior_path, mark=False) for p in gone if not p.gone]
    # A note is marked once: exporting it again would bring it back after the user
    # deleted it in Anki. Notes not exported are recorded in the package (kept).
    marked = []
    kept = []
    for old in gone:
        if mark_removed and REMOVED_TAG not in old.tags:
            marked.append(_removed_note(old, prior_path, mark=True))
        else:
            kept.append(_removed_note(old, prior_path, mark=False))
    out.extend(marked)
    check_unique(out)
    report = UpdateReport(
        prior_path,
        tuple(new),
        tuple(changed),
        tuple(unchanged),
        tuple(removed),
        tuple(marked),
        tuple(kept),
    )
    return out, report


def unchanged_note(note: NoteSpec, mod: int, cloze_max: int) -> NoteSpec:
    """``note``, equal to a prior note of that ``mod`` and highest cloze number, as the
    export writes it: with the prior ``mod`` (so Anki leaves it alone) and the higher of
    the two cloze numbers."""
    top = max(note.cloze_max, cloze_max)
    if note.mod != mod or note.cloze_max != top:  # else keep the same object
        note = replace(note, mod=mod, cloze_max=top)
    return note


def _removed_note(prior: PriorNote, path: str | None, *, mark: bool) -> NoteSpec:
    """A prior note gone from the source, as is or (``mark``) tagged as removed."""
    tags = (*prior.tags, REMOVED_TAG) if mark else prior.tags
    fields = prior.fields
    terms = tuple(html.unescape(answer) for answer in _ANSWERS.findall(prior.text))

    def field(name: str) -> str:
        return html.unescape(fields[FIELD_INDEX[name]])

    return NoteSpec(
        guid=prior.guid,
        key=prior.key,
        fields=fields,
        tags=tags,
        deck=prior.deck,
        mod=prior.mod if tags == prior.tags else prior.mod + 1,
        terms=terms,
        sentence=plain_text(prior.text),
        source=field("URL") or None,
        title=field("Source"),
        date=field("Date") or None,
        section=field("Section"),
        path=path or "",
        line=0,
        cloze_max=prior.cloze_max,
    )
