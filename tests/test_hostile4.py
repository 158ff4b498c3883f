"""Hostile posts and options (issue 16): front-matter numbers past Python's int limit,
titles of colons, file names with line breaks, codecs that are not text codecs, and
titles that differ only in case. Each is a clear outcome, never a traceback."""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import zipfile
from pathlib import Path

import pytest

from ankidigest.cli import main

from conftest import Anki


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, err


def post(tmp_path: Path, text: str, name: str = "post.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def decks_of(apkg: Path) -> dict[str, int]:
    """deck name -> number of cards in it."""
    with zipfile.ZipFile(apkg) as archive, tempfile.TemporaryDirectory() as work:
        archive.extract("collection.anki2", work)
        conn = sqlite3.connect(os.path.join(work, "collection.anki2"))
        decks = json.loads(conn.execute("SELECT decks FROM col").fetchone()[0])
        counts = dict(conn.execute("SELECT did, count(*) FROM cards GROUP BY did").fetchall())
        conn.close()
    return {d["name"]: counts.get(int(i), 0) for i, d in decks.items()}


BIG_NUMBERS = {
    "hex-title": "title: 0x" + "f" * 4000,
    "decimal-title-4000": "title: " + "9" * 4000,
    "decimal-title-5000": "title: " + "9" * 5000,
    "octal-tag": "tags: [0o" + "7" * 5000 + "]",
    "hex-category": "categories: 0x" + "f" * 4000,
    "binary-tags": "tags:\n  - 0b" + "1" * 20000,
}


@pytest.mark.parametrize("header", BIG_NUMBERS.values(), ids=BIG_NUMBERS.keys())
def test_front_matter_numbers_past_the_int_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], header: str
) -> None:
    path = post(tmp_path, f"---\n{header}\n---\nA **word** here.\n")
    out = tmp_path / "out.json"
    code, err = cli(capsys, str(path), "-o", str(out), "-v")
    assert code == 0, err
    (note,) = json.loads(out.read_text())
    assert note["term"] == "word"


TITLES = {
    # id: (title, deck of one post, deck among several)
    "vocab-three-colons": ("Vocab :::", "Vocab :", "ankidigest::Vocab :"),
    "four-colons": ("::::", ":", "ankidigest:::"),
    "a:::b": ("a:::b", "a:b", "ankidigest::a:b"),
    "a::b": ("a::b", "a:b", "ankidigest::a:b"),
    "colons-and-spaces": (":: :: ::", ": : :", "ankidigest::: : :"),
}


@pytest.mark.parametrize(("title", "alone", "among"), TITLES.values(), ids=TITLES.keys())
def test_titles_of_colons_are_one_deck_level(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], title: str, alone: str, among: str
) -> None:
    path = post(tmp_path, f"---\ntitle: '{title}'\n---\nA **word** here.\n")
    other = post(tmp_path, "Another **term** here.\n", "other.md")
    out = tmp_path / "out.json"
    code, err = cli(capsys, str(path), "-o", str(out))
    assert code == 0, err
    assert [n["deck"] for n in json.loads(out.read_text())] == [alone]
    code, err = cli(capsys, str(path), str(other), "-o", str(out))
    assert code == 0, err
    assert json.loads(out.read_text())[0]["deck"] == among
    apkg = tmp_path / "out.apkg"
    code, err = cli(capsys, str(path), "-o", str(apkg), "--deck", "Mine::{title}")
    assert code == 0, err
    assert set(decks_of(apkg)) == {"Default", f"Mine::{alone}"}


@pytest.mark.parametrize("name", ["bad\nname.md", "bad\rname.md", "tab\there\x1b[31m.md"])
def test_a_file_name_with_a_line_break_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    path = tmp_path / name
    path.write_bytes(b"\xff **x**.")
    code, err = cli(capsys, str(path), "-o", str(tmp_path / "out.json"))
    assert code == 1
    assert len(err.splitlines()) == 1 and "\r" not in err and "\x1b" not in err
    assert err.startswith("ankidigest: error: ") and "is not UTF-8 text (byte 0xff)" in err
    code, err = cli(capsys, str(tmp_path / ("missing\n" + name)), "-o", "-")
    assert code == 1 and len(err.splitlines()) == 1


@pytest.mark.parametrize("codec", ["rot13", "base64", "hex", "zlib", "bz2", "quopri", "uu"])
@pytest.mark.parametrize("check", [False, True], ids=["export", "check"])
def test_codecs_that_are_not_text_are_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], codec: str, check: bool
) -> None:
    path = post(tmp_path, "A **word** here.\n")
    args = ["--check"] if check else ["-o", str(tmp_path / "out.json")]
    code, err = cli(capsys, str(path), *args, "--encoding", codec)
    assert code == 2
    last = err.strip().splitlines()[-1]
    assert last.startswith("ankidigest: error: --encoding: ")
    assert last.endswith("is not a text encoding")


@pytest.mark.parametrize(
    ("codec", "data", "code"),
    [
        ("undefined", b"A **word** here.\n", 1),
        ("idna", "A **wörd** here.\n".encode(), 1),
        ("punycode", b"\xff\xfe **x**", 1),
        ("unicode_escape", b"A **w\\x00rd** \\ud800 here.\\", 1),
        ("unicode_escape", b"A **w\\x1frd** \\u202e here.\n", 0),
        ("utf-7", b"The **caf+AOk-** was open: +ZeVnLIqe-.\n", 0),
    ],
)
def test_odd_text_codecs_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], codec: str, data: bytes, code: int
) -> None:
    path = tmp_path / "post.md"
    path.write_bytes(data)
    got, err = cli(capsys, str(path), "-o", str(tmp_path / "out.json"), "--encoding", codec)
    assert got == code, err
    if code:
        assert len(err.splitlines()) == 1 and str(path) in err


def test_titles_that_differ_in_case_are_one_deck_in_anki(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], anki: Anki
) -> None:
    first = post(tmp_path, "---\ntitle: Reading\n---\nA **word** here.\n", "a.md")
    second = post(tmp_path, "---\ntitle: reading\n---\nAnother **term** here.\n", "b.md")
    third = post(tmp_path, "---\ntitle: READING\n---\nA third **thing**.\n", "c.md")
    apkg = tmp_path / "out.apkg"
    code, err = cli(capsys, str(first), str(second), str(third), "-o", str(apkg))
    assert code == 0, err
    assert decks_of(apkg) == {"Default": 0, "ankidigest::Reading": 3}
    code, err = cli(capsys, str(first), str(second), "-o", str(apkg), "--deck", "{title}::X")
    assert code == 0, err
    assert decks_of(apkg) == {"Default": 0, "Reading::X": 2}
    anki.import_apkg(apkg)
    names = {d.name for d in anki.col.decks.all_names_and_ids()}
    assert not any(n.endswith("_") for n in names)
    assert {anki.col.decks.name(c.did) for c in anki.cards()} == {"Reading::X"}


def test_a_reexport_copying_cards_of_a_deck_spelled_otherwise(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], anki: Anki
) -> None:
    """The copied cards of an unchanged post keep their deck when its spelling changes
    (the post that gave the first spelling is gone)."""
    first = post(tmp_path, "---\ntitle: Reading\n---\nA **word** here.\n", "a.md")
    second = post(tmp_path, "---\ntitle: reading\n---\nAnother **term** here.\n", "b.md")
    third = post(tmp_path, "A third **lemma** here.\n", "c.md")
    apkg = tmp_path / "out.apkg"
    for _ in range(2):  # the second time with a ledger
        code, err = cli(capsys, str(first), str(second), str(third), "-o", str(apkg))
        assert code == 0, err
    code, err = cli(capsys, str(second), str(third), "-o", str(apkg))
    assert code == 0, err
    assert decks_of(apkg) == {"Default": 0, "ankidigest::reading": 1, "ankidigest::c": 1}
    anki.import_apkg(apkg)
    assert len(anki.cards()) == 2
