"""Temporary files and folders that name the process that made them, and the clean-up of
those a killed run left behind.

A run killed with SIGKILL (or by a power cut) cannot delete its temporary files: the
``.NAME.apkg.*.tmp`` beside the target and its ``ankidigest-*`` folders in the temp
folder. Each name holds the making process's id and a tag of its host, so the next
run can tell a dead run's leftovers (its host, its pid no longer running) from a live
run's, which it never touches. Leftovers of another host, or named the old way (no
pid), go only when a day old. Only files and folders of the current user are removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import socket
import stat
import tempfile
import time

STALE_SECONDS = 86400  # leftovers we cannot tie to a dead process go after a day
_PREFIX = "ankidigest-"


def _host() -> str:
    return hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:6]


def _tag() -> str:
    """'<pid>-<host>': what every temporary name of this process holds."""
    return f"{os.getpid()}-{_host()}"


def temp_dir(kind: str = "") -> str:
    """A new private folder in the temp folder: ``ankidigest-[KIND-]PID-HOST-XXXX``."""
    return tempfile.mkdtemp(prefix=f"{_PREFIX}{kind + '-' if kind else ''}{_tag()}-")


def temp_file_beside(target: str) -> tuple[int, str]:
    """(fd, path) of a new file ``.NAME.PID-HOST-XXXX.tmp`` in ``target``'s folder."""
    folder = os.path.dirname(os.path.abspath(target))
    prefix = "." + os.path.basename(target) + "." + _tag() + "-"
    return tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=folder)


_OURS = re.compile(r"(?:[a-z]+-)?(\d+)-([0-9a-f]{6})-[^/]*\Z")
_OLD_DIR = re.compile(r"(?:prior-)?[a-z0-9_]{8}\Z")  # tempfile's names before pids


def _is_dead(name: str, mtime: float) -> bool:
    """Whether the process that named a leftover ``name`` (the part after the prefix)
    is gone: its pid on this host no longer runs, or the leftover is old."""
    old = time.time() - mtime > STALE_SECONDS
    m = _OURS.match(name)
    if m is None:
        return old
    if m.group(2) != _host():
        return old
    pid = int(m.group(1))
    if pid == os.getpid() or pid > 1 << 22:
        return old
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # it runs, as another user
        return False
    return False  # it runs (perhaps a reused pid: its leftovers go once it ends)


def clean_temp_dirs(folder: str | None = None) -> int:
    """Delete the ``ankidigest-*`` folders dead runs left in the temp folder; how many."""
    folder = folder or tempfile.gettempdir()
    removed = 0
    try:
        names = [n for n in os.listdir(folder) if n.startswith(_PREFIX)]
    except OSError:
        return 0
    uid = os.getuid()
    for name in names:
        path = os.path.join(folder, name)
        rest = name[len(_PREFIX) :]
        try:
            info = os.lstat(path)
        except OSError:
            continue
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != uid:
            continue
        if not (_OURS.match(rest) or _OLD_DIR.match(rest)):
            continue
        if _is_dead(rest, info.st_mtime):
            shutil.rmtree(path, ignore_errors=True)
            removed += 1
    return removed


def clean_beside(target: str) -> int:
    """Delete the ``.NAME.*.tmp`` files dead runs left beside ``target``; how many."""
    folder = os.path.dirname(os.path.abspath(target))
    head = "." + os.path.basename(target) + "."
    removed = 0
    try:
        names = [n for n in os.listdir(folder) if n.startswith(head) and n.endswith(".tmp")]
    except OSError:
        return 0
    uid = os.getuid()
    for name in names:
        path = os.path.join(folder, name)
        rest = name[len(head) : -len(".tmp")]
        try:
            info = os.lstat(path)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode) or info.st_uid != uid:
            continue
        if _is_dead(rest, info.st_mtime):
            with contextlib.suppress(OSError):
                os.unlink(path)
                removed += 1
    return removed
