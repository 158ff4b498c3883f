"""The CLI through main([...]): exit codes, messages, outputs, no tracebacks."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ankidigest.cli import main

from conftest import EXAMPLE, REPO

POST = """\
---
title: Tiny post
---

### Section one

#### [2024-01-02 An article](https://example.com/a)

The envoy was **adamant**. The talks **stalled** again.
"""


def _post(tmp_path: Path, text: str = POST, name: str = "post.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_json_to_stdout_and_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(_post(tmp_path)), "-o", "-", "--no-enrich"]) == 0
    out, err = capsys.readouterr()
    notes = json.loads(out)
    assert [n["term"] for n in notes] == ["adamant", "stalled"]
    assert notes[0]["sentence"] == "The envoy was adamant."
    assert notes[1]["cloze"] == "The talks {{c1::stalled}} again."
    assert notes[0]["source"] == "https://example.com/a"
    assert notes[0]["deck"] == "Tiny post" and notes[0]["tags"] == ["Section_one"]
    for key in ("term", "sentence", "source", "cloze", "guid", "deck", "tags", "date", "title"):
        assert key in notes[0]
    assert err.strip() == (
        "ankidigest: 1 post, 1 articles, 2 terms, 2 notes, 0 skipped "
        "(2 new, 0 changed, 0 unchanged, 0 removed) -> standard output"
    )


def test_quiet_prints_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(_post(tmp_path)), "-o", str(tmp_path / "x.json"), "-q"]) == 0
    assert capsys.readouterr() == ("", "")


def test_verbose_lists_skips_with_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    post = _post(tmp_path, "# A **bold** title\n\nAn image **![](a.png)** and a **real** one.\n")
    assert main([str(post), "-o", str(tmp_path / "x.json"), "-v"]) == 0
    err = capsys.readouterr().err
    assert f"{post}:1: skipped 'bold': bold in a heading" in err
    assert f"{post}:3: skipped '': empty bold" in err
    assert "1 terms, 1 notes, 2 skipped" in err


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["missing.md", "-o", "x.apkg"], 1, "missing.md: no such file or folder"),
        (["{post}", "-o", "x.tsv"], 2, "unknown output format '.tsv'"),
        (["{post}", "-o", "nodir/x.apkg"], 1, "does not exist"),
        (["{post}", "-o", "x.apkg", "--group", "word"], 2, "invalid choice: 'word'"),
        (["{post}"], 2, "the following arguments are required: -o/--output"),
        (["{post}", "-o", "x.apkg", "-q", "-v"], 2, "not allowed with argument"),
        (["{post}", "-o", "x.apkg", "--deck", "A::::B"], 2, "has an empty part"),
        (["{empty}", "-o", "x.apkg"], 1, "no markdown posts (*.md) in this folder"),
        (["{latin1}", "-o", "x.apkg"], 1, "latin1.md:3: is not UTF-8 text (byte 0xe9)"),
        (["{binary}", "-o", "x.apkg"], 1, "binary.md: looks binary"),
        (
            ["{post}", "-o", "x.apkg", "--dek", "X"],
            2,
            "unknown option --dek (did you mean --deck?)",
        ),
        (["{post}", "-o", "x.apkg", "--tga=x"], 2, "unknown option --tga (did you mean --tag?)"),
        (["{post}", "-o", "x.apkg", "--zzzzzz"], 2, "--zzzzzz (ankidigest --help lists the"),
        (["{post}", "-o", "x.apkg", "--previous", "nosuch.apkg"], 1, "nosuch.apkg: no such file"),
        (["{post}", "-o", "x.apkg", "--previous", "empty"], 1, "empty: is a folder, not an Anki"),
        (["{post}", "-o", "empty"], 2, "empty: is a folder; -o names the file to write, e.g."),
        (["{post}", "-o", "x"], 2, "x: no file extension; the output is NAME.apkg"),
        (["blank.md", "-o", "x.apkg"], 1, "blank.md: nothing to export: the file is empty"),
        (["plain.md", "-o", "x.apkg"], 1, "plain.md: nothing to export: no bold words; mark"),
        (["labels.md", "-o", "x.json"], 1, "labels.md: nothing to export: all 2 bold spans were"),
        (["labels.md", "plain.md", "-o", "-"], 1, "2 posts: nothing to export: all 2 bold"),
    ],
)
def test_errors_are_one_line_with_exit_code(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    code: int,
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    post = _post(tmp_path)
    (tmp_path / "empty").mkdir()
    (tmp_path / "latin1.md").write_bytes(b"# T\n\nCaf\xe9 **au** lait\n")
    (tmp_path / "binary.md").write_bytes(b"\x89PNG\x00\x00")
    (tmp_path / "blank.md").write_bytes(b"\n")
    (tmp_path / "plain.md").write_text("# A post\n\nNo bold here.\n", encoding="utf-8")
    (tmp_path / "labels.md").write_text("**Examples:**\n\n- **abjure**\n", encoding="utf-8")
    names = {"post": str(post), "empty": "empty", "latin1": "latin1.md", "binary": "binary.md"}
    assert main([a.format(**names) for a in args]) == code
    out, err = capsys.readouterr()
    assert out == ""
    assert message in err
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith("ankidigest: error: ")]
    assert len(errors) == 1 and message in errors[0]
    assert err == errors[0] + "\n"  # usage errors too: no usage block
    assert not list(tmp_path.glob("x.*")) and not list(tmp_path.glob(".x.*"))


def test_failed_run_leaves_existing_output_untouched(tmp_path: Path) -> None:
    out = tmp_path / "deck.apkg"
    out.write_bytes(b"previous package")
    assert main(["missing.md", "-o", str(out), "-q"]) == 1
    assert out.read_bytes() == b"previous package"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck.apkg"]


def test_folder_input_and_deck_per_post(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "_posts"
    (folder / "2024").mkdir(parents=True)
    _post(folder, name="a.md")
    _post(folder / "2024", POST.replace("Tiny post", "Other post"), name="b.markdown")
    (folder / "notes.txt").write_text("**not a post**", encoding="utf-8")
    assert main([str(folder), "-o", "-", "-q"]) == 0
    notes = json.loads(capsys.readouterr().out)
    assert sorted({n["deck"] for n in notes}) == ["ankidigest::Other post", "ankidigest::Tiny post"]
    assert len(notes) == 4 and len({n["guid"] for n in notes}) == 4
    assert main([str(folder), "-o", "-", "-q", "--deck", "English::{title}", "--tag", "x y"]) == 0
    notes = json.loads(capsys.readouterr().out)
    assert {n["deck"] for n in notes} == {"English::Tiny post", "English::Other post"}
    assert all("x_y" in n["tags"] for n in notes)


def test_group_sentence_numbers_each_term(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    post = _post(tmp_path, POST.replace("The talks", "The **talks**"))
    assert main([str(post), "-o", "-", "-q", "--group", "sentence", "--hint", "none"]) == 0
    notes = json.loads(capsys.readouterr().out)
    assert [n["cloze"] for n in notes] == [
        "The envoy was {{c1::adamant}}.",
        "The {{c1::talks}} {{c2::stalled}} again.",
    ]
    assert notes[1]["terms"] == ["talks", "stalled"]


def test_help_documents_exit_codes_and_every_option_is_in_readme(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--help"]) == 0
    help_text = capsys.readouterr().out
    assert "exit codes:" in help_text and "2  usage error" in help_text
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    options = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", help_text)) - {"--help"}
    assert options, help_text
    missing = sorted(o for o in options if f"`{o}" not in readme)
    assert not missing, f"options missing from README: {missing}"


def test_module_entry_point_runs_the_example(tmp_path: Path) -> None:
    out = tmp_path / "science.apkg"
    proc = subprocess.run(
        [sys.executable, "-m", "ankidigest", str(EXAMPLE), "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert out.stat().st_size > 0
    assert "26 terms, 26 notes" in proc.stderr


def test_file_name_that_is_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A post named in Latin-1 (lone surrogates in Python) exports, with no traceback,
    to .apkg and .json, and a re-export finds its note unchanged."""
    name = os.fsencode(tmp_path) + b"/caf\xe9.md"
    try:
        with open(name, "wb") as fh:
            fh.write(b"# Title\n\nThe **word** is here.\n")
    except OSError:
        pytest.skip("this file system refuses file names that are not UTF-8")
    apkg = tmp_path / "out.apkg"
    assert main([str(tmp_path), "-o", str(apkg), "-q"]) == 0
    assert main([str(tmp_path), "-o", str(apkg)]) == 0
    assert "0 new, 0 changed, 1 unchanged" in capsys.readouterr().err
    out = tmp_path / "out.json"
    assert main([str(tmp_path), "-o", str(out), "-q"]) == 0
    (note,) = json.loads(out.read_text(encoding="utf-8"))
    assert note["file"].endswith("caf\ufffd.md")
    assert note["term"] == "word"
