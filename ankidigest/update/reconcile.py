"""Updates: compare freshly built notes with a prior package and set each note's ``mod``.

Anki updates a note it already has only when the incoming ``mod`` is strictly newer
(see docs/DESIGN.md). So a note whose fields and tags equal the prior package's
keeps the prior ``mod`` (Anki leaves it, and the user's own edits, alone), and a
changed note gets ``max(export time, prior mod + 1)`` (``clock.py``): newer than any
edit the user made in Anki before the export, so the post wins. A note with no prior
note keeps the source file's mtime: nothing says it is newer than what Anki holds.
Each note is first matched to its prior note (``term_match.py``, ``sentence_match.py``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from ankidigest import sanitize
from ankidigest.identity import lemma_of_key
from ankidigest.model import NoteSpec
from ankidigest.notes.build import check_unique
from ankidigest.notes.notetype import FIELD_INDEX
from ankidigest.update.prior import PriorNote, plain_text, read_prior
from ankidigest.update.sentence_match import sentence_scope
from ankidigest.update.untrusted import clean_deck, clean_fields

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
    # Notes that kept the note of another article or section (a corrected URL, say):
    # also counted as changed or unchanged.
    moved: tuple[NoteSpec, ...] = ()
    # guid -> the prior fields of each changed note (what -v shows as old -> new)
    before: Mapping[str, PriorNote] = field(default_factory=dict)

    @property
    def unmarked(self) -> tuple[NoteSpec, ...]:
        """Gone notes still in Anki untagged (as far as we know): --mark-removed's work."""
        return tuple(n for n in self.kept if REMOVED_TAG not in n.tags)

    def counts(self) -> str:
        moved = f", {len(self.moved)} moved" if self.moved else ""
        return (
            f"{len(self.new)} new, {len(self.changed)} changed, "
            f"{len(self.unchanged)} unchanged, {len(self.removed)} removed{moved}"
        )

    def differences(self, note: NoteSpec) -> list[tuple[str, str, str]]:
        """(field name, old, new) of each field of a changed note that differs (and
        "tags" when they do)."""
        old = self.before.get(note.guid)
        if old is None:
            return []
        out = [
            (name, old.fields[i], note.fields[i])
            for name, i in FIELD_INDEX.items()
            if old.fields[i] != note.fields[i]
        ]
        if sorted(old.tags) != sorted(note.tags):
            out.append(("tags", " ".join(old.tags), " ".join(note.tags)))
        return out


def reconcile(
    notes: Sequence[NoteSpec],
    prior: Mapping[str, PriorNote],
    *,
    prior_path: str | None = None,
    group: str = "term",
    mark_removed: bool = False,
    now: int = 0,
) -> tuple[list[NoteSpec], UpdateReport]:
    """Give each note its ``mod`` against ``prior`` and report what changed.

    With ``group="sentence"`` an edited sentence first takes back the guid and the
    cloze numbers of its prior note (see ``renumber.py``). With ``mark_removed``,
    prior notes gone from the source and not marked yet are exported once more,
    tagged ``ankidigest::removed`` (``report.marked``); the other gone notes are
    ``report.kept``, for the writer to record. ``now``: the export time, the least
    ``mod`` of a changed note (see clock.py).
    """
    notes, moved = match_prior(notes, prior, group)
    out: list[NoteSpec] = []
    new: list[NoteSpec] = []
    changed: list[NoteSpec] = []
    unchanged: list[NoteSpec] = []
    previous: dict[str, PriorNote] = {}
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
            mod = max(now, before.mod + 1)
            note = replace(note, mod=mod, cloze_max=max(note.cloze_max, before.cloze_max))
            changed.append(note)
            previous[note.guid] = before
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
            marked.append(_removed_note(old, prior_path, mark=True, now=now))
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
        tuple(n for i, n in enumerate(out) if i in moved),
        previous,
    )
    return out, report


def match_prior(
    notes: Sequence[NoteSpec], prior: Mapping[str, PriorNote], group: str
) -> tuple[list[NoteSpec], set[int]]:
    """``notes`` with each one that is a prior note (an edited sentence, an unbolded first
    occurrence, a corrected URL, a renamed deck) under that note's guid and key, by the
    matcher of ``group``; and the indexes of the notes that moved (``term_match.py``)."""
    if not prior:
        return list(notes), set()
    if group == "sentence":
        from ankidigest.update.sentence_match import match_sentences

        return match_sentences(notes, prior)
    if group == "lemma":
        from ankidigest.update.lemma_match import match_lemmas

        return match_lemmas(notes, prior), set()
    from ankidigest.update.term_match import match_terms

    return match_terms(notes, prior)


def other_group(prior: Mapping[str, PriorNote], group: str) -> tuple[str, int] | None:
    """(another grouping, how many notes of the prior package have it) when the prior
    package was exported with another ``--group`` than ``group`` (none of its notes has
    this one), else None."""
    counts = {"term": 0, "sentence": 0, "lemma": 0}
    for note in prior.values():
        if not note.gone:
            counts[group_of_key(note.key)] += 1
    if counts.get(group, 0):
        return None
    count, other = max((n, g) for g, n in counts.items() if g != group)
    return (other, count) if count else None


def switch_message(source: str | None, other: str, count: int, group: str) -> str:
    """What exporting or pushing with ``--group group`` over ``count`` notes of ``source``
    made with ``--group other`` would do."""
    return (
        f"{source} was exported with --group {other}: with --group {group} every note is "
        f"new, and its {count} notes stay in Anki as they are (with their review history, "
        "never updated again) beside the new cards"
    )


def group_of_key(key: str) -> str:
    """The ``--group`` a note's key was made by."""
    if lemma_of_key(key) is not None:
        return "lemma"
    return "term" if sentence_scope(key) is None else "sentence"


def unchanged_note(note: NoteSpec, mod: int, cloze_max: int) -> NoteSpec:
    """``note``, equal to a prior note of that ``mod`` and highest cloze number, as the
    export writes it: with the prior ``mod`` (so Anki leaves it alone) and the higher of
    the two cloze numbers."""
    top = max(note.cloze_max, cloze_max)
    if note.mod != mod or note.cloze_max != top:  # else keep the same object
        note = replace(note, mod=mod, cloze_max=top)
    return note


def _removed_note(prior: PriorNote, path: str | None, *, mark: bool, now: int = 0) -> NoteSpec:
    """A prior note gone from the source, as is or (``mark``) tagged as removed; what it
    brings back from the package sanitised as a post's notes are (``untrusted.py``)."""
    prior = prior._replace(fields=clean_fields(prior.fields), tags=sanitize.tags(prior.tags))
    tags = (*prior.tags, REMOVED_TAG) if mark else prior.tags
    fields = prior.fields
    terms = tuple(html.unescape(answer) for answer in _ANSWERS.findall(prior.text))

    def value(name: str) -> str:
        return html.unescape(fields[FIELD_INDEX[name]])

    return NoteSpec(
        guid=prior.guid,
        key=prior.key,
        fields=fields,
        tags=tags,
        deck=clean_deck(prior.deck),
        mod=prior.mod if tags == prior.tags else max(now, prior.mod + 1),
        terms=terms,
        sentence=plain_text(prior.text),
        source=value("URL") or None,
        title=value("Source"),
        date=value("Date") or None,
        section=value("Section"),
        path=path or "",
        line=0,
        cloze_max=prior.cloze_max,
    )
