"""Updates: compare freshly built notes with a prior package and set each note's ``mod``.

Anki updates a note it already has only when the incoming ``mod`` is strictly newer
(see docs/DESIGN.md). So a note whose fields and tags equal the prior package's
keeps the prior ``mod`` (Anki leaves it, and the user's own edits, alone), and a
changed note gets ``max(source mtime, prior mod + 1)``: strictly newer, and the same
for the same input and prior state. Without a prior note, the source file's mtime.
"""

from __future__ import annotations

import html
import json
import os
import re
import sqlite3
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from .apkg import CLOZE_TABLE
from .build import check_unique
from .errors import InputError
from .model import NoteSpec
from .normalize import normalize_term
from .notetype import FIELD_INDEX, FIELD_NAMES, MODEL_ID

REMOVED_TAG = "ankidigest::removed"
_CLOZE = re.compile(r"\{\{c(\d+)::(.*?)\}\}", re.S)
_HTML_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class PriorNote:
    """One ankidigest note as an earlier package holds it."""

    guid: str
    mod: int
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    deck: str
    cloze_max: int

    @property
    def key(self) -> str:
        return html.unescape(self.fields[FIELD_INDEX["Key"]])

    @property
    def text(self) -> str:
        return self.fields[FIELD_INDEX["Text"]]


@dataclass(frozen=True)
class UpdateReport:
    """What an export changes compared with the prior package (``prior`` None: none)."""

    prior: str | None
    new: tuple[NoteSpec, ...] = ()
    changed: tuple[NoteSpec, ...] = ()
    unchanged: tuple[NoteSpec, ...] = ()
    removed: tuple[NoteSpec, ...] = ()
    marked: bool = False  # whether the removed notes are in the export, tagged

    def counts(self) -> str:
        return (
            f"{len(self.new)} new, {len(self.changed)} changed, "
            f"{len(self.unchanged)} unchanged, {len(self.removed)} removed"
        )


def read_prior(path: str) -> dict[str, PriorNote]:
    """guid -> PriorNote for every ankidigest note in the package at ``path``.

    Raises InputError (one line naming the file) when it is not a readable package.
    Notes of other note types are ignored.
    """
    try:
        with zipfile.ZipFile(path) as archive, tempfile.TemporaryDirectory() as work:
            names = archive.namelist()
            name = next((n for n in ("collection.anki21", "collection.anki2") if n in names), "")
            if not name:
                raise InputError(path, "not an Anki package written by ankidigest (no collection)")
            archive.extract(name, work)
            return _read_collection(os.path.join(work, name))
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except IsADirectoryError:
        raise InputError(path, "is a folder, not an Anki package") from None
    except (zipfile.BadZipFile, sqlite3.DatabaseError, ValueError, KeyError) as exc:
        raise InputError(path, f"not a readable Anki package ({exc})") from None
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None


def _read_collection(db_path: str) -> dict[str, PriorNote]:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        decks_json = conn.execute("SELECT decks FROM col").fetchone()[0]
        decks = {int(k): str(v["name"]) for k, v in json.loads(decks_json).items()}
        high: dict[str, int] = {}
        if conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (CLOZE_TABLE,)
        ).fetchone():
            high = dict(conn.execute(f"SELECT guid, high FROM {CLOZE_TABLE}").fetchall())
        rows = conn.execute(
            "SELECT n.guid, n.mod, n.flds, n.tags, "
            "(SELECT c.did FROM cards c WHERE c.nid = n.id ORDER BY c.ord LIMIT 1) "
            "FROM notes n WHERE n.mid = ?",
            (MODEL_ID,),
        ).fetchall()
    finally:
        conn.close()
    prior: dict[str, PriorNote] = {}
    for guid, mod, flds, tags, did in rows:
        fields = tuple(flds.split("\x1f"))
        if len(fields) != len(FIELD_NAMES):
            continue
        numbers = [int(n) for n, _ in _CLOZE.findall(fields[0])]
        top = max([*numbers, high.get(guid, 0)])
        deck = decks.get(did, "ankidigest") if did is not None else "ankidigest"
        prior[guid] = PriorNote(guid, int(mod), fields, tuple(tags.split()), deck, top)
    return prior


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
    notes of the prior package gone from the source are exported once more, tagged
    ``ankidigest::removed``.
    """
    if group == "sentence" and prior:
        from .renumber import match_sentences

        notes = match_sentences(notes, prior)
    out: list[NoteSpec] = []
    new: list[NoteSpec] = []
    changed: list[NoteSpec] = []
    unchanged: list[NoteSpec] = []
    for note in notes:
        before = prior.get(note.guid)
        if before is None:
            new.append(note)
        elif before.fields == note.fields and sorted(before.tags) == sorted(note.tags):
            note = replace(note, mod=before.mod, cloze_max=max(note.cloze_max, before.cloze_max))
            unchanged.append(note)
        else:
            mod = max(note.mod, before.mod + 1)
            note = replace(note, mod=mod, cloze_max=max(note.cloze_max, before.cloze_max))
            changed.append(note)
        out.append(note)
    present = {n.guid for n in out}
    gone = sorted((p for g, p in prior.items() if g not in present), key=lambda p: (p.key, p.guid))
    removed = [_removed_note(p, prior_path or "") for p in gone]
    if mark_removed:
        out.extend(removed)
    check_unique(out)
    report = UpdateReport(
        prior_path if prior_path is not None else None,
        tuple(new),
        tuple(changed),
        tuple(unchanged),
        tuple(removed),
        mark_removed,
    )
    return out, report


def _removed_note(prior: PriorNote, path: str) -> NoteSpec:
    """A prior note gone from the source, as it would be exported with the removed tag."""
    tags = prior.tags if REMOVED_TAG in prior.tags else (*prior.tags, REMOVED_TAG)
    fields = prior.fields
    terms = tuple(html.unescape(answer) for _, answer in _CLOZE.findall(prior.text))

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
        path=path,
        line=0,
        cloze_max=prior.cloze_max,
    )


def plain_text(cloze_html: str) -> str:
    """The sentence a cloze field shows, as plain text."""
    text = _CLOZE.sub(lambda m: m.group(2), cloze_html).replace("<br>", "\n")
    return html.unescape(_HTML_TAG.sub("", text))


def cloze_terms(cloze_html: str) -> list[tuple[int, str]]:
    """(number, normalised term) of each deletion, in text order."""
    return [(int(n), normalize_term(html.unescape(a))) for n, a in _CLOZE.findall(cloze_html)]
