"""A push matches the posts' notes to the collection's as an export matches them to its
prior package: an edited sentence, an unbolded first occurrence, a corrected URL and a
new sentence of a word each update the note Anki has, keeping its cards and their
history. Real HTTP, a real collection (tests/ankiconnect_server.py)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from ankiconnect_server import AnkiConnectServer

from ankidigest.cli import main

from conftest import touch

pytestmark = pytest.mark.anki

POST = """\
#### [2025-01-30 Talks stall](https://example.com/news/talks)

The envoy was **adamant** that the **truce** would hold.

Observers remained **wary** of the **truce** and its promises.
"""


def _write(tmp_path: Path, text: str, mtime: int = 1_790_000_000) -> str:
    path = tmp_path / "post.md"
    path.write_text(text, encoding="utf-8")
    touch(path, mtime)
    return str(path)


def _push(server: AnkiConnectServer, post: str, *extra: str) -> int:
    return main([post, "--push", "--anki-url", server.url, "--no-enrich", *extra])


def _state(server: AnkiConnectServer) -> dict[str, Any]:
    """Notes (id -> Text), cards (id -> (note id, ord)) and the review log's card ids."""
    with server.collection() as col:
        notes = {nid: col.get_note(nid)["Text"] for nid in col.find_notes("")}
        rows = col.db.all("select id, nid, ord from cards")
        cards = {cid: (nid, ord_) for cid, nid, ord_ in rows}
        log = [cid for (cid,) in col.db.all("select cid from revlog order by id")]
    return {"notes": notes, "cards": cards, "log": log}


def _study_all(server: AnkiConnectServer) -> None:
    with server.collection() as col:
        first = col.get_card(col.find_cards("")[0])
        col.decks.select(first.did)
        while (card := col.sched.getCard()) is not None:
            card.start_timer()
            col.sched.answerCard(card, 4)  # Easy: out of today's queue


def _counts(err: str) -> str:
    found = re.search(r"pushed to \S+: (.*)", err)
    assert found, err
    return found.group(1)


def test_a_corrected_url_updates_the_notes_in_place(
    server: AnkiConnectServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    post = _write(tmp_path, POST)
    assert _push(server, post) == 0
    _study_all(server)
    before = _state(server)
    _write(tmp_path, POST.replace("news/talks", "news/talks-stall"), 1_790_003_600)
    capsys.readouterr()
    assert _push(server, post) == 0
    assert _counts(capsys.readouterr().err).startswith("0 new, 4 changed")
    after = _state(server)
    assert after["cards"] == before["cards"] and after["log"] == before["log"]
    with server.collection() as col:
        sources = {col.get_note(n)["URL"] for n in col.find_notes("")}
    assert sources == {"https://example.com/news/talks-stall"}


def test_unbolding_a_first_occurrence_keeps_the_second_sentence_its_note(
    server: AnkiConnectServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    post = _write(tmp_path, POST)
    assert _push(server, post) == 0
    _study_all(server)
    before = _state(server)
    second = next(n for n, t in before["notes"].items() if "Observers" in t and "c1::truce" in t)
    _write(tmp_path, POST.replace("the **truce** would", "the truce would"), 1_790_003_600)
    capsys.readouterr()
    assert _push(server, post) == 0
    assert _counts(capsys.readouterr().err).startswith("0 new, 0 changed, 3 unchanged, 1 removed")
    after = _state(server)
    assert "Observers" in after["notes"][second]  # the same note, its cards and history
    assert after["cards"] == before["cards"] and after["log"] == before["log"]


def test_an_edited_sentence_keeps_its_note_and_cards(
    server: AnkiConnectServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    post = _write(tmp_path, POST)
    assert _push(server, post, "--group", "sentence") == 0
    _study_all(server)
    before = _state(server)
    assert len(before["notes"]) == 2 and len(before["cards"]) == 4
    # a new bold word before the first term, and a word changed
    edited = POST.replace("Observers remained **wary**", "**Observers** stayed **wary**")
    _write(tmp_path, edited, 1_790_003_600)
    capsys.readouterr()
    assert _push(server, post, "--group", "sentence") == 0
    assert _counts(capsys.readouterr().err).startswith("0 new, 1 changed, 1 unchanged")
    after = _state(server)
    assert set(after["notes"]) == set(before["notes"])  # no new note
    for cid, place in before["cards"].items():
        assert after["cards"][cid] == place  # every studied card is still that card
    assert after["log"] == before["log"]
    assert len(after["cards"]) == 5  # one new card, for "Observers"
    text = next(t for t in after["notes"].values() if "Observers" in t)
    assert "{{c1::wary}}" in text and "{{c2::truce}}" in text and "{{c3::Observers}}" in text


def test_a_removed_terms_number_is_not_given_to_a_new_term(
    server: AnkiConnectServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    post = _write(tmp_path, POST)
    assert _push(server, post, "--group", "sentence") == 0
    _write(tmp_path, POST.replace("of the **truce** and", "of the truce and"), 1_790_003_600)
    assert _push(server, post, "--group", "sentence") == 0
    again = POST.replace("of the **truce** and its", "of the truce and its **promises**")
    _write(tmp_path, again.replace("its **promises**.", "its **promises**."), 1_790_007_200)
    assert _push(server, post, "--group", "sentence") == 0
    text = next(t for t in _state(server)["notes"].values() if "Observers" in t)
    # card 2 (truce) still exists in Anki with its history: the new term takes 3
    assert "{{c3::promises}}" in text and "c2::" not in text


def test_a_new_sentence_of_a_word_updates_its_lemma_note(
    server: AnkiConnectServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    post = _write(tmp_path, POST)
    code = main([post, "--push", "--anki-url", server.url, "--group", "lemma"])
    assert code == 0
    _study_all(server)
    before = _state(server)
    more = POST + "\nThe generals signed a **truce** at dawn.\n"
    _write(tmp_path, more, 1_790_003_600)
    capsys.readouterr()
    assert main([post, "--push", "--anki-url", server.url, "--group", "lemma"]) == 0
    assert _counts(capsys.readouterr().err).startswith("0 new, 1 changed")
    after = _state(server)
    assert set(after["notes"]) == set(before["notes"])
    assert after["cards"] == before["cards"] and after["log"] == before["log"]


def test_a_group_switch_is_refused_unless_forced(
    server: AnkiConnectServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    post = _write(tmp_path, POST)
    assert _push(server, post) == 0
    capsys.readouterr()
    assert _push(server, post, "--group", "sentence") == 2
    err = capsys.readouterr().err
    assert "was exported with --group term" in err and "--force" in err
    assert "Traceback" not in err
    assert len(_state(server)["notes"]) == 4  # nothing pushed
    assert _push(server, post, "--group", "sentence", "--force") == 0
    assert len(_state(server)["notes"]) == 6  # the old ones stay beside the new


def test_a_corrected_url_moves_sentence_notes_in_anki(
    server: AnkiConnectServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    post = _write(tmp_path, POST)
    assert _push(server, post, "--group", "sentence") == 0
    _study_all(server)
    before = _state(server)
    _write(tmp_path, POST.replace("news/talks", "news/talks-stall"), 1_790_003_600)
    capsys.readouterr()
    assert _push(server, post, "--group", "sentence") == 0
    assert _counts(capsys.readouterr().err).startswith("0 new, 2 changed")
    after = _state(server)
    assert after["cards"] == before["cards"] and after["log"] == before["log"]
