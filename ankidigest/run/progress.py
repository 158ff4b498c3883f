"""A progress bar for long exports, drawn by the CLI on a terminal.

The library only calls ``progress(stage, done, total)``; this turns those calls
into one self-overwriting line on a stream (the CLI gives it standard error, and
only when that is a terminal and --quiet is off). It draws nothing for short
runs and at most ten times a second.
"""

from __future__ import annotations

import time
from typing import TextIO

WIDTH = 30
_LABELS = {
    "read": "reading posts",
    "compare": "comparing with the previous export",
    "write": "writing notes",
}


class ProgressBar:
    """Call it as the library's ``progress`` callback; call ``close()`` when done."""

    def __init__(self, stream: TextIO, delay: float = 0.5, interval: float = 0.1) -> None:
        self.stream = stream
        self.start = time.monotonic()
        self.delay = delay  # nothing is drawn for runs shorter than this
        self.interval = interval
        self.last = 0.0
        self.stage = ""
        self.drawn = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        new_stage = stage != self.stage
        self.stage = stage
        if now - self.start < self.delay or (now - self.last < self.interval and not new_stage):
            return
        self.last = now
        self.stream.write("\r" + render(stage, done, total) + "\x1b[K")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        """Erase the bar so the summary line starts clean."""
        if self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.drawn = False


def render(stage: str, done: int, total: int) -> str:
    """One line: ``reading posts [#######-------]  120/388``."""
    label = _LABELS.get(stage, stage)
    if stage != "read" and done < total:
        return f"{label}: {total} notes…"
    filled = WIDTH * done // total if total else WIDTH
    bar = "#" * filled + "-" * (WIDTH - filled)
    return f"{label} [{bar}] {done:>{len(str(total))}}/{total}"
