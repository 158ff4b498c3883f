"""Cards that teach (issue 12): enrichment in the notes, hints, JSON, audio media in a real
Anki, dictionary changes as note updates, the strict Audio field."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ankidigest import sanitize
from ankidigest.cli import main
from ankidigest.errors import OutputError
from ankidigest.model import NoteSpec
from ankidigest.notes.notetype import FIELD_INDEX
from ankidigest.write.formats import check_fields

from conftest import Anki, touch

POST = """\
---
title: War notes
---
## [Troops struggle](https://example.com/news/1)

His troops were struggling to **stem** the offensive.

The bomb **shattered** much of the building.
"""
HAS_AUDIO = shutil.which("espeak-ng") is not None and shutil.which("lame") is not None


def _post(tmp_path: Path, text: str = POST) -> Path:
    path = tmp_path / "post.md"
    path.write_text(text, encoding="utf-8")
    touch(path, 1_700_000_000)
    return path


def _json(tmp_path: Path, *args: str) -> list[dict]:
    out = tmp_path / "out.json"
    assert main([str(_post(tmp_path)), "-o", str(out), "-q", *args]) == 0
    return json.loads(out.read_text(encoding="utf-8"))


def test_enriched_by_default(tmp_path: Path) -> None:
    stem, shattered = _json(tmp_path)
    assert stem["lemma"] == "stem" and stem["pos"] == "verb"
    assert stem["gloss"].splitlines()[0].startswith("vt. 阻止")
    assert stem["cloze"].endswith("{{c1::stem::阻止}} the offensive.")
    assert stem["phonetic"] and isinstance(stem["frequency"], int)
    assert "cet4" in stem["level"] and "level::cet4" in stem["tags"]
    assert "freq::top5k" in stem["tags"]
    assert stem["audio"] is None
    assert shattered["lemma"] == "shatter"


def test_no_enrich_leaves_the_fields_empty(tmp_path: Path) -> None:
    for note in _json(tmp_path, "--no-enrich"):
        assert (note["lemma"], note["gloss"], note["level"], note["audio"]) == ("", "", [], None)
        assert not any(t.startswith(("level::", "freq::")) for t in note["tags"])
        assert "::" not in note["cloze"].split("::", 1)[1]  # no hint


@pytest.mark.parametrize(
    ("hint", "cloze"),
    [("first-letter", "{{c1::stem::s…}}"), ("pos", "{{c1::stem::verb}}"), ("none", "{{c1::stem}}")],
)
def test_hint_kinds(tmp_path: Path, hint: str, cloze: str) -> None:
    assert cloze in _json(tmp_path, "--hint", hint)[0]["cloze"]


def test_definition_field_layout(tmp_path: Path, anki: Anki) -> None:
    apkg = tmp_path / "out.apkg"
    assert main([str(_post(tmp_path)), "-o", str(apkg), "-q"]) == 0
    anki.import_apkg(apkg)
    note = next(n for n in anki.notes() if n["Term"] == "stem")
    lines = note["Definition"].split("<br>")
    assert lines[0] == "verb · CET-4 · top 5k word"  # the caption: POS, level, band
    assert lines[1].startswith("<b>vt. 阻止")  # the fitting Chinese line, in bold
    assert note["Pronunciation"].startswith("/") and note["Pronunciation"].endswith("/")
    card = note.cards()[0]
    assert "[阻止]" in card.question()  # Anki shows the hint in place of [...]
    assert "ad-lemma" in card.answer() and "stem" in card.answer()


def _user_dict(path: Path, gloss: str) -> Path:
    path.write_text(f'word,translation\nstem,"vt. {gloss}"\n', encoding="utf-8")
    return path


def test_a_better_gloss_updates_only_its_note(tmp_path: Path, anki: Anki) -> None:
    post = _post(tmp_path)
    apkg = tmp_path / "out.apkg"
    assert main([str(post), "-o", str(apkg), "-q"]) == 0
    anki.import_apkg(apkg)
    shattered = next(n for n in anki.notes() if n["Term"] == "shattered")
    shattered["Definition"] += "<br>my own note"  # the user's edit
    anki.col.update_note(shattered)
    user = _user_dict(tmp_path / "mine.csv", "遏制, 阻止")
    assert main([str(post), "-o", str(apkg), "-q", "--dict", str(user)]) == 0
    log = anki.import_apkg(apkg)
    assert (log.new, log.updated, log.duplicate) == (0, 1, 1)
    stem = next(n for n in anki.notes() if n["Term"] == "stem")
    assert "<b>vt. 遏制, 阻止</b>" in stem["Definition"] and "stem::遏制" in stem["Text"]
    kept = next(n for n in anki.notes() if n["Term"] == "shattered")
    assert kept["Definition"].endswith("my own note")
    # The same file, changed in place: the cache key hashes its bytes, so no stale card.
    _user_dict(user, "堵住")
    assert main([str(post), "-o", str(apkg), "-q", "--dict", str(user)]) == 0
    log = anki.import_apkg(apkg)
    assert log.updated == 1
    assert "stem::堵住" in next(n for n in anki.notes() if n["Term"] == "stem")["Text"]


def test_unreadable_dictionary_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    code = main([str(_post(tmp_path)), "-o", str(tmp_path / "o.json"), "--dict", str(bad)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1 and "bad.csv" in err[0] and "ECDICT" in err[0]


@pytest.mark.skipif(not HAS_AUDIO, reason="espeak-ng and lame are not installed")
def test_audio_media_imports_into_anki(tmp_path: Path, anki: Anki) -> None:
    post = _post(tmp_path)
    apkg = tmp_path / "out.apkg"
    assert main([str(post), "-o", str(apkg), "-q", "--audio"]) == 0
    # Again: the unchanged post is copied from the previous package (reuse.py); its
    # notes' media must still be in the package.
    assert main([str(post), "-o", str(apkg), "-q", "--audio"]) == 0
    log = anki.import_apkg(apkg)
    assert log.new == 2
    for note in anki.notes():
        name = note["Audio"][len("[sound:") : -1]
        assert sanitize.AUDIO_REF.fullmatch(note["Audio"])
        assert anki.col.media.have(name)
        played = [getattr(tag, "filename", "") for tag in note.cards()[0].answer_av_tags()]
        assert played == [name]  # the back's play button


def test_audio_without_a_tool_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ankidigest.enrich import audio

    audio.tool_versions.cache_clear()
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    try:
        code = main([str(_post(tmp_path)), "-o", str(tmp_path / "o.apkg"), "--audio"])
    finally:
        audio.tool_versions.cache_clear()
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1 and "espeak-ng not found" in err[0]


def _note(fields: list[str]) -> NoteSpec:
    return NoteSpec("g", "k", tuple(fields), (), "d", 1, ("t",), "s", None, "T", None, "", "p", 1)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("Audio", "[sound:evil.mp3]"),
        ("Audio", "[sound:ankidigest-tts-0123456789abcdef0123.mp3] x"),
        ("Definition", "[sound:ankidigest-tts-0123456789abcdef0123.mp3]"),
    ],
)
def test_only_our_sound_reference_and_only_in_audio(field: str, value: str) -> None:
    assert FIELD_INDEX["Audio"] == sanitize.AUDIO_FIELD
    fields = ["{{c1::x}}"] + [""] * 14
    fields[FIELD_INDEX[field]] = value
    assert not sanitize.fields_safe(fields)
    with pytest.raises(OutputError, match=field):
        check_fields([_note(fields)])
    fields[FIELD_INDEX[field]] = ""
    fields[FIELD_INDEX["Audio"]] = "[sound:ankidigest-tts-0123456789abcdef0123.mp3]"
    assert sanitize.fields_safe(fields)
    check_fields([_note(fields)])


def test_help_does_not_load_the_dictionary() -> None:
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "ankidigest", "--help"],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert "--no-enrich" in run.stdout and "--audio" in run.stdout
    assert "ankidigest.enrich" not in run.stderr
