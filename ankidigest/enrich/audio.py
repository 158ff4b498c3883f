"""Pronunciation audio: espeak-ng -> WAV -> lame -> MP3, named by a content hash.

The name hashes the text, the voice and both tools' versions, so one word gets one stable
file, a new voice or tool version a new one; an existing file in the media folder is reused.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import AnkidigestError

VOICE = "en-gb"


class AudioToolMissing(AnkidigestError):
    """espeak-ng or lame is not installed."""

    def __init__(self, tool: str) -> None:
        super().__init__(
            f"{tool} not found: install it (Debian/Ubuntu: apt-get install {tool}) "
            "or run without audio"
        )


class AudioError(AnkidigestError):
    """A tool ran but failed."""


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise AudioToolMissing(name)
    return path


@functools.cache
def tool_versions() -> str:
    """``espeak-ng`` and ``lame`` version lines, joined (raises AudioToolMissing)."""
    out = []
    for name, flag in (("espeak-ng", "--version"), ("lame", "--version")):
        run = subprocess.run([_tool(name), flag], capture_output=True, text=True, check=False)
        lines = (run.stdout or run.stderr).strip().splitlines()
        out.append(lines[0] if lines else name)
    return " | ".join(out)


def file_name(text: str, voice: str = VOICE) -> str:
    """The stable media file name of ``text`` spoken by ``voice``."""
    digest = hashlib.sha256(f"{text}\0{voice}\0{tool_versions()}".encode()).hexdigest()[:20]
    return f"ankidigest-tts-{digest}.mp3"


def synthesize(text: str, media_dir: str | Path, voice: str = VOICE) -> Path:
    """Write ``text`` as MP3 into ``media_dir`` (unless already there); return its path."""
    target = Path(media_dir) / file_name(text, voice)
    if target.exists():
        return target
    espeak, lame = _tool("espeak-ng"), _tool("lame")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "say.wav"
        mp3 = Path(tmp) / "say.mp3"
        steps = (
            [espeak, "-v", voice, "-w", str(wav), "--", text],
            [lame, "--quiet", "-b", "32", "-m", "m", str(wav), str(mp3)],
        )
        for cmd in steps:
            run = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if run.returncode != 0:
                msg = (run.stderr or run.stdout).strip().splitlines()
                raise AudioError(f"{Path(cmd[0]).name} failed on {text!r}: {msg[:1]}")
        partial = target.with_suffix(".part")
        shutil.move(str(mp3), partial)
        os.replace(partial, target)  # atomic: a reader never sees half a file
    return target
