"""The one exception hierarchy of ankidigest: catch AnkidigestError to catch everything."""

from __future__ import annotations

from collections.abc import Sequence


class AnkidigestError(Exception):
    """Base class of every error ankidigest raises on purpose.

    ``str(error)`` is a complete one-line message meant for a person, naming the
    file (and line, when there is one) and what to do next.
    """

    exit_code = 1

    def __str__(self) -> str:
        # One line whatever it names: a file name may hold a line break or control.
        return _one_line(super().__str__())


def _one_line(text: str) -> str:
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


class InputError(AnkidigestError):
    """A post cannot be read: missing, not text, not UTF-8, no posts in a folder."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.reason = message
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")


class NothingToExport(InputError):
    """The posts give no note at all (empty, no bold, every bold skipped): nothing is
    written. ``documents``: the posts as read, so their skips can still be listed."""

    def __init__(self, path: str, message: str, documents: Sequence[object] = ()) -> None:
        super().__init__(path, message)
        self.documents = documents


class OutputError(AnkidigestError):
    """The output cannot be written, or two notes would share one identity."""


class StdoutError(OutputError):
    """Standard output cannot be written: full (one line, exit 1) or ``closed`` (a pipe
    whose reader is gone, as in ``| head``: silence, exit 141 as SIGPIPE would)."""

    def __init__(self, message: str, closed: bool = False) -> None:
        self.closed = closed
        super().__init__(message)


class UsageError(AnkidigestError):
    """The request itself does not make sense (unknown output format, bad option value)."""

    exit_code = 2
