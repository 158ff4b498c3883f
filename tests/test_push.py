"""Push over real HTTP into a real Anki collection (tests/ankiconnect_server.py)."""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from ankiconnect_server import AnkiConnectServer

from ankidigest import read_posts
from ankidigest.api import export
from ankidigest.deliver import AnkiConnect, push_notes
from ankidigest.deliver.push import REMOVED_TAG, PushReport
from ankidigest.model import NoteSpec
from ankidigest.notes.build import build_notes

from conftest import CORPUS, import_request, touch

pytestmark = pytest.mark.anki

POST = """\
---
title: "Push test notes"
date: 2025-02-01
tags: [english]
---

### Politics

#### [2025-01-30 Talks stall again](https://example.com/news/talks)

The envoy was **adamant** that the **truce** would hold.

Observers remained **wary** of the promises. Nobody expected a **breakthrough** soon.

Another sentence takes us to the **brink** of war, wiht a typo in it.

#### [2025-01-31 Markets shrug](https://example.com/news/markets)

Investors **shrugged off** the news and the index hit a **record**.
"""
TYPO = ("wiht a typo", "with a typo")
NEW_BOLD = ("Observers remained", "**Observers** remained")
V1_MTIME = 1_790_000_000
V2_MTIME = 1_790_003_600


def notes_of(*paths: Path) -> list[NoteSpec]:
    return build_notes(read_posts([str(p) for p in paths], jobs=1))


def write_post(path: Path, text: str, mtime: int) -> Path:
    path.write_text(text, encoding="utf-8")
    touch(path, mtime)
    return path


def edit(path: Path, *replacements: tuple[str, str], mtime: int) -> None:
    text = path.read_text(encoding="utf-8")
    for old, new in replacements:
        if old not in text:
            pytest.skip(f"{old!r} is no longer in {path.name}")
        text = text.replace(old, new, 1)
    write_post(path, text, mtime)


@dataclass(frozen=True)
class Row:
    guid: str
    mod: int
    flds: str
    tags: str


def rows(server: AnkiConnectServer) -> dict[int, Row]:
    with server.collection() as col:
        return {
            nid: Row(guid, mod, flds, tags)
            for nid, guid, mod, flds, tags in col.db.all(
                "select id, guid, mod, flds, tags from notes"
            )
        }


def history(server: AnkiConnectServer) -> tuple[list[Any], list[Any]]:
    """Every card's scheduling state and the whole review log."""
    with server.collection() as col:
        cards = col.db.all(
            "select id, nid, ord, type, queue, due, ivl, reps from cards order by id"
        )
        log = col.db.all("select id, cid, ease, ivl from revlog order by id")
    return cards, log


def study(server: AnkiConnectServer, count: int) -> list[int]:
    """Answer ``count`` cards as a learner would; the ids of the cards answered."""
    answered = []
    with server.collection() as col:
        first = col.get_card(col.find_cards("")[0])
        col.decks.select(first.did)  # study the deck our cards are in
        for _ in range(count):
            card = col.sched.getCard()
            assert card is not None
            card.start_timer()
            col.sched.answerCard(card, 3)
            answered.append(card.id)
    return answered


def tag_in_anki(server: AnkiConnectServer, note_ids: list[int], tag: str) -> None:
    with server.collection() as col:
        col.tags.bulk_add(note_ids, tag)  # type: ignore[arg-type]


def import_apkg(server: AnkiConnectServer, path: Path) -> dict[str, int]:
    """File > Import of an .apkg with a new profile's options (ANKI-FACTS.md)."""

    with server.collection() as col:
        response = col.import_anki_package(import_request(path))
        col.models._clear_cache()
    log = response.log
    return {
        "new": len(log.new),
        "updated": len(log.updated),
        "duplicate": len(log.duplicate),
        "conflicting": len(log.conflicting),
    }


def by_key(notes: list[NoteSpec]) -> dict[str, NoteSpec]:
    return {n.key: n for n in notes}


def expected(before: list[NoteSpec], after: list[NoteSpec]) -> tuple[set[str], set[str]]:
    """(keys new in ``after``, keys whose fields differ), worked out from the two builds."""
    old = by_key(before)
    new = {n.key for n in after if n.key not in old}
    changed = {n.key for n in after if n.key in old and n.fields != old[n.key].fields}
    return new, changed


def keys(report_part: Any) -> set[str]:
    return {getattr(item, "note", item).key for item in report_part}


def assert_holds(server: AnkiConnectServer, notes: list[NoteSpec]) -> None:
    """The collection holds each note once, with our guid and exactly our fields."""
    held = rows(server)
    by_guid = {r.guid: r for r in held.values()}
    assert len(by_guid) == len(held), "two notes share a guid"
    for note in notes:
        row = by_guid[note.guid]
        assert row.flds == "\x1f".join(note.fields), note.key
        assert set(note.tags) <= set(row.tags.split()), note.key


# The main story: push, study, tag, edit, push again, then the same post as an .apkg.


def _push_edit_import(
    server: AnkiConnectServer,
    tmp_path: Path,
    post: Path,
    typo: tuple[str, str],
    bold: tuple[str, str],
) -> None:
    v1_apkg = tmp_path / "v1.apkg"
    export([str(post)], str(v1_apkg))  # the user's own .apkg of the first version
    v1 = notes_of(post)
    first = push_notes(v1, url=server.url)
    assert keys(first.new) == {n.key for n in v1}
    assert not (first.changed or first.unchanged or first.removed)
    assert_holds(server, v1)
    assert len(rows(server)) == len(v1)

    studied = study(server, 3)
    ids = {r.guid: nid for nid, r in rows(server).items()}
    tagged = [ids[n.guid] for n in v1[:5]]
    tag_in_anki(server, tagged, "my::own-tag")
    cards_before, log_before = history(server)
    assert len(log_before) == 3

    edit(post, typo, bold, mtime=V2_MTIME)
    v2 = notes_of(post)
    new_keys, changed_keys = expected(v1, v2)
    assert len(new_keys) == 1 and changed_keys  # the edit does what the test means it to
    before = rows(server)

    second = push_notes(v2, url=server.url)
    assert keys(second.new) == new_keys
    assert keys(second.changed) == changed_keys
    assert keys(second.unchanged) == {n.key for n in v2} - new_keys - changed_keys
    assert not second.removed
    assert all(set(c.fields) <= {"Text", "Context"} for c in second.changed)
    after = rows(server)
    assert len(after) == len(v1) + 1
    # Exactly the new and the edited notes changed; every other row is byte for byte as it was.
    changed_guids = {n.guid for n in v2 if n.key in changed_keys}
    for nid, row in before.items():
        if row.guid in changed_guids:
            assert after[nid].flds != row.flds
        else:
            assert after[nid] == row
    assert_holds(server, v2)
    for nid in tagged:
        assert "my::own-tag" in after[nid].tags.split()
    cards_after, log_after = history(server)
    assert log_after == log_before
    old_cards = {c[0]: c for c in cards_before}
    assert all(old_cards[c[0]] == c for c in cards_after if c[0] in old_cards)
    assert set(studied) <= {c[0] for c in cards_after}

    again = push_notes(v2, url=server.url)
    assert not (again.new or again.changed) and len(again.unchanged) == len(v2)
    assert rows(server) == after

    # The same post as an .apkg (exported as usual, the previous .apkg as the prior
    # state): nothing is added. The notes the push changed are changed against v1.apkg
    # too, so they carry the export time, newer than the push: Anki may update them
    # again, with the same fields (an .apkg update also replaces their tags: README).
    # Every other note is a duplicate, left as it was; no card or review changes.
    v2_apkg = tmp_path / "v2.apkg"
    export([str(post)], str(v2_apkg), previous=str(v1_apkg))
    log = import_apkg(server, v2_apkg)
    assert log["new"] == 0 and log["conflicting"] == 0
    assert log["updated"] <= len(changed_keys)
    assert log["updated"] + log["duplicate"] == len(v2)
    final = rows(server)
    assert final.keys() == after.keys()
    for nid, row in after.items():
        assert final[nid].flds == row.flds
        if row.guid not in changed_guids:
            assert final[nid] == row
    assert history(server) == (cards_after, log_after)


def test_push_edit_push_then_apkg_small_post(server: AnkiConnectServer, tmp_path: Path) -> None:
    post = write_post(tmp_path / "notes.md", POST, V1_MTIME)
    _push_edit_import(server, tmp_path, post, TYPO, NEW_BOLD)
    held = {r.flds.split("\x1f")[1] for r in rows(server).values()}  # the Term field
    assert "Observers" in held and len(held) == 8


WAR_TYPO = ("hit hard by the closure", "hit hard by the full closure")
WAR_BOLD = ("gives the regime the chance", "gives the **regime** the chance")


def test_push_edit_push_then_apkg_users_post(server: AnkiConnectServer, tmp_path: Path) -> None:
    if not CORPUS.exists():
        pytest.skip("../shared/corpus/war-news.md is not here (a user's clone)")
    post = tmp_path / "war-news.md"
    shutil.copyfile(CORPUS, post)
    text = post.read_text("utf-8")
    if WAR_TYPO[0] not in text or WAR_BOLD[0] not in text:
        pytest.skip("the user's post no longer has the sentences this test edits")
    touch(post, V1_MTIME)
    _push_edit_import(server, tmp_path, post, WAR_TYPO, WAR_BOLD)
    assert len(rows(server)) == 212


def test_apkg_without_prior_after_push_adds_nothing(
    server: AnkiConnectServer, tmp_path: Path
) -> None:
    """An .apkg exported with no previous package gives every note the post's mtime:
    Anki updates the notes older than that (same fields; an .apkg update replaces the
    tags) and adds none. Review history stays. (docs/DESIGN.md, "Delivery".)"""
    post = write_post(tmp_path / "notes.md", POST, V1_MTIME)
    push_notes(notes_of(post), url=server.url)
    study(server, 2)
    edit(post, TYPO, mtime=V2_MTIME)
    second = push_notes(notes_of(post), url=server.url)
    assert len(second.changed) == 1
    _, log_before = history(server)
    fresh = tmp_path / "fresh.apkg"
    export([str(post)], str(fresh))
    log = import_apkg(server, fresh)
    total = len(notes_of(post))
    # The note push 2 changed has a mod of push time, newer than the file: a duplicate.
    assert log == {"new": 0, "updated": total - 1, "duplicate": 1, "conflicting": 0}
    assert len(rows(server)) == total
    assert history(server)[1] == log_before


def test_imported_first_then_pushed(server: AnkiConnectServer, tmp_path: Path) -> None:
    post = write_post(tmp_path / "notes.md", POST, V1_MTIME)
    apkg = tmp_path / "notes.apkg"
    export([str(post)], str(apkg))
    v1 = notes_of(post)
    log = import_apkg(server, apkg)
    assert log["new"] == len(v1)
    study(server, 2)
    _, log_before = history(server)
    before = rows(server)

    report = push_notes(v1, url=server.url)
    assert not (report.new or report.changed) and len(report.unchanged) == len(v1)
    assert rows(server) == before

    edit(post, TYPO, NEW_BOLD, mtime=V2_MTIME)
    v2 = notes_of(post)
    new_keys, changed_keys = expected(v1, v2)
    report = push_notes(v2, url=server.url)
    assert (keys(report.new), keys(report.changed)) == (new_keys, changed_keys)
    assert len(rows(server)) == len(v2)
    assert_holds(server, v2)
    assert history(server)[1] == log_before


def test_dry_run_changes_nothing(server: AnkiConnectServer, tmp_path: Path) -> None:
    post = write_post(tmp_path / "notes.md", POST, V1_MTIME)
    v1 = notes_of(post)
    with server.collection() as col:
        decks = sorted(d.name for d in col.decks.all_names_and_ids())
        models = sorted(m.name for m in col.models.all_names_and_ids())
    dry = push_notes(v1, url=server.url, dry_run=True)
    assert dry.dry_run and keys(dry.new) == {n.key for n in v1}
    assert rows(server) == {}
    with server.collection() as col:
        assert sorted(d.name for d in col.decks.all_names_and_ids()) == decks
        assert sorted(m.name for m in col.models.all_names_and_ids()) == models
    writes = {"createDeck", "importPackage", "updateNoteFields", "addTags", "removeTags"}
    assert not writes & set(server.served)

    real = push_notes(v1, url=server.url)
    assert keys(real.new) == keys(dry.new)
    edit(post, TYPO, NEW_BOLD, mtime=V2_MTIME)
    post.write_text(post.read_text("utf-8").replace("**record**", "record"), encoding="utf-8")
    v2 = notes_of(post)
    before, served = rows(server), len(server.served)
    dry = push_notes(v2, url=server.url, dry_run=True, mark_removed=True)
    assert rows(server) == before
    assert not writes & set(server.served[served:])
    real = push_notes(v2, url=server.url, mark_removed=True)
    assert dry == PushReport(**{**real.__dict__, "dry_run": True})
    assert (len(dry.new), len(dry.changed), len(dry.removed), len(dry.marked)) == (1, 1, 1, 1)


def test_removed_notes_reported_marked_once_and_back(
    server: AnkiConnectServer, tmp_path: Path
) -> None:
    post = write_post(tmp_path / "notes.md", POST, V1_MTIME)
    text = POST.replace("example.com", "other.org").replace("Push test", "Other")
    other = write_post(tmp_path / "other.md", text, V1_MTIME)
    push_notes(notes_of(other), url=server.url)  # another post, pushed on its own
    push_notes(notes_of(post), url=server.url)
    count = len(rows(server))
    write_post(tmp_path / "notes.md", POST.replace("**record**", "record"), V2_MTIME)
    report = push_notes(notes_of(post), url=server.url)
    # Only this post's gone note: the other post's notes are not this push's business.
    assert [n.fields[1] for n in report.removed] == ["record"] and not report.marked
    assert len(rows(server)) == count  # never deleted
    report = push_notes(notes_of(post), url=server.url, mark_removed=True)
    assert [n.fields[1] for n in report.marked] == ["record"]
    (gone,) = report.marked
    assert REMOVED_TAG in rows(server)[gone.note_id].tags.split()
    report = push_notes(notes_of(post), url=server.url, mark_removed=True)
    assert len(report.removed) == 1 and not report.marked  # marked once
    write_post(tmp_path / "notes.md", POST, V1_MTIME)  # the term is back
    report = push_notes(notes_of(post), url=server.url)
    (back,) = report.changed
    assert back.remove_tags == (REMOVED_TAG,) and back.anki.note_id == gone.note_id
    assert REMOVED_TAG not in rows(server)[gone.note_id].tags.split()
    assert len(rows(server)) == count


def test_user_filled_field_survives(server: AnkiConnectServer, tmp_path: Path) -> None:
    post = write_post(tmp_path / "notes.md", POST, V1_MTIME)
    push_notes(notes_of(post), url=server.url)
    with server.collection() as col:
        nid = col.find_notes('"Term:truce"')[0]
        note = col.get_note(nid)
        note["Definition"] = "an agreement to stop fighting"
        col.update_note(note)
    edit(post, ("**truce** would hold", "**truce** would surely hold"), mtime=V2_MTIME)
    report = push_notes(notes_of(post), url=server.url)
    # Both notes of the sentence (adamant, truce) change, in Text only.
    assert sorted(c.note.terms[0] for c in report.changed) == ["adamant", "truce"]
    assert {c.fields for c in report.changed} == {("Text",)}
    with server.collection() as col:
        note = col.get_note(nid)
        assert note["Definition"] == "an agreement to stop fighting"
        assert "surely" in note["Text"]


def test_lost_reply_to_import_never_doubles(server: AnkiConnectServer, tmp_path: Path) -> None:
    post = write_post(tmp_path / "notes.md", POST, V1_MTIME)
    v1 = notes_of(post)
    server.lose_reply = {"importPackage", "notesInfo"}
    report = push_notes(v1, url=server.url)
    assert keys(report.new) == {n.key for n in v1}
    assert server.served.count("importPackage") == 1  # looked again, nothing left to import
    assert len(rows(server)) == len(v1)
    assert_holds(server, v1)


def test_lost_reply_then_partial_import(server: AnkiConnectServer, tmp_path: Path) -> None:
    """The import's reply is lost and the notes are not there (Anki did not get to it):
    they are imported again, once."""
    post = write_post(tmp_path / "notes.md", POST, V1_MTIME)
    v1 = notes_of(post)
    original = server._actions["importPackage"]
    calls = []

    def flaky(path: str) -> bool:
        calls.append(path)
        if len(calls) == 1:
            return True  # answered (then lost) without importing anything
        return bool(original(path))

    server._actions["importPackage"] = flaky
    server.lose_reply = {"importPackage"}
    report = push_notes(v1, url=server.url)
    assert len(calls) == 2 and len(report.new) == len(v1)
    assert len(rows(server)) == len(v1)
    assert not any(os.path.exists(p) for p in calls)  # the temporary packages are gone


@pytest.mark.slow
def test_a_thousand_notes_in_few_requests(server: AnkiConnectServer, tmp_path: Path) -> None:
    post = write_post(tmp_path / "big.md", generated_post(170), V1_MTIME)
    v1 = notes_of(post)
    assert len(v1) >= 1000
    first = push_notes(v1, url=server.url)
    assert len(first.new) == len(v1) and first.requests <= 10
    write_post(post, generated_post(170, edited=True), V2_MTIME)
    second = push_notes(notes_of(post), url=server.url)
    assert len(second.changed) == len(v1)
    # check, type, find, read (2 batches), update (3 multis), read back (2)
    assert second.requests <= 12


def generated_post(articles: int, edited: bool = False) -> str:
    """A post in the user's shape with 6 bolds per article."""
    words = ["adamant", "wary", "bleak", "truce", "salvo", "brink", "quest", "sway", "stoke"]
    out = ["---", "title: Generated", "date: 2025-01-01", "tags: [gen]", "---", ""]
    for a in range(articles):
        if a % 20 == 0:
            out += [f"### Part {a // 20}", ""]
        out += [f"#### [2024-11-{a % 28 + 1:02d} Story {a}](https://example.net/s/{a})", ""]
        for s in range(3):
            bolds = " then ".join(f"**{words[(a + s * 2 + k) % 9]}**" for k in range(2))
            tail = "It was noted again." if edited else "It was noted."
            out += [f"Line {s} of story {a} says {bolds} here. {tail}", ""]
    return "\n".join(out)


@pytest.mark.slow
def test_push_time_for_thousands_of_notes(
    server: AnkiConnectServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    post = write_post(tmp_path / "big.md", generated_post(400), V1_MTIME)
    notes = notes_of(post)
    assert len(notes) == 2400
    timings = {}
    start = time.perf_counter()
    report = push_notes(notes, url=server.url)
    timings["new"] = time.perf_counter() - start
    assert len(report.new) == 2400
    write_post(post, generated_post(400, edited=True), V2_MTIME)
    edited = notes_of(post)
    start = time.perf_counter()
    report = push_notes(edited, url=server.url)
    timings["changed"] = time.perf_counter() - start
    assert len(report.changed) == 2400
    start = time.perf_counter()
    report = push_notes(edited, url=server.url)
    timings["unchanged"] = time.perf_counter() - start
    assert len(report.unchanged) == 2400
    assert len(rows(server)) == 2400
    with capsys.disabled():
        print(
            "\npush of 2400 notes: "
            + ", ".join(f"all {what} {seconds:.2f} s" for what, seconds in timings.items())
        )
    assert max(timings.values()) < 60


def test_client_sends_one_request_per_call(server: AnkiConnectServer) -> None:
    with AnkiConnect(server.url) as client:
        assert client.check() == 6
        results = client.multi([("deckNames", {})] * 1200)
        assert len(results) == 1200 and results[0] == ["Default"]
        assert client.requests == 2 + 3  # check(): 2; multi: 500 a request


def test_push_posts_reads_builds_and_pushes(server: AnkiConnectServer, tmp_path: Path) -> None:
    from ankidigest.api import push as push_posts
    from ankidigest.errors import UsageError
    from ankidigest.notes.build import BuildOptions

    post = write_post(tmp_path / "notes.md", POST, V1_MTIME)
    report = push_posts([str(post)], BuildOptions(tags=("mine",)), url=server.url, jobs=1)
    assert len(report.new) == 7 and all("mine" in n.tags for n in report.new)
    assert_holds(server, list(report.new))
    with pytest.raises(UsageError):
        push_posts([str(post)], BuildOptions(group="sentence"), url=server.url, jobs=1)


def test_unsafe_field_is_never_sent(server: AnkiConnectServer, tmp_path: Path) -> None:
    from dataclasses import replace

    from ankidigest.errors import OutputError

    post = write_post(tmp_path / "notes.md", POST, V1_MTIME)
    notes = notes_of(post)
    bad = replace(notes[0], fields=("<script>x</script>", *notes[0].fields[1:]))
    with pytest.raises(OutputError):
        push_notes([bad, *notes[1:]], url=server.url)
    assert server.served == []
