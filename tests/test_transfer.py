"""How built posts travel (cache entries, worker replies) and how packages are read and
written fast: each fast path is checked against the plain way it replaces."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
import re
import sqlite3
import tempfile
import zipfile
from pathlib import Path

import pytest

from ankidigest import InputError, export, read_posts
from ankidigest.model import Document, NoteSpec
from ankidigest.notes.build import BuildOptions, build_notes
from ankidigest.notes.notetype import MODEL_ID, SORT_FIELD
from ankidigest.run.jobs import Documents, Result, from_entry, to_entry
from ankidigest.update.prior import PriorNote, PriorPackage, read_prior
from ankidigest.write.apkg import CLOZE_TABLE, write_apkg

from conftest import touch

POST = """---
title: "A <post> & more"
date: 2025-02-01
tags: [english, reading]
---

### Section one

#### [Story one](https://news.example.org/a/story-one)

The **first** word and the **second** word share a sentence.
A lone **third** stands here. The **first** comes back.

#### [Story two](https://news.example.org/a/story-two)

Words like **ébauche** and **naïve** and **东西** are here.

Not a term: **Definition:** a label.
"""


@pytest.fixture
def post(tmp_path: Path) -> Path:
    path = tmp_path / "post.md"
    path.write_text(POST, encoding="utf-8")
    touch(path, 1_700_000_000)
    return path


def _result(path: Path) -> Result:
    (doc,) = read_posts([str(path)], jobs=1)
    notes = build_notes([doc])
    counts = (doc.articles, doc.term_count, len(doc.skips))
    return Result(doc, counts, notes, frozenset({"scope"}), True)


def test_entry_round_trip_gives_equal_notes_and_document(post: Path) -> None:
    result = _result(post)
    assert result.notes and result.counts[2] > 0  # notes and a skip to carry
    entry = pickle.loads(pickle.dumps(to_entry(result)))
    back = from_entry(entry)
    assert back is not None
    assert back.notes == result.notes
    assert [type(n) for n in back.notes] == [NoteSpec] * len(result.notes)
    assert back.counts == result.counts and back.scopes == result.scopes and back.safe
    assert isinstance(back.document, bytes)
    assert pickle.loads(back.document) == result.document


def test_a_note_from_its_row_equals_the_dataclass_made_by_init(post: Path) -> None:
    names = [f.name for f in dataclasses.fields(NoteSpec)]
    for note in _result(post).notes:
        row = tuple(getattr(note, name) for name in names)
        (made,) = from_entry((b"", (0, 0, 0), [row], frozenset(), True)).notes  # type: ignore[union-attr]
        assert made == NoteSpec(*row) == note
        assert vars(made) == vars(NoteSpec(*row))
        assert hash(made.fields) == hash(note.fields)
        with pytest.raises(dataclasses.FrozenInstanceError):
            made.mod = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    "entry",
    [
        None,
        "junk",
        (b"", (0, 0, 0), [], frozenset()),  # too short
        ("doc", (0, 0, 0), [], frozenset(), True),  # not bytes
        (b"", (0, 0, 0), [("short",)], frozenset(), True),  # a row of the wrong size
        (b"", (0, 0, 0), (), frozenset(), True),
        (b"", (0, 0, 0), [], {"scope"}, True),
        (b"", (0, 0, 0), [], frozenset(), 1),
    ],
)
def test_entries_of_another_shape_are_misses(entry: object) -> None:
    assert from_entry(entry) is None


def test_documents_decode_on_demand_and_count_without_decoding(post: Path) -> None:
    result = _result(post)
    blob = pickle.dumps(result.document)
    loads: list[int] = []

    def loader() -> Document:
        loads.append(1)
        assert isinstance(result.document, Document)
        return result.document

    docs = Documents([result.document, blob, loader], [result.counts] * 3)
    assert (docs.articles, docs.terms, docs.skipped) == tuple(3 * c for c in result.counts)
    assert docs._items[1] is blob and not loads  # counted without unpickling or loading
    assert list(docs) == [result.document] * 3
    assert docs[-1] == result.document and docs[0:3] == [result.document] * 3
    assert len(docs) == 3 and loads == [1]  # a loader runs once


def test_export_counts_equal_the_documents_counts(post: Path, tmp_path: Path) -> None:
    cache = str(tmp_path / "cache")
    for _ in range(2):  # built, then from the cache
        result = export([str(post)], str(tmp_path / "out.json"), cache_dir=cache)
        docs = list(result.documents)
        assert result.articles == sum(d.articles for d in docs) == 2
        assert result.terms == sum(d.term_count for d in docs)
        assert result.skipped == sum(len(d.skips) for d in docs) > 0
        assert docs == read_posts([str(post)], jobs=1)


# --- the writer: every column as Anki's schema defines it, computed the plain way -----

_TAG = re.compile(r"<[^>]*>")


def _expected_rows(
    notes: list[NoteSpec],
) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    base = max(n.mod for n in notes) * 1000
    note_rows, card_rows = [], []
    card_id = base + len(notes)
    decks: dict[str, int] = {}
    for index, note in enumerate(notes):
        text = note.fields[0]
        csum = int.from_bytes(hashlib.sha1(_TAG.sub("", text).encode()).digest()[:4], "big")
        tags = " " + " ".join(note.tags) + " " if note.tags else ""
        sort = _TAG.sub("", note.fields[SORT_FIELD])
        note_rows.append(
            (base + index, note.guid, MODEL_ID, note.mod, -1, tags, "\x1f".join(note.fields),
             sort, csum, 0, "")
        )  # fmt: skip
        decks.setdefault(note.deck, len(decks))
        for number in sorted({int(n) for n in re.findall(r"\{\{c(\d+)::", text)}):
            card_rows.append(
                (card_id, base + index, note.deck, number - 1, note.mod, -1, 0, 0, index + 1,
                 0, 0, 0, 0, 0, 0, 0, 0, "")
            )  # fmt: skip
            card_id += 1
    return note_rows, card_rows


def _table(apkg: Path, query: str) -> list[tuple[object, ...]]:
    with zipfile.ZipFile(apkg) as archive, tempfile.TemporaryDirectory() as work:
        archive.extract("collection.anki2", work)
        conn = sqlite3.connect(os.path.join(work, "collection.anki2"))
        try:
            return conn.execute(query).fetchall()
        finally:
            conn.close()


def test_written_rows_hold_every_column_as_computed_the_plain_way(
    post: Path, tmp_path: Path
) -> None:
    docs = read_posts([str(post)], jobs=1)
    notes = build_notes(docs) + build_notes(docs, BuildOptions(group="sentence"))
    two = next(n for n in notes if n.fields[0].count("{{c") >= 2)
    odd = dataclasses.replace(
        two,
        guid="odd-one",
        key="odd",
        fields=("{{c3::a}} <i>x</i> {{c1::b}} {{c3::c}}", "<b>term</b>", *two.fields[2:]),
        tags=(),
        cloze_max=5,  # a retired number: recorded in our own table
    )
    notes = [*notes, odd]
    out = tmp_path / "out.apkg"
    write_apkg(notes, str(out))
    want_notes, want_cards = _expected_rows(notes)
    assert _table(out, "SELECT * FROM notes ORDER BY id") == want_notes
    dids = dict(_table(out, "SELECT id, did FROM cards"))
    names = {n.deck for n in notes}
    got_cards = _table(out, "SELECT * FROM cards ORDER BY id")
    assert len({dids[c[0]] for c in got_cards}) == len(names)
    assert [c[:2] + c[3:] for c in got_cards] == [c[:2] + c[3:] for c in want_cards]
    assert _table(out, f"SELECT guid, high FROM {CLOZE_TABLE}") == [("odd-one", 5)]


# --- the prior package: read in a thread, the same notes and errors as before ----------


def _plain_prior(path: str) -> dict[str, tuple[object, ...]]:
    """The prior notes read the slow, obvious way."""
    rows = _table(
        Path(path), "SELECT id, guid, mod, flds, tags FROM notes WHERE mid = " + str(MODEL_ID)
    )
    cards = _table(Path(path), "SELECT nid, did, ord FROM cards")
    (decks_json,) = _table(Path(path), "SELECT decks FROM col")[0]
    import json

    decks = {int(k): v["name"] for k, v in json.loads(decks_json).items()}
    high = dict(_table(Path(path), f"SELECT guid, high FROM {CLOZE_TABLE}"))
    out = {}
    for nid, guid, mod, flds, tags in rows:
        fields = tuple(flds.split("\x1f"))
        mine = sorted((o, d) for n, d, o in cards if n == nid)
        deck = decks.get(mine[0][1], "ankidigest") if mine else "ankidigest"
        numbers = [int(n) for n, _ in re.findall(r"\{\{c(\d+)::(.*?)\}\}", fields[0], re.S)]
        top = max([*numbers, high.get(guid, 0)])
        out[guid] = (guid, mod, fields, tuple(tags.split()), deck, top, False, "")
    return out


def test_prior_notes_equal_the_plain_reading(post: Path, tmp_path: Path) -> None:
    docs = read_posts([str(post)], jobs=1)
    notes = build_notes(docs) + build_notes(docs, BuildOptions(group="sentence"))
    first = notes[0]
    notes[0] = dataclasses.replace(first, cloze_max=7, tags=("b", "a", "b"))
    lone = ("{{c4::x}} y", *first.fields[1:])  # one deletion, not numbered 1
    notes.append(dataclasses.replace(first, guid="lone", fields=lone))
    out = tmp_path / "out.apkg"
    write_apkg(notes, str(out))
    want = _plain_prior(str(out))
    known_all = {n.guid: n.fields for n in notes}
    changed = {g: (*f[:8], f[8] + "!", *f[9:]) for g, f in known_all.items()}
    for known in (None, {}, known_all, changed):
        got = read_prior(str(out), known)
        assert {g: tuple(p) for g, p in got.items()} == want
        assert all(isinstance(p, PriorNote) for p in got.values())
    shared = read_prior(str(out), known_all)
    assert all(shared[g].fields is f for g, f in known_all.items())


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: None, "no such file"),
        (lambda p: p.mkdir(), "is a folder, not an Anki package"),
        (lambda p: p.write_bytes(b"not a zip"), "not a readable Anki package"),
        (lambda p: zipfile.ZipFile(p, "w").close(), "no collection"),
    ],
)
def test_prior_package_errors_name_the_file(tmp_path: Path, make: object, message: str) -> None:
    path = tmp_path / "prior.apkg"
    make(path)  # type: ignore[operator]
    with pytest.raises(InputError, match=message) as err:
        read_prior(str(path))
    assert err.value.path == str(path)
    with PriorPackage(str(path)) as package, pytest.raises(InputError, match=message):
        package.read()


def test_prior_package_leaves_no_unzipped_copy(post: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.apkg"
    write_apkg(build_notes(read_posts([str(post)], jobs=1)), str(out))
    with PriorPackage(str(out)) as package:
        assert package.read()
        work = package._work
        assert work is not None and os.path.isdir(work)
    assert not os.path.exists(work)
    with PriorPackage(str(out)):
        pass  # never read: still cleaned up
