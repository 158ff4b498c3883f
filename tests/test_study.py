"""--order (new-card positions) and --group lemma, in a real Anki collection."""

from __future__ import annotations

import html
import os
import sqlite3
import tempfile
import zipfile
from pathlib import Path

import pytest

from ankidigest import export
from ankidigest.errors import UsageError
from ankidigest.identity import lemma_of_key
from ankidigest.notes.build import BuildOptions
from ankidigest.notes.notetype import FIELD_INDEX
from ankidigest.notes.study import EXAMS, LAST, lemma_of, new_enricher

from conftest import Anki, touch
from study_posts import ADDED, REPEATED, write_second

T1 = 1_800_000_000
CONTEXT = FIELD_INDEX["Context"]


def package_dues(path: Path) -> dict[str, int]:
    """guid -> the due of its (first) card, as the package holds it."""
    with zipfile.ZipFile(path) as archive, tempfile.TemporaryDirectory() as work:
        archive.extract("collection.anki2", work)
        conn = sqlite3.connect(os.path.join(work, "collection.anki2"))
        try:
            rows = conn.execute(
                "SELECT n.guid, min(c.due) FROM cards c JOIN notes n ON n.id = c.nid GROUP BY n.id"
            ).fetchall()
        finally:
            conn.close()
    return dict(rows)


def anki_dues(anki: Anki) -> dict[str, int]:
    rows = anki.col.db.all(
        "SELECT n.guid, min(c.due) FROM cards c JOIN notes n ON n.id = c.nid GROUP BY n.id"
    )
    return {guid: due for guid, due in rows}


def test_anki_keeps_imported_positions_and_a_new_card_lands_among_them(
    tmp_path: Path, anki: Anki, corpus: Path
) -> None:
    # The collection already holds a new card of the user's own (position 1).
    basic = anki.col.models.by_name("Basic")
    own = anki.col.new_note(basic)
    own["Front"], own["Back"] = "mine", "mine"
    anki.col.add_note(own, anki.col.decks.id("Default"))
    first = tmp_path / "first.apkg"
    export([str(corpus)], str(first), order="frequency", now=T1)
    before = package_dues(first)
    assert len(set(before.values())) > 100  # ranks, not one position for all
    anki.import_apkg(first)
    in_anki = anki_dues(anki)
    # Measured: the importer keeps each new card's due as the package gives it (not
    # renumbered after the collection's own cards).
    assert {g: in_anki[g] for g in before} == before
    second = write_second(tmp_path)
    touch(second, T1)
    both = tmp_path / "both.apkg"
    export([str(corpus), str(second)], str(both), previous=str(first), order="frequency", now=T1)
    after = package_dues(both)
    assert {g: after[g] for g in before} == before  # the re-export keeps every position
    new = {g: d for g, d in after.items() if g not in before}
    assert len(new) == 6
    log = anki.import_apkg(both)
    assert log.new == 6
    in_anki = anki_dues(anki)
    assert {g: in_anki[g] for g in after} == after
    # A package that gives the existing cards other positions (another --order): Anki
    # never changes a card it has, so only cards new to it take the new order.
    by_date = tmp_path / "by-date.apkg"
    export([str(corpus), str(second)], str(by_date), previous=str(both), order="date", now=T1)
    assert package_dues(by_date) != after
    assert anki.import_apkg(by_date).new == 0
    assert anki_dues(anki) == in_anki
    ranked = [d for d in new.values() if d < LAST]
    assert ranked and all(min(before.values()) < d < max(before.values()) for d in ranked)
    # Anki shows new cards by due: its queue is in the order of the package's positions.
    queue = anki.col.sched.get_queued_cards(fetch_limit=50).cards
    dues = [entry.card.due for entry in queue]
    assert dues == sorted(dues)


def test_orders_follow_date_rank_and_exam(tmp_path: Path, corpus: Path) -> None:
    second = write_second(tmp_path)
    files = [str(corpus), str(second)]
    oldest = export(files, str(tmp_path / "a.json"), order="date").notes
    newest = export(files, str(tmp_path / "b.json"), order="date-newest").notes
    by_date = sorted(oldest, key=lambda n: n.due)
    assert [n.date for n in by_date] == sorted(n.date or "9" for n in oldest)
    assert by_date[0].due == 1 + (20012 if by_date[0].date == "2024-10-16" else -1)
    assert sorted(newest, key=lambda n: n.due)[0].date == "2025-02-18"
    level = export(files, str(tmp_path / "c.json"), order="level").notes
    enricher = new_enricher()

    def exam(note: object) -> int:
        levels = lemma_of(note, enricher).levels  # type: ignore[arg-type]
        return min((EXAMS.index(x) for x in levels), default=len(EXAMS))

    ranked = [exam(n) for n in sorted(level, key=lambda n: n.due)]
    assert ranked == sorted(ranked) and ranked[0] < ranked[-1]
    assert all(0 < n.due < 1_000_000 for n in oldest + newest + level)
    post = export(files, str(tmp_path / "d.json")).notes
    assert all(n.due == 0 for n in post)  # as written: the place in the package
    with pytest.raises(UsageError, match="--order"):
        export(files, str(tmp_path / "e.json"), order="alphabet")


def _by_lemma(path: Path) -> dict[str, tuple[str, ...]]:
    result = export([str(path)], str(path.with_suffix(".json")), BuildOptions(group="lemma"))
    return {n.key: n.fields for n in result.notes}


def test_group_lemma_one_note_per_word_updates_in_place(
    tmp_path: Path, anki: Anki, corpus: Path
) -> None:
    second = write_second(tmp_path)
    touch(second, T1)
    out = tmp_path / "words.apkg"
    options = BuildOptions(group="lemma")
    result = export([str(corpus), str(second)], str(out), options, now=T1)
    notes = result.notes
    lemmas = [lemma_of_key(n.key) for n in notes]
    assert len(lemmas) == len(set(lemmas)) and None not in lemmas
    assert len(notes) < result.terms
    by_lemma = {lemma_of_key(n.key): n for n in notes}
    for form, lemma in REPEATED.items():
        note = by_lemma[lemma]
        assert note.path == str(second) and form in note.terms  # the newest is the cloze
        assert f"{{{{c1::{form}}}}}" in note.fields[FIELD_INDEX["Text"]]
        context = note.fields[CONTEXT]
        assert "theguardian.com" in context and "<b>" in context  # the other article
        assert note.deck == "ankidigest"
    log = anki.import_apkg(out)
    assert log.new == len(notes)
    assert len(anki.cards()) == len(notes)  # one card per word
    guid = by_lemma["dismiss"].guid
    card = anki.col.get_card(anki.note_by_guid(guid).card_ids()[0])
    anki.col.decks.select(card.did)  # bury the others, so the card is the queue's top
    anki.col.sched.bury_cards([cid for cid in anki.col.find_cards("") if cid != card.id])
    anki.answer(card)
    anki.col.sched.unbury_deck(card.did)
    # A sentence of the word is added: the same note, changed; the others untouched.
    second.write_text(second.read_text(encoding="utf-8") + ADDED, encoding="utf-8")
    touch(second, T1 + 50)
    again = export([str(corpus), str(second)], str(out), options, now=T1 + 100)
    assert [n.guid for n in again.report.changed] == [guid]
    assert not again.report.new
    log = anki.import_apkg(out)
    assert (log.new, log.updated, log.conflicting) == (0, 1, 0)
    note = anki.note_by_guid(guid)
    assert "{{c1::dismissed}} reports of a breakthrough" in note["Text"]
    assert "<b>dismisses</b> the proposal" in note["Context"]
    assert "<b>dismissed</b> the claims" in note["Context"]
    assert anki.col.get_card(card.id).reps == 1  # its history kept
    assert len(anki.notes()) == len(notes)


def test_group_switch_refused_and_a_renamed_deck_keeps_the_words(tmp_path: Path) -> None:
    second = write_second(tmp_path)
    out = tmp_path / "later.apkg"
    export([str(second)], str(out), now=T1)
    with pytest.raises(UsageError, match="--group term"):
        export([str(second)], str(out), BuildOptions(group="lemma"), now=T1)
    export([str(second)], str(out), BuildOptions(group="lemma"), now=T1, force=True)
    again = export([str(second)], str(out), BuildOptions(group="lemma"))
    first = {n.key: n.guid for n in again.notes}
    assert all(k.startswith("deck:later news#lemma:") for k in first)
    with pytest.raises(UsageError, match="--group lemma"):
        export([str(second)], str(out), now=T1)
    # The post is retitled, so its deck (and each key) is another: the words keep their notes.
    second.write_text(
        second.read_text(encoding="utf-8").replace("Later news", "News"), encoding="utf-8"
    )
    renamed = export([str(second)], str(out), BuildOptions(group="lemma"), now=T1 + 5)
    assert sorted(n.guid for n in renamed.notes) == sorted(first.values())
    assert not renamed.report.new and renamed.report.changed
    assert all(html.unescape(n.fields[FIELD_INDEX["Key"]]) == n.key for n in renamed.notes)
