"""espeak-ng + lame audio (skipped when the tools are not installed)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ankidigest.enrich import audio
from ankidigest.errors import AnkidigestError

have_tools = shutil.which("espeak-ng") is not None and shutil.which("lame") is not None


@pytest.mark.skipif(not have_tools, reason="espeak-ng and lame not installed")
def test_synthesize_stable_name_and_reuse(tmp_path: Path) -> None:
    first = audio.synthesize("shatter", tmp_path)
    assert first.name == audio.file_name("shatter") and first.suffix == ".mp3"
    head = first.read_bytes()[:3]
    assert head == b"ID3" or head[:1] == b"\xff"  # ID3 tag or an MPEG frame sync
    stamp = first.stat().st_mtime_ns
    again = audio.synthesize("shatter", tmp_path)
    assert again == first and again.stat().st_mtime_ns == stamp
    assert audio.file_name("shatter", "en-us") != first.name
    assert audio.file_name("stem") != first.name


def test_missing_tool_message(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(audio.shutil, "which", lambda name: None)
    audio.tool_versions.cache_clear()
    try:
        with pytest.raises(audio.AudioToolMissing) as info:
            audio.synthesize("word", tmp_path)
    finally:
        audio.tool_versions.cache_clear()
    assert isinstance(info.value, AnkidigestError)
    message = str(info.value)
    assert "\n" not in message and "espeak-ng not found" in message and "apt-get" in message
