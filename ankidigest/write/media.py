"""The audio files a package's notes name, found in the collection being written."""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3

from ankidigest.errors import OutputError

_SOUND = re.compile(r"\[sound:(ankidigest-tts-[0-9a-f]{20}\.mp3)\]")


def sound_names(text: str) -> list[str]:
    """The names of our audio files a field (or a note's fields) names, in order."""
    return _SOUND.findall(text)


def media_path(media_dir: str | None, name: str) -> str:
    """Where our audio file ``name`` is; an OutputError when it is not there."""
    path = os.path.join(media_dir, name) if media_dir else ""
    if not path or not os.path.isfile(path):
        raise OutputError(
            f"audio file {name} is missing from {media_dir or 'the media folder'}; "
            "export again with --no-cache"
        )
    return path


def media_files(conn: sqlite3.Connection, media_dir: str | None) -> list[tuple[str, str | bytes]]:
    """The zip entries of the media: the "media" map (entry number -> name) and one entry
    per file, numbered, sorted by name: every audio file the package's notes name, the notes
    written and those copied from the previous package alike (so a reused post keeps its
    audio). The files are in ``media_dir`` (the cache's media folder); each one used is
    touched, so the cache's pruning keeps it."""
    rows = conn.execute(
        "SELECT flds FROM notes WHERE instr(flds, '[sound:ankidigest-tts-') > 0"
    ).fetchall()
    names = sorted({m for (flds,) in rows for m in _SOUND.findall(flds)})
    out = []
    for name in names:
        path = media_path(media_dir, name)
        with contextlib.suppress(OSError):
            os.utime(path)
        out.append((name, path))
    numbered = {str(i): name for i, (name, _) in enumerate(out)}
    entries: list[tuple[str, str | bytes]] = [("media", json.dumps(numbered).encode())]
    return entries + [(str(i), path) for i, (_, path) in enumerate(out)]
