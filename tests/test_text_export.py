"""-o notes.txt / notes.csv: Anki's text import format, imported by the real importer
(the `anki` package's ``import_csv``, with the request Anki builds from the file's
header lines), mixed with .apkg imports of the same posts."""

from __future__ import annotations

import dataclasses
import os
import time
from pathlib import Path

import pytest

from ankidigest.api import export
from ankidigest.cli import main
from ankidigest.model import NoteSpec
from ankidigest.write.text import write_text

from conftest import EXAMPLE, Anki, ImportLog, touch

pytestmark = pytest.mark.anki


@dataclasses.dataclass
class TextLog(ImportLog):
    missing_notetype: int


def import_text(anki: Anki, path: Path, *, resolution: str | None = None) -> TextLog:
    """File → Import of a text file, with what Anki reads from its header lines and
    "Existing notes:" as Anki picks it (update, in a new collection; then the last
    choice, which Anki remembers) or ``resolution`` ("update", "preserve")."""
    from anki.collection import ImportCsvRequest
    from anki.import_export_pb2 import CsvMetadata

    metadata = anki.col.get_csv_metadata(str(path), None)
    if resolution is not None:
        metadata.dupe_resolution = CsvMetadata.DupeResolution.Value(resolution.upper())
    log = anki.col.import_csv(ImportCsvRequest(path=str(path), metadata=metadata)).log
    return TextLog(
        len(log.new),
        len(log.updated),
        len(log.duplicate),
        len(log.conflicting),
        len(log.missing_notetype),
    )


def built(post: Path, tmp_path: Path) -> dict[str, NoteSpec]:
    """guid -> note of an export of ``post`` (written nowhere)."""
    result = export([str(post)], str(tmp_path / "dry.json"), dry_run=True)
    return {n.guid: n for n in result.notes}


def edit(post: Path) -> None:
    """A typo fix in one sentence and a new bold in another paragraph."""
    text = post.read_text(encoding="utf-8")
    assert text.count("has been **subject to** decades") == 1
    assert text.count("a thermal power plant") == 1
    text = text.replace("has been **subject to** decades", "has been **subject to** many decades")
    text = text.replace("a thermal power plant", "a **thermal power plant**")
    post.write_text(text, encoding="utf-8")


def expected_changes(before: dict[str, NoteSpec], after: dict[str, NoteSpec]) -> tuple[int, int]:
    new = sum(1 for g in after if g not in before)
    changed = sum(
        1
        for g, n in after.items()
        if g in before and (n.fields, sorted(n.tags)) != (before[g].fields, sorted(before[g].tags))
    )
    return new, changed


def note_of_term(anki: Anki, term: str):  # anki.notes.Note
    nids = anki.col.find_notes(f'"Term:{term}"')
    assert len(nids) == 1, (term, len(nids))
    return anki.col.get_note(nids[0])


def test_header_and_columns(tmp_path: Path, corpus: Path) -> None:
    out = tmp_path / "war.txt"
    assert main(["--no-enrich", str(corpus), "-o", str(out), "-q"]) == 0
    lines = out.read_text(encoding="utf-8").split("\n")
    assert lines[:6] == [
        "#separator:tab",
        "#html:true",
        "#guid column:1",
        "#notetype column:2",
        "#deck column:3",
        "#tags column:19",
    ]
    rows = [line for line in lines[6:] if line]
    assert len(rows) == 211
    assert all(len(row.split("\t")) == 19 for row in rows)


def test_text_needs_the_note_type_and_then_matches_the_package(
    tmp_path: Path, anki: Anki, corpus: Path
) -> None:
    txt = tmp_path / "war.txt"
    csv = tmp_path / "war.csv"
    apkg = tmp_path / "war.apkg"
    for out in (txt, csv, apkg):
        assert main(["--no-enrich", str(corpus), "-o", str(out), "-q"]) == 0
    # A collection without our note type: nothing is imported (never into "Basic").
    assert import_text(anki, txt) == TextLog(0, 0, 0, 0, 211)
    assert anki.col.note_count() == 0
    assert anki.import_apkg(apkg).new == 211
    # The same notes as the package, byte for byte: every line is a duplicate.
    assert import_text(anki, txt) == TextLog(0, 0, 211, 0, 0)
    assert import_text(anki, csv) == TextLog(0, 0, 211, 0, 0)
    assert anki.col.note_count() == 211


def test_apkg_then_text_of_an_edited_post(tmp_path: Path, anki: Anki, corpus: Path) -> None:
    post = tmp_path / "post.md"
    post.write_bytes(corpus.read_bytes())
    touch(post, 1_800_000_000)
    apkg = tmp_path / "war.apkg"
    assert main(["--no-enrich", str(post), "-o", str(apkg), "-q"]) == 0
    before = built(post, tmp_path)
    assert anki.import_apkg(apkg).new == 211
    anki.col.decks.select(anki.cards()[0].did)
    top = anki.col.sched.get_queued_cards().cards[0].card.id
    studied = anki.col.get_card(top)
    anki.answer(studied)
    term = studied.note()["Term"]
    revlog = anki.col.db.scalar("select count() from revlog where cid = ?", studied.id)
    assert revlog == 1

    edit(post)
    touch(post, 1_800_000_100)  # the text import ignores mod; any time will do
    after = built(post, tmp_path)
    new, changed = expected_changes(before, after)
    assert new == 1 and changed >= 1
    txt = tmp_path / "war.txt"
    assert main(["--no-enrich", str(post), "-o", str(txt), "-q"]) == 0
    # "Existing notes: preserve" in the import dialog leaves every known note alone.
    preserve = import_text(anki, txt, resolution="preserve")
    assert (preserve.new, preserve.updated, preserve.missing_notetype) == (new, 0, 0)
    assert "many decades" not in note_of_term(anki, "subject to")["Text"]
    assert import_text(anki, txt).updated == 0  # Anki remembers "preserve"
    log = import_text(anki, txt, resolution="update")
    assert log == TextLog(0, changed, 212 - changed, 0, 0)
    assert anki.col.note_count() == 212  # no duplicates
    note = note_of_term(anki, "subject to")
    assert "{{c1::subject to}} many decades" in note["Text"]
    assert "{{c1::thermal power plant}}" in note_of_term(anki, "thermal power plant")["Text"]
    # Every note kept its card and review history (the studied one too).
    assert note_of_term(anki, term).cards()[0].id == studied.id
    assert anki.col.db.scalar("select count() from revlog where cid = ?", studied.id) == 1
    # Importing the same text again changes nothing.
    assert import_text(anki, txt) == TextLog(0, 0, 212, 0, 0)


def test_text_then_apkg_of_an_edited_post(tmp_path: Path, anki: Anki, corpus: Path) -> None:
    # The note type comes from any ankidigest package (here the bundled example).
    example = tmp_path / "science.apkg"
    assert main(["--no-enrich", str(EXAMPLE), "-o", str(example), "-q"]) == 0
    examples = anki.import_apkg(example).new
    post = tmp_path / "post.md"
    post.write_bytes(corpus.read_bytes())
    touch(post, int(time.time()) - 3600)
    txt = tmp_path / "war.txt"
    assert main(["--no-enrich", str(post), "-o", str(txt), "-q"]) == 0
    before = built(post, tmp_path)
    assert import_text(anki, txt) == TextLog(211, 0, 0, 0, 0)
    imported_at = anki.col.db.scalar("select max(mod) from notes")

    edit(post)
    after = built(post, tmp_path)
    new, changed = expected_changes(before, after)
    apkg = tmp_path / "war.apkg"
    # Saved before the text import: the text import made every note newer than the
    # package's notes, so Anki leaves the edited notes alone (the "if newer" rule).
    touch(post, imported_at - 60)
    assert main(["--no-enrich", str(post), "-o", str(apkg), "-q"]) == 0
    log = anki.import_apkg(apkg)
    assert (log.new, log.updated, log.conflicting) == (new, 0, 0)
    assert "many decades" not in note_of_term(anki, "subject to")["Text"]
    # Saved after it (as a real edit is): the package's notes are newer and update.
    os.unlink(apkg)
    touch(post, imported_at + 60)
    assert main(["--no-enrich", str(post), "-o", str(apkg), "-q"]) == 0
    log = anki.import_apkg(apkg)
    assert (log.new, log.conflicting) == (0, 0)
    # Without a previous package every note takes the post's time, so all are newer.
    assert log.updated + log.duplicate == 212 and log.updated >= changed
    assert anki.col.note_count() == 212 + examples  # no duplicates
    assert "{{c1::subject to}} many decades" in note_of_term(anki, "subject to")["Text"]


def test_awkward_fields_and_guids_round_trip(tmp_path: Path, anki: Anki) -> None:
    """Separators, quotes, line breaks and a leading '#' (the importer's comment mark)
    in guids and fields come back exactly, through both separators."""
    every = list(built(EXAMPLE, tmp_path).values())
    notes = every[:6]
    awkward = ["#abc", "#", "a,b;c|d", "plain", "x:y", "{|}~"]  # base91 has ',' and '#'
    odd = []
    for i, (note, guid) in enumerate(zip(notes, awkward, strict=True)):
        fields = list(note.fields)
        fields[0] = f'#{i} "quoted", tab\there, ' + fields[0]
        fields[8] = "line one<br>line two;\tand, more"
        odd.append(dataclasses.replace(note, guid=guid, fields=tuple(fields)))
    assert main(["--no-enrich", str(EXAMPLE), "-o", str(tmp_path / "science.apkg"), "-q"]) == 0
    anki.import_apkg(tmp_path / "science.apkg")  # brings the note type
    for ext in (".txt", ".csv"):
        path = tmp_path / f"odd{ext}"
        write_text(odd, str(path), ext)
        log = import_text(anki, path)
        assert (log.missing_notetype, log.conflicting) == (0, 0)
        for note in odd:
            (nid,) = anki.col.db.list("select id from notes where guid = ?", note.guid)
            got = anki.col.get_note(nid)
            assert tuple(got.fields) == note.fields, ext
            assert got.tags == list(note.tags)
    assert anki.col.note_count() == len(every) + 6  # the example's notes, then the odd ones


def test_unknown_extension_names_the_text_formats(tmp_path: Path, capsys) -> None:
    assert main(["--no-enrich", str(EXAMPLE), "-o", str(tmp_path / "x.tsv")]) == 2
    assert ".txt, .csv" in capsys.readouterr().err
