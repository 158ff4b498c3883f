"""Issue 14's four update scenarios in a real Anki collection, on generated posts and
on the user's post: cards are studied first (answered through the scheduler, so they
have review log entries) and their history is checked after the re-import.

1. a typo fix after an edit in Anki wins (the changed note carries the export time);
2. a corrected article URL keeps the notes (moved), and the next exports too;
3. unbolding the first of two occurrences leaves each sentence its own note;
4. switching --group on an existing output is refused without --force.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from test_updates import (
    POST,
    T1,
    T2,
    T3,
    TERMS,
    counts,
    export,
    guids_unique,
    history,
    note_for,
    study,
    write,
)

from ankidigest import export as export_api
from ankidigest.cli import main

from conftest import Anki, touch

WAR_URL = "https://www.theguardian.com/world/2024/nov/08/ukrainians-ready-for-north-korean-troops-russia-war"


def histories(anki: Anki, studied: dict[int, tuple[Any, ...]]) -> dict[int, tuple[Any, ...]]:
    return {cid: history(anki, cid) for cid in studied}


def summary(capsys: pytest.CaptureFixture[str], *args: object) -> str:
    capsys.readouterr()
    assert main(["--no-enrich", *(str(a) for a in args)]) == 0
    return capsys.readouterr().err


# 1 -------------------------------------------------------------------------
@pytest.mark.parametrize("clock", ["SOURCE_DATE_EPOCH", "wall clock"])
def test_typo_fix_wins_over_a_later_edit_in_anki(
    tmp_path: Path,
    anki: Anki,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    clock: str,
) -> None:
    post = write(tmp_path / "week.md", POST.replace("provide", "provdie"), T1)
    out = tmp_path / "week.apkg"
    export(post, "-o", out)
    anki.import_apkg(out)
    studied = study(anki, "lethal")
    write(post, POST, T2)  # the typo fixed in the post (its mtime: long ago)...
    note = note_for(anki, "lethal")
    note.add_tag("mine")  # ...then a tag added in Anki: the note's mod is now
    anki.col.update_note(note)
    assert anki.col.db.scalar("select mod from notes where id = ?", note.id) > T2
    if clock == "SOURCE_DATE_EPOCH":
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(time.time()) + 60))
    else:
        monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    err = summary(capsys, post, "-o", out)
    assert "(0 new, 1 changed, 3 unchanged, 0 removed" in err
    assert counts(anki.import_apkg(out)) == (0, 1, TERMS - 1, 0)
    assert "provide" in note_for(anki, "lethal")["Text"]  # the fix is not lost
    assert histories(anki, studied) == studied
    assert anki.col.note_count() == TERMS


def test_typo_fix_wins_on_the_users_post(
    tmp_path: Path, anki: Anki, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = corpus.read_text(encoding="utf-8")
    post = write(tmp_path / "war-news.md", text, T1)
    out = tmp_path / "war.apkg"
    export(post, "-o", out)
    anki.import_apkg(out)
    studied = study(anki, "prowess")
    write(post, text.replace("That meants to demonstrate", "That means to demonstrate"), T2)
    note = note_for(anki, "prowess")
    note["Definition"] = "skill"
    anki.col.update_note(note)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(time.time()) + 60))
    export(post, "-o", out)
    assert counts(anki.import_apkg(out)) == (0, 1, 210, 0)
    assert "means to demonstrate" in note_for(anki, "prowess")["Text"]
    assert histories(anki, studied) == studied


# 2 -------------------------------------------------------------------------
def test_corrected_url_moves_the_notes_and_keeps_history(
    tmp_path: Path, anki: Anki, capsys: pytest.CaptureFixture[str]
) -> None:
    post = write(tmp_path / "week.md", POST, T1)
    out = tmp_path / "week.apkg"
    export(post, "-o", out)
    anki.import_apkg(out)
    studied = {**study(anki, "fragile"), **study(anki, "lethal")}
    guids = {n["Term"]: n.guid for n in anki.notes()}
    # The URL corrected, and a typo fixed in one of its sentences at the same time.
    fixed = POST.replace("news/troops)", "news/troops-for-russia)")
    write(post, fixed.replace("could provide", "could still provide"), T2)
    err = summary(capsys, post, "-o", out, "-v")
    assert "(0 new, 3 changed, 1 unchanged, 0 removed, 3 moved" in err
    assert "moved 'lethal' (keeps example.com/news/troops#lethal#1, now " in err
    assert counts(anki.import_apkg(out)) == (0, 3, 1, 0)
    assert anki.col.note_count() == TERMS
    assert {n["Term"]: n.guid for n in anki.notes()} == guids
    assert note_for(anki, "fragile")["URL"] == "https://example.com/news/troops-for-russia"
    assert histories(anki, studied) == studied
    # The next exports find the moved notes as they are (the package keeps the key
    # each was built under): nothing moves or changes again...
    touch(post, T3)
    err = summary(capsys, post, "-o", out)
    assert "(0 new, 0 changed, 4 unchanged, 0 removed since" in err
    assert counts(anki.import_apkg(out)) == (0, 0, TERMS, 0)
    # ...and a sentence rewritten well past "similar" stays its note (its occurrence).
    write(post, fixed.replace("Seoul could provide", "Later, it was said, Seoul might send"), T3)
    err = summary(capsys, post, "-o", out)
    assert "(0 new, 1 changed, 3 unchanged, 0 removed since" in err
    assert counts(anki.import_apkg(out)) == (0, 1, TERMS - 1, 0)
    assert {n["Term"]: n.guid for n in anki.notes()} == guids
    assert histories(anki, studied) == studied
    guids_unique(anki)


def test_corrected_url_moves_sentence_notes_and_keeps_history(
    tmp_path: Path, anki: Anki, capsys: pytest.CaptureFixture[str]
) -> None:
    post = write(tmp_path / "week.md", POST, T1)
    out = tmp_path / "week.apkg"
    export(post, "-o", out, "--group", "sentence")
    anki.import_apkg(out)
    studied = {**study(anki, "fragile"), **study(anki, "lethal")}
    guids = {n.guid for n in anki.notes()}
    fixed = POST.replace("news/troops)", "news/troops-for-russia)")
    write(post, fixed.replace("could provide", "could still provide"), T2)
    err = summary(capsys, post, "-o", out, "--group", "sentence")
    assert "(0 new, 3 changed, 1 unchanged, 0 removed, 3 moved" in err
    assert counts(anki.import_apkg(out)) == (0, 3, 1, 0)
    assert {n.guid for n in anki.notes()} == guids
    assert histories(anki, studied) == studied
    assert note_for(anki, "lethal")["URL"] == "https://example.com/news/troops-for-russia"
    # the next export finds them again: nothing moves or changes
    for mtime in (T3, T3 + 60):  # (the second: from a package the first wrote)
        touch(post, mtime)
        err = summary(capsys, post, "-o", out, "--group", "sentence")
        assert "(0 new, 0 changed, 4 unchanged, 0 removed since" in err
    guids_unique(anki)


def test_a_moved_note_is_never_merged_with_another_sentence(tmp_path: Path) -> None:
    post = write(tmp_path / "week.md", POST, T1)
    out = tmp_path / "week.apkg"
    export(post, "-o", out)
    moved = POST.replace("news/troops)", "news/troops-for-russia)")
    write(post, moved.replace("Seoul could provide", "Nobody thinks Kyiv wants"), T2)
    report = export_api([str(post)], str(out)).report
    assert sorted(t for n in report.moved for t in n.terms) == ["dispersed", "fragile"]
    assert [n.terms for n in report.new] == [("lethal",)]
    assert [n.terms for n in report.removed] == [("lethal",)]


def test_corrected_url_on_the_users_post(tmp_path: Path, anki: Anki, corpus: Path) -> None:
    text = corpus.read_text(encoding="utf-8")
    assert text.count(WAR_URL) == 1
    post = write(tmp_path / "war-news.md", text, T1)
    out = tmp_path / "war.apkg"
    export(post, "-o", out)
    anki.import_apkg(out)
    studied = {**study(anki, "mugging up"), **study(anki, "assaults")}
    write(post, text.replace(WAR_URL, WAR_URL + "-kyiv"), T2)
    result = export_api([str(post)], str(out))
    assert len(result.report.moved) == len(result.report.changed) == 21
    assert (len(result.report.new), len(result.report.removed)) == (0, 0)
    assert counts(anki.import_apkg(out)) == (0, 21, 190, 0)
    assert anki.col.note_count() == 211
    assert histories(anki, studied) == studied
    assert WAR_URL + "-kyiv" in note_for(anki, "assaults")["URL"]


# 3 -------------------------------------------------------------------------
TWICE = """---
title: Twice
---

### [Same story](https://example.com/news/same)

The economy is **fragile** after the floods.

The peace is **fragile** too, say the **envoys**.
"""


def test_unbolding_the_first_occurrence_keeps_each_sentence_its_note(
    tmp_path: Path, anki: Anki, capsys: pytest.CaptureFixture[str]
) -> None:
    post = write(tmp_path / "twice.md", TWICE, T1)
    out = tmp_path / "twice.apkg"
    export(post, "-o", out)
    assert counts(anki.import_apkg(out)) == (3, 0, 0, 0)
    by_text = {n["Text"]: n for n in anki.notes()}
    first = by_text["The economy is {{c1::fragile}} after the floods."]
    second = by_text["The peace is {{c1::fragile}} too, say the envoys."]
    studied = {**study_note(anki, first), **study_note(anki, second)}
    unbolded = TWICE.replace("is **fragile** after", "is fragile after")
    write(post, unbolded, T2)
    err = summary(capsys, post, "-o", out, "-v")
    assert "(0 new, 0 changed, 2 unchanged, 1 removed since" in err
    assert "removed 'fragile' (example.com/news/same#fragile#1)" in err
    assert counts(anki.import_apkg(out)) == (0, 0, 2, 0)
    # Each card still shows the sentence it was studied on.
    assert anki.col.get_note(second.id)["Text"] == second["Text"]
    assert anki.col.get_note(first.id)["Text"] == first["Text"]
    assert histories(anki, studied) == studied
    # Three exports in a row: a typo fixed in the second sentence updates its own notes
    # (fragile and envoys), then the first bold put back brings the first note back.
    write(post, unbolded.replace("too, say", "too, says"), T3)
    export(post, "-o", out)
    assert counts(anki.import_apkg(out)) == (0, 2, 0, 0)
    assert "says the envoys" in anki.col.get_note(second.id)["Text"]
    write(post, TWICE.replace("too, say", "too, says"), T3 + 10)
    export(post, "-o", out)
    assert counts(anki.import_apkg(out)) == (0, 0, 3, 0)
    assert anki.col.note_count() == 3
    assert histories(anki, studied) == studied
    guids_unique(anki)


def test_unbolding_the_first_occurrence_on_the_users_post(
    tmp_path: Path, anki: Anki, corpus: Path
) -> None:
    text = corpus.read_text(encoding="utf-8")
    heading = text.index(WAR_URL) + len(WAR_URL) + 2
    # v1: an earlier sentence of the article bolds "assaults" too (two occurrences).
    v1 = text[:heading] + "\nThe **assaults** began at dawn.\n" + text[heading:]
    post = write(tmp_path / "war-news.md", v1, T1)
    out = tmp_path / "war.apkg"
    export(post, "-o", out)
    assert counts(anki.import_apkg(out)) == (212, 0, 0, 0)
    later = [n for n in anki.notes() if n["Term"] == "assaults" and "infantry" in n["Text"]]
    studied = study_note(anki, later[0])
    write(post, v1.replace("The **assaults** began", "The assaults began"), T2)
    export(post, "-o", out)
    assert counts(anki.import_apkg(out)) == (0, 0, 211, 0)
    assert "infantry" in anki.col.get_note(later[0].id)["Text"]
    assert histories(anki, studied) == studied


def study_note(anki: Anki, note: Any) -> dict[int, tuple[Any, ...]]:
    """Answer the cards of ``note`` (as test_updates.study does for a term)."""
    ids = [card.id for card in note.cards()]
    did = note.cards()[0].did
    anki.col.decks.select(did)
    anki.col.sched.bury_cards([cid for cid in anki.col.find_cards("") if cid not in ids])
    for cid in ids:
        assert anki.col.sched.get_queued_cards().cards[0].card.id == cid
        anki.answer(anki.col.get_card(cid))
    anki.col.sched.unbury_deck(did)
    out = {cid: history(anki, cid) for cid in ids}
    assert all(h[0] == 1 and len(h[-1]) == 1 for h in out.values())
    return out


# 4 -------------------------------------------------------------------------
def test_switching_group_is_refused_without_force(
    tmp_path: Path, anki: Anki, capsys: pytest.CaptureFixture[str]
) -> None:
    post = write(tmp_path / "week.md", POST, T1)
    out = tmp_path / "week.apkg"
    export(post, "-o", out)
    anki.import_apkg(out)
    studied = study(anki, "fragile")
    before = out.read_bytes()
    capsys.readouterr()
    assert main([str(post), "-o", str(out), "--group", "sentence"]) == 2
    err = capsys.readouterr().err
    assert f"{out} was exported with --group term" in err
    assert "its 4 notes stay in Anki" in err and "--force" in err
    assert out.read_bytes() == before
    err = summary(capsys, post, "-o", out, "--group", "sentence", "--dry-run")
    assert "warning: " in err and "exported with --group term" in err
    err = summary(capsys, post, "-o", out, "--group", "sentence", "--force")
    assert "(4 new, 0 changed, 0 unchanged, 4 removed" in err
    assert counts(anki.import_apkg(out)) == (4, 0, 0, 0)
    assert histories(anki, studied) == studied  # the old cards are left as they were
    assert anki.col.note_count() == TERMS + 4
