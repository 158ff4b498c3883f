"""Notebook shapes through the CLI: --check, --terms, --verbose; and a translation in Anki."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ankidigest.cli import main
from ankidigest.read.containers import unwrap
from ankidigest.read.walker import walk

from conftest import Anki

CASES = Path(__file__).parent / "cases"

PROBLEMS = """\
# [Notes on an article](https://example.com/a)

The talks **stalled. Both** sides left.

A **b** grade and an empty **&nbsp;** mark.

The deal was **brokered** by Qatar, and later **brokered** again.

**Examples:**
"""


def _write(tmp_path: Path, text: str, name: str = "notes.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_check_reports_problems_and_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    post = _write(tmp_path, PROBLEMS)
    assert main(["--check", str(post)]) == 1
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert f"{post}:3: problem: 'stalled. Both': bold crosses a sentence boundary" in lines
    assert f"{post}:5: problem: 'b': one-letter bold" in lines
    assert any(line.startswith(f"{post}:5: problem: ") and "empty bold" in line for line in lines)
    assert any(
        line.startswith(f"{post}:7: problem: 'brokered': duplicate term") and "line 7" in line
        for line in lines
    )
    assert (
        f"{post}:9: skipped: 'Examples:': a label (bold followed by a colon), not a term" in lines
    )
    assert "4 problems, 1 bold skipped" in err


def test_check_quiet_prints_only_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    post = _write(tmp_path, PROBLEMS)
    assert main(["--check", "-q", str(post)]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() and all(": problem: " in line for line in out.splitlines())
    assert err == ""


def test_check_passes_on_label_only_notebook(capsys: pytest.CaptureFixture[str]) -> None:
    notebook = CASES / "labels_only_wordlist.md"
    assert main(["--check", str(notebook)]) == 0
    out, _ = capsys.readouterr()
    assert out.count(": skipped: ") == 16
    assert ": problem: " not in out


def test_check_folder_and_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path, "A **clean** sentence.\n")
    assert main(["--check", str(tmp_path)]) == 0
    assert main(["--check", str(tmp_path / "nope.md")]) == 1
    _, err = capsys.readouterr()
    assert err.strip().splitlines()[-1] == (
        f"ankidigest: error: {tmp_path / 'nope.md'}: no such file or folder"
    )
    assert "Traceback" not in err


def test_check_reports_empty_bold_left_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """mistune leaves "****" as text; --check still reports it, but not escaped stars,
    stars in code, a thematic break or a "____" blank to fill in."""
    post = tmp_path / "post.md"
    post.write_text(
        "# T\n\nThe **** was here.\nAnd ** ** on line 4. A **real** word.\n\n"
        "Escaped \\*\\*\\*\\* and `****` and a ____ blank.\n\n****\n\n"
        "- an item **** here\n",
        encoding="utf-8",
    )
    assert main(["--check", str(post)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{post}:3: problem: '****': empty bold",
        f"{post}:4: problem: '** **': empty bold",
        f"{post}:10: problem: '****': empty bold",
    ]


def test_check_and_output_conflict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    post = _write(tmp_path, "A **word** here.\n")
    assert main(["--check", str(post), "-o", str(tmp_path / "x.json")]) == 2
    assert not (tmp_path / "x.json").exists()
    assert main([str(post)]) == 2
    _, err = capsys.readouterr()
    assert "--check writes nothing" in err and "-o/--output" in err


def _terms(path: Path) -> list[str]:
    return [t for note in json.loads(path.read_text(encoding="utf-8")) for t in note["terms"]]


def test_terms_option(tmp_path: Path) -> None:
    post = _write(
        tmp_path, "The **spice** flows and the ==treacherous== wind <mark>howls</mark>.\n"
    )
    out = tmp_path / "out.json"
    assert main([str(post), "-o", str(out), "-q"]) == 0
    assert _terms(out) == ["spice"]
    assert main([str(post), "-o", str(out), "-q", "--terms", "bold+highlight"]) == 0
    assert _terms(out) == ["spice", "treacherous", "howls"]
    assert main([str(post), "-o", str(out), "--terms", "underline"]) == 2


def test_check_terms_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    post = _write(tmp_path, "# [A](https://example.com/a)\n\nA ==x== and ==x== mark.\n")
    assert main(["--check", str(post)]) == 0
    assert main(["--check", "--terms", "bold+highlight", str(post)]) == 1
    out, _ = capsys.readouterr()
    assert "'x': one-letter bold" in out


def test_verbose_names_every_skip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    notebook = CASES / "shape_nested_examples.md"
    out = tmp_path / "out.json"
    assert main([str(notebook), "-o", str(out), "-v"]) == 0
    _, err = capsys.readouterr()
    assert f"{notebook}:3: skipped 'meticulous': a headword" in err
    assert f"{notebook}:8: skipped 'severe': bold inside a definition" in err
    assert "6 terms, 6 notes, 5 skipped" in err


def test_label_only_notebooks_give_no_notes(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    for name in ("labels_only_wordlist.md", "labels_only_study_notes.md"):
        assert main([str(CASES / name), "-o", str(out), "-q"]) == 1  # nothing to export
        assert not out.exists()


def test_help_documents_new_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out, _ = capsys.readouterr()
    for option in ("--check", "--terms", "bold+highlight"):
        assert option in out


def test_translation_reaches_anki(tmp_path: Path, anki: Anki) -> None:
    out = tmp_path / "daily.apkg"
    assert main([str(CASES / "shape_translation_next_line.md"), "-o", str(out), "-q"]) == 0
    log = anki.import_apkg(out)
    assert (log.new, log.conflicting) == (6, 0)
    by_term = {note["Term"]: note for note in anki.notes()}
    assert by_term["pledged"]["Translation"] == "政府已承诺将排放量减半。"
    assert "承诺" not in by_term  # bold inside the translation is not a term
    assert by_term["furious"]["Translation"] == "我很生气。"
    card = by_term["pledged"].cards()[0]
    assert "政府已承诺将排放量减半。" in card.answer()


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=" \t\n>!?:*=~`-#[]()|\u200babcSTARTEND", max_size=200))
def test_unwrap_keeps_every_line(text: str) -> None:
    assert unwrap(text).count("\n") == text.count("\n")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=" \t\n>!?:*=~_`-#[]()|<>/\u200b.ab中文STARTEND", max_size=200))
def test_walk_never_fails_and_terms_are_in_their_sentence(text: str) -> None:
    for terms in ("bold", "bold+highlight"):
        doc = walk(text, terms=terms)
        for sentence in doc.sentences:
            for term in sentence.terms:
                assert sentence.text[term.start : term.end] == term.text
                assert term.text.strip()
