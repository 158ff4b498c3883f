"""A cache of walked and built posts, so a re-export only re-reads what changed.

One file per post and set of options. Its name is a SHA-256 over everything the
cached result depends on: the post's text, its path and modification time (the
notes' ``mod``), the build options, whether several posts are exported together
(the deck name), and the code that made it: the ankidigest version plus a hash of
the package's own source files, the mistune version and the Python version (its
Unicode tables). Any change to any of these gives a new name, so an entry can
never be served for a post it was not made from; nothing is ever invalidated in
place. Entries not used for ``MAX_AGE_DAYS`` are deleted. The same folder holds
the ledgers of the packages written (``reuse.py``), named by their collection's hash.

Where: ``$ANKIDIGEST_CACHE_DIR``, else ``$XDG_CACHE_HOME/ankidigest``, else
``~/.cache/ankidigest``, created private to the user (mode 0700). An entry is two
pickles, its key's (after its length) and its value's, so the key is checked without
reading the value (``key_of``): the folder is the user's own, like their shell
start-up files, and an entry that fails to load is deleted and treated as a miss.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
import tempfile
import time
from collections.abc import Sequence
from typing import Any

MAX_AGE_DAYS = 60
_SUFFIX = ".pickle"
_code_digest: str | None = None


def default_dir() -> str:
    """Where the cache lives unless the caller names a folder."""
    explicit = os.environ.get("ANKIDIGEST_CACHE_DIR")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "ankidigest")


def code_digest() -> str:
    """A hash of the code that walks and builds: a new release or any edit changes it."""
    global _code_digest
    if _code_digest is None:
        import mistune

        from ankidigest.version import __version__

        sha = hashlib.sha256()
        sha.update(f"{__version__}|{mistune.__version__}|{sys.version}".encode())
        package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        for folder, dirs, names in os.walk(package):
            dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__")))
            for name in sorted(names):
                if name.endswith(".py"):
                    path = os.path.join(folder, name)
                    sha.update(os.path.relpath(path, package).encode())
                    with open(path, "rb") as fh:
                        sha.update(fh.read())
        _code_digest = sha.hexdigest()
    return _code_digest


def entry_key(text: str, path: str, mtime: int, settings: Sequence[object]) -> str:
    """The name of a post's entry: everything its walked and built result depends on."""
    sha = hashlib.sha256(code_digest().encode())
    sha.update(repr((path, mtime, tuple(settings))).encode("utf-8", "surrogatepass"))
    sha.update(b"\0")
    sha.update(text.encode("utf-8", "surrogatepass"))
    return sha.hexdigest()


class PostCache:
    """A folder of cache entries; every failure to read or write it is a miss, never an error."""

    def __init__(self, folder: str | None = None) -> None:
        self.folder = folder or default_dir()
        self.usable = True

    def _path(self, key: str) -> str:
        return os.path.join(self.folder, key[:2], key + _SUFFIX)

    def load(self, key: str) -> Any | None:
        """The entry stored under ``key``, or None."""
        blob = self.read(key)
        if blob is None:
            return None
        try:
            return unpack(blob)
        except Exception:  # a truncated file: drop it
            self._forget(self._path(key))
            return None

    def read(self, key: str) -> bytes | None:
        """The bytes of the entry stored under ``key`` (as ``pack`` made them, its key
        checked), or None."""
        path = self._path(key)
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError:
            return None
        try:
            stored_key = key_of(data)
        except Exception:  # a truncated or foreign file: drop it
            self._forget(path)
            return None
        if stored_key != key:
            self._forget(path)
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: keep it
        return data

    def store(self, key: str, blob: bytes) -> None:
        """Store ``blob`` (from ``pack``) atomically; give up quietly if we cannot."""
        if not self.usable:
            return
        path = self._path(key)
        try:
            os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(blob)
                os.replace(tmp, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError:
            self.usable = False

    def prune(self, max_age_days: float = MAX_AGE_DAYS) -> int:
        """Delete entries not used for ``max_age_days``; return how many."""
        limit = time.time() - max_age_days * 86400
        removed = 0
        try:
            subdirs = os.listdir(self.folder)
        except OSError:
            return 0
        for sub in subdirs:
            folder = os.path.join(self.folder, sub)
            try:
                names = os.listdir(folder)
            except OSError:
                continue
            for name in names:
                path = os.path.join(folder, name)
                try:
                    if os.stat(path).st_mtime < limit:
                        os.unlink(path)
                        removed += 1
                except OSError:
                    continue
        return removed

    def prune_daily(self) -> None:
        """``prune()`` at most once a day (a stamp file records the last time)."""
        stamp = os.path.join(self.folder, "last-pruned")
        try:
            if time.time() - os.stat(stamp).st_mtime < 86400:
                return
        except OSError:
            pass
        try:
            os.makedirs(self.folder, mode=0o700, exist_ok=True)
            with open(stamp, "w"):
                pass
        except OSError:
            return
        self.prune()

    @staticmethod
    def _forget(path: str) -> None:
        with contextlib.suppress(OSError):
            os.unlink(path)


def pack(key: str, value: object) -> bytes:
    """The bytes of an entry: stored as is, and also what a worker sends back. The key's
    pickle, its length first (4 bytes), then the value's: ``key_of`` reads the key alone."""
    head = pickle.dumps(key, pickle.HIGHEST_PROTOCOL)
    return len(head).to_bytes(4, "big") + head + pickle.dumps(value, pickle.HIGHEST_PROTOCOL)


def key_of(blob: bytes) -> Any:
    """The key ``pack`` put first in ``blob``, without reading the value."""
    size = int.from_bytes(blob[:4], "big")
    if len(blob) < 4 + size:
        raise ValueError("not an entry")
    return pickle.loads(blob[4 : 4 + size])


def unpack(blob: bytes) -> Any:
    """The value ``pack`` put in ``blob``."""
    return pickle.loads(memoryview(blob)[4 + int.from_bytes(blob[:4], "big") :])
