"""Prior state, --dry-run, --previous, --mark-removed and reproducible bytes (no Anki here)."""

from __future__ import annotations

import json
import time
import zipfile
from pathlib import Path

import pytest

from ankidigest import InputError, export
from ankidigest.cli import main
from ankidigest.update.reconcile import read_prior

from conftest import read_apkg_guids, touch

T1 = 1_700_000_000
POST = """---
title: Week
---

### [Troops](https://example.com/news/troops)

The economy is **fragile** after the floods. Officials were **dispersed** to the regions.

Seoul could provide **lethal** weapons.
"""


@pytest.fixture
def post(tmp_path: Path) -> Path:
    path = tmp_path / "week.md"
    path.write_text(POST, encoding="utf-8")
    touch(path, T1)
    return path


def edit(path: Path, old: str, new: str, mtime: int) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    touch(path, mtime)


def test_summary_counts_against_the_output(
    post: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "week.apkg"
    assert main(["--no-enrich", str(post), "-o", str(out)]) == 0
    assert "(3 new, 0 changed, 0 unchanged, 0 removed)" in capsys.readouterr().err
    edit(post, "**dispersed**", "dispersed", T1 + 10)
    edit(post, "could provide", "may provide", T1 + 10)
    assert main(["--no-enrich", str(post), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"(0 new, 1 changed, 1 unchanged, 1 removed since {out})" in err
    assert "1 note gone from the posts stays in Anki" in err
    # Reported again next time (still untagged in Anki), but no longer as newly removed.
    assert main(["--no-enrich", str(post), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"(0 new, 0 changed, 2 unchanged, 0 removed since {out})" in err
    assert "1 note gone from the posts stays in Anki" in err
    assert main(["--no-enrich", str(post), "-o", str(out), "--mark-removed"]) == 0
    assert "1 note gone from the posts is exported once more" in capsys.readouterr().err
    assert main(["--no-enrich", str(post), "-o", str(out)]) == 0
    assert "gone from the posts" not in capsys.readouterr().err


def test_dry_run_writes_nothing_and_lists_notes(
    post: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "week.apkg"
    assert main(["--no-enrich", str(post), "-o", str(out), "-q"]) == 0
    before = (out.read_bytes(), out.stat().st_mtime_ns)
    edit(post, "after the floods", "after the **floods**", T1 + 10)
    edit(post, "could provide", "may provide", T1 + 10)
    edit(post, "**dispersed**", "dispersed", T1 + 10)
    assert main(["--no-enrich", str(post), "-o", str(out), "--dry-run", "-v"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert (out.read_bytes(), out.stat().st_mtime_ns) == before
    assert f"{post}:7: new 'floods'" in err
    assert f"{post}:9: changed 'lethal'" in err
    assert any(line.startswith(f"{out}: removed 'dispersed' (") for line in err)
    assert "nothing written (dry run" in err[-2]
    fresh = tmp_path / "fresh.apkg"
    assert main(["--no-enrich", str(post), "-o", str(fresh), "--dry-run", "-q"]) == 0
    assert not fresh.exists()


def test_bad_previous_is_one_line_exit_1(
    post: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "junk.apkg"
    junk.write_text("not a zip", encoding="utf-8")
    out = tmp_path / "out.apkg"
    for previous in (junk, tmp_path / "missing.apkg", tmp_path):
        assert main(["--no-enrich", str(post), "-o", str(out), "--previous", str(previous)]) == 1
        err = capsys.readouterr().err
        assert err.startswith(f"ankidigest: error: {previous}: ") and err.count("\n") == 1
        assert "Traceback" not in err
    assert not out.exists()


def test_unreadable_output_is_replaced_with_a_warning(
    post: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "week.apkg"
    out.write_text("something else", encoding="utf-8")
    assert main(["--no-enrich", str(post), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"warning: {out}: not a readable Anki package" in err
    assert "(3 new, 0 changed, 0 unchanged, 0 removed)" in err
    assert len(read_apkg_guids(str(out))) == 3


def test_changed_note_is_strictly_newer_than_its_prior(
    post: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 14 changed the rule: a changed note gets max(export time, prior mod + 1)
    (it was the post's mtime); the export time here is SOURCE_DATE_EPOCH."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(T1))  # a clock behind the prior mod
    out = tmp_path / "week.apkg"
    touch(post, T1 + 500)
    export([str(post)], str(out))
    edit(post, "could provide", "may provide", T1 + 900)
    result = export([str(post)], str(out))
    assert [n.terms for n in result.report.changed] == [("lethal",)]
    mods = {g: m for g, (m, _) in read_apkg_guids(str(out)).items()}
    changed = result.report.changed[0].guid
    assert mods[changed] == T1 + 501
    assert sorted(m for g, m in mods.items() if g != changed) == [T1 + 500, T1 + 500]
    # The export time wins when it is later than the prior mod; new notes keep the mtime.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(T1 + 5000))
    edit(post, "may provide", "might provide", T1 + 900)
    edit(post, "after the floods", "after the **floods**", T1 + 900)
    result = export([str(post)], str(out))
    assert [n.mod for n in result.report.changed] == [T1 + 5000]
    assert [n.mod for n in result.report.new] == [T1 + 900]


@pytest.mark.parametrize("value", ["soon", "-5", "1.5", " ", "１２"])
def test_bad_source_date_epoch_is_a_usage_error(
    post: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    value: str,
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    assert main([str(post), "-o", str(tmp_path / "out.apkg")]) == 2
    err = capsys.readouterr().err
    assert "SOURCE_DATE_EPOCH must be a whole number of seconds" in err
    assert not (tmp_path / "out.apkg").exists()


@pytest.mark.slow
def test_same_input_and_prior_give_identical_bytes(
    post: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Changed notes carry the export time: SOURCE_DATE_EPOCH makes it reproducible.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(T1 + 100))
    v1 = tmp_path / "v1.apkg"
    export([str(post)], str(v1))
    edit(post, "could provide", "may provide", T1 + 10)
    edit(post, "after the floods", "after the **floods**", T1 + 10)
    first, second = tmp_path / "a.apkg", tmp_path / "b.apkg"
    assert main(["--no-enrich", str(post), "-o", str(first), "--previous", str(v1), "-q"]) == 0
    time.sleep(1.1)  # a wall-clock time anywhere in the file would now differ
    assert main(["--no-enrich", str(post), "-o", str(second), "--previous", str(v1), "-q"]) == 0
    assert first.read_bytes() == second.read_bytes()
    # Re-exporting over itself (the output is now its own prior) changes no byte either.
    assert main(["--no-enrich", str(post), "-o", str(first), "-q"]) == 0
    assert first.read_bytes() == second.read_bytes()


def test_json_output_takes_mods_from_previous(
    post: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(T1 + 20))  # the changed note's mod (issue 14)
    v1 = tmp_path / "v1.apkg"
    export([str(post)], str(v1))
    edit(post, "could provide", "may provide", T1 + 10)
    out = tmp_path / "week.json"
    assert main(["--no-enrich", str(post), "-o", str(out), "--previous", str(v1), "-q"]) == 0
    mods = {n["term"]: n["mod"] for n in json.loads(out.read_text(encoding="utf-8"))}
    assert mods == {"fragile": T1, "dispersed": T1, "lethal": T1 + 20}


def test_read_prior_reads_fields_tags_deck(post: Path, tmp_path: Path) -> None:
    out = tmp_path / "week.apkg"
    result = export([str(post)], str(out))
    prior = read_prior(str(out))
    assert set(prior) == {n.guid for n in result.notes}
    for note in result.notes:
        got = prior[note.guid]
        assert (got.fields, got.tags, got.deck, got.mod) == (
            note.fields,
            note.tags,
            "Week",
            T1,
        )


def test_dry_run_verbose_shows_old_and_new_text(
    post: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "week.apkg"
    assert main(["--no-enrich", str(post), "-o", str(out), "-q"]) == 0
    edit(post, "could provide", "may provide", T1 + 10)
    assert main(["--no-enrich", str(post), "-o", str(out), "--dry-run", "-v"]) == 0
    err = capsys.readouterr().err.splitlines()
    at = err.index(f"{post}:9: changed 'lethal'")
    assert err[at + 1] == (
        "    Text: 'Seoul could provide {{c1::lethal}} weapons.' -> "
        "'Seoul may provide {{c1::lethal}} weapons.'"
    )
    assert not err[at + 2].startswith("    ")  # only the field that differs


def test_a_package_exported_by_anki_is_read_as_previous(post: Path, tmp_path: Path) -> None:
    """Anki 2.1.50+ exports collection.anki21b (zstd) beside a stub collection.anki2."""
    from anki.collection import ExportAnkiPackageOptions

    from conftest import Anki

    out = tmp_path / "week.apkg"
    first = export([str(post)], str(out))
    (tmp_path / "anki").mkdir()
    anki = Anki(tmp_path / "anki" / "collection.anki2")
    try:
        anki.import_apkg(out)
        theirs = tmp_path / "from-anki.apkg"
        options = ExportAnkiPackageOptions(with_scheduling=True, with_media=False, legacy=False)
        anki.col.export_anki_package(out_path=str(theirs), options=options, limit=None)
    finally:
        anki.close()
    with zipfile.ZipFile(theirs) as archive:
        assert "collection.anki21b" in archive.namelist()
    prior = read_prior(str(theirs))
    assert set(prior) == {n.guid for n in first.notes}
    assert {p.deck for p in prior.values()} == {"Week"}
    edit(post, "could provide", "may provide", T1 + 10)
    result = export([str(post)], str(tmp_path / "again.apkg"), previous=str(theirs))
    assert result.report.counts() == "0 new, 1 changed, 2 unchanged, 0 removed"


def test_an_anki_package_without_zstandard_is_refused_in_one_line(
    post: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    package = tmp_path / "from-anki.apkg"
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("collection.anki21b", b"\x28\xb5\x2f\xfd junk")
        archive.writestr("collection.anki2", b"")
    with pytest.raises(InputError, match="not a readable Anki package"):
        read_prior(str(package))
    monkeypatch.setitem(sys.modules, "zstandard", None)  # not installed
    with pytest.raises(InputError, match="install zstandard"):
        read_prior(str(package))
