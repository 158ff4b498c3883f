"""Atomic output: write to a temporary file beside the target, then rename.

A failed or interrupted run (Ctrl-C included) leaves the existing file as it
was and no temporary file behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator

from ankidigest.errors import OutputError


@contextlib.contextmanager
def atomic_path(target: str) -> Iterator[str]:
    """Yield a temporary path in the target's folder; rename it over the target on success."""
    folder = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(folder):
        raise OutputError(f"{target}: folder {folder} does not exist")
    if os.path.isdir(target):
        raise OutputError(f"{target}: is a folder; name a file to write")
    try:
        fd, tmp = tempfile.mkstemp(
            prefix="." + os.path.basename(target) + ".", suffix=".tmp", dir=folder
        )
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
