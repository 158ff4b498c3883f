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
``~/.cache/ankidigest``, created private to the user (mode 0700, made so again when
found otherwise). An entry is two pickles, its key's (after its length) and its
value's, so the key is checked without reading the value (``key_of``).

Entries are data, never code: they are loaded by an unpickler that refuses every
class (``_Unpickler``; a post's Document, pickled apart, may name the frozen records
of ``model.py`` and nothing else), so a file planted in the folder cannot run
anything. Only regular files owned by the user, in folders of the user that nobody
else can write, are read (a FIFO cannot hang a run); anything else is a miss. An
entry that fails to load (truncated, foreign) is deleted and treated as a miss.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import pickle
import stat
import sys
import tempfile
import time
from collections.abc import Sequence
from typing import Any

from ankidigest import model
from ankidigest.limits import open_regular

MAX_AGE_DAYS = 60
MAX_ENTRY_BYTES = 1 << 30
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
        self.usable = True  # False once a write failed: give up writing
        self._trusted: bool | None = None  # see _private

    def _private(self) -> bool:
        """Whether the folder may be used: it is the user's own (then made private to
        them, mode 0700, if it was not) or does not exist yet."""
        if self._trusted is None:
            try:
                info = os.lstat(self.folder)
            except FileNotFoundError:
                return True  # store() creates it, private
            except OSError:
                info = None
            if info is None or not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid():
                self._trusted = False
            elif info.st_mode & 0o077:
                try:
                    os.chmod(self.folder, 0o700)
                    self._trusted = True
                except OSError:
                    self._trusted = False
            else:
                self._trusted = True
        return self._trusted

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
        if not self._private() or not _owned_dir(os.path.dirname(path)):
            return None
        try:
            with open_regular(path, follow=False, uid=os.geteuid()) as fh:
                data = fh.read(MAX_ENTRY_BYTES + 1)
        except OSError:
            return None
        if len(data) > MAX_ENTRY_BYTES:
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
        if not self.usable or not self._private():
            return
        path = self._path(key)
        try:
            os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
            if not _owned_dir(os.path.dirname(path)):
                return
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
        if not self._private():
            return
        try:
            os.makedirs(self.folder, mode=0o700, exist_ok=True)
            # Not open(stamp, "w"): a FIFO put there would block it.
            with contextlib.suppress(FileNotFoundError):
                os.unlink(stamp)
            os.close(os.open(stamp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except OSError:
            return
        self.prune()

    @staticmethod
    def _forget(path: str) -> None:
        with contextlib.suppress(OSError):
            os.unlink(path)


def _owned_dir(folder: str) -> bool:
    """A folder of the user's own that no one else can write (so no one else put or
    swapped an entry in it)."""
    try:
        info = os.lstat(folder)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.geteuid() and not info.st_mode & 0o022


class _Unpickler(pickle.Unpickler):
    """Loads plain data only: bytes, numbers, strings, tuples, lists, frozensets, dicts,
    and with ``records`` the frozen classes of ``model.py``. Every other class, function
    or module a pickle names is refused, so loading runs no code of the file's choosing
    (the REDUCE of a refused callable never happens: finding it fails first)."""

    records = False

    def find_class(self, module: str, name: str) -> Any:
        if self.records and module == "ankidigest.model" and name in _RECORDS:
            return _RECORDS[name]
        raise pickle.UnpicklingError(f"a cache entry may not name {module}.{name}")


class _RecordUnpickler(_Unpickler):
    records = True


_RECORDS: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        model.Post,
        model.Article,
        model.Paragraph,
        model.Term,
        model.Sentence,
        model.Skip,
        model.Document,
    )
}


def load_data(blob: bytes, start: int = 0) -> Any:
    """Plain data pickled in ``blob`` from ``start``; pickle.UnpicklingError (or another
    error) when it names any class."""
    stream = io.BytesIO(blob)  # shares the bytes' buffer, no copy
    stream.seek(start)
    return _Unpickler(stream).load()


def load_document(blob: bytes, start: int = 0) -> model.Document:
    """The Document pickled in ``blob`` from ``start`` (as ``posts.to_entry`` pickles
    it); an error when it is anything else or names any class but the model's records."""
    stream = io.BytesIO(blob)
    stream.seek(start)
    doc = _RecordUnpickler(stream).load()
    if not isinstance(doc, model.Document):
        raise pickle.UnpicklingError("not a Document")
    return doc


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
    return load_data(blob[: 4 + size], 4)


def unpack_document(blob: bytes) -> model.Document:
    """The Document ``pack`` put in ``blob`` (a worker's reply in ``read_many``)."""
    return load_document(blob, 4 + int.from_bytes(blob[:4], "big"))


def unpack(blob: bytes) -> Any:
    """The value ``pack`` put in ``blob``."""
    return load_data(blob, 4 + int.from_bytes(blob[:4], "big"))
