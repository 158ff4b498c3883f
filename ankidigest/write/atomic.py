"""Atomic output: write to a temporary file beside the target, then rename.

A failed or interrupted run (Ctrl-C and SIGTERM included) leaves the existing file as
it was and no temporary file behind; the temporary file of a killed run (SIGKILL) is
deleted by the next write beside it (see ``scratch.py``).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator

from ankidigest.errors import OutputError
from ankidigest.write.scratch import clean_beside, temp_file_beside


@contextlib.contextmanager
def atomic_path(target: str) -> Iterator[str]:
    """Yield a temporary path in the target's folder; rename it over the target on success."""
    folder = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(folder):
        raise OutputError(f"{target}: folder {folder} does not exist")
    if os.path.isdir(target):
        raise OutputError(f"{target}: is a folder; name a file to write")
    clean_beside(target)  # what a killed run left
    try:
        fd, tmp = temp_file_beside(target)
    except OSError as exc:
        raise OutputError(f"{target}: cannot write in {folder}: {exc.strerror or exc}") from None
    os.close(fd)
    try:
        try:
            yield tmp
        except OSError as exc:
            raise OutputError(f"{target}: cannot write: {exc.strerror or exc}") from None
        try:
            mode = os.stat(target).st_mode & 0o777 if os.path.exists(target) else _default_mode()
            os.chmod(tmp, mode)
            os.replace(tmp, target)
        except OSError as exc:
            raise OutputError(f"{target}: cannot write: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def write_atomic(target: str, write: Callable[[str], None]) -> None:
    with atomic_path(target) as tmp:
        write(tmp)


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
