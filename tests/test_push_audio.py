"""``--push --audio``: the sound files reach Anki's media folder with the notes that name
them, over real HTTP into a real collection (skipped without espeak-ng and lame)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from ankiconnect_server import AnkiConnectServer

from ankidigest.cli import main

from conftest import touch

pytestmark = [
    pytest.mark.anki,
    pytest.mark.skipif(
        shutil.which("espeak-ng") is None or shutil.which("lame") is None,
        reason="espeak-ng and lame not installed",
    ),
]

POST = """\
#### [2025-01-30 Talks stall](https://example.com/news/talks)

The envoy was **adamant** that the **truce** would hold.
"""
_SOUND = re.compile(r"\[sound:([^\]]+)\]")


def _post(tmp_path: Path, text: str = POST) -> str:
    path = tmp_path / "post.md"
    path.write_text(text, encoding="utf-8")
    touch(path, 1_790_000_000)
    return str(path)


def _audio(server: AnkiConnectServer) -> dict[str, tuple[str, bytes | None]]:
    """Term -> (Audio field, the bytes of the file it names in Anki's media folder)."""
    out = {}
    with server.collection() as col:
        for nid in col.find_notes(""):
            note = col.get_note(nid)
            names = _SOUND.findall(note["Audio"])
            path = os.path.join(col.media.dir(), names[0]) if names else ""
            data = Path(path).read_bytes() if path and os.path.isfile(path) else None
            out[note["Term"]] = (note["Audio"], data)
    return out


def _mp3(data: bytes | None) -> bool:
    return (
        data is not None
        and len(data) > 100
        and (data[:3] == b"ID3" or data[:2] in (b"\xff\xfb", b"\xff\xf3"))
    )


@pytest.mark.parametrize("cache", [True, False], ids=["cache", "no-cache"])
def test_push_alone_sends_the_audio_of_new_notes(
    server: AnkiConnectServer, tmp_path: Path, cache: bool
) -> None:
    args = [_post(tmp_path), "--push", "--audio", "--anki-url", server.url, "-q"]
    assert main(args + ([] if cache else ["--no-cache"])) == 0
    audio = _audio(server)
    assert sorted(audio) == ["adamant", "truce"]
    for field, data in audio.values():
        assert field.startswith("[sound:ankidigest-tts-")
        assert _mp3(data), field


def test_export_then_push_without_cache_sends_the_audio(
    server: AnkiConnectServer, tmp_path: Path
) -> None:
    out = tmp_path / "war.apkg"
    args = [_post(tmp_path), "-o", str(out), "--push", "--audio", "--no-cache", "-q"]
    assert main([*args, "--anki-url", server.url]) == 0
    assert out.exists()
    assert all(_mp3(data) for _field, data in _audio(server).values())


def test_audio_added_later_reaches_notes_already_in_anki(
    server: AnkiConnectServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    post = _post(tmp_path)
    assert main([post, "--push", "--anki-url", server.url, "-q"]) == 0
    assert all(field == "" for field, _data in _audio(server).values())
    assert main([post, "--push", "--audio", "--anki-url", server.url]) == 0
    assert "0 new, 2 changed" in capsys.readouterr().err
    audio = _audio(server)
    assert all(_mp3(data) for _field, data in audio.values()), audio
    # pushed again: unchanged, and the files are still the ones named
    assert main([post, "--push", "--audio", "--anki-url", server.url]) == 0
    assert "0 new, 0 changed, 2 unchanged" in capsys.readouterr().err
    assert _audio(server) == audio


def test_a_different_file_of_that_name_in_anki_is_an_error(
    server: AnkiConnectServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    post = _post(tmp_path)
    assert main([post, "--push", "--anki-url", server.url, "-q"]) == 0
    assert main([post, "-o", str(tmp_path / "x.json"), "--audio", "-q"]) == 0
    text = Path(tmp_path / "x.json").read_text(encoding="utf-8")
    names = set(re.findall(r"ankidigest-tts-[0-9a-f]{20}\.mp3", text))
    assert len(names) == 2
    with server.collection() as col:  # files of our names, but not our sounds
        for name in names:
            Path(col.media.dir(), name).write_bytes(b"not our sound")
    assert main([post, "--push", "--audio", "--anki-url", server.url]) == 1
    err = capsys.readouterr().err
    assert "stored audio file ankidigest-tts-" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
