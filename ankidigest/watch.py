"""--watch: wait for a post to be saved, then say which; the CLI exports again.

``changes(inputs)`` yields, each time posts were saved (created, changed or deleted)
and then nothing else changed for ``QUIET_MS``, the posts concerned. Only posts
count: the markdown files named on the command line, and *.md / *.markdown files
inside the folders named (not in hidden folders), so writing the output, a
preview or an editor's swap file beside a post wakes nothing. A file named on the
command line is watched through its folder, so an editor that saves by writing a
new file and renaming it over the old one is still seen.

Each re-export reads the posts through the cache (``run/cache.py``), so a post that
did not change is taken from it, not parsed again, and an .apkg's unchanged posts are
copied from the previous package. The watcher is watchfiles (inotify on Linux,
FSEvents on macOS, ReadDirectoryChangesW on Windows, polling elsewhere); it raises
KeyboardInterrupt on Ctrl-C.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator

from ankidigest.api import MARKDOWN_SUFFIXES

# Changes are reported once the posts have been quiet this long, so that an editor's
# several writes of one save make one export; and at most every MAX_MS while they
# keep changing.
QUIET_MS = 200
MAX_MS = 1600


class PostFilter:
    """Which changed paths are posts of this command line."""

    def __init__(self, inputs: Iterable[str]) -> None:
        self.files: set[str] = set()
        self.folders: list[str] = []
        for item in inputs:
            path = os.path.abspath(item)
            if os.path.isdir(path):
                self.folders.append(path)
            else:
                self.files.add(path)

    def roots(self) -> list[str]:
        """The folders to watch: each named folder, and the folder of each named file."""
        roots = set(self.folders) | {os.path.dirname(f) for f in self.files}
        return sorted(r for r in roots if os.path.isdir(r))

    def __call__(self, change: object, path: str) -> bool:
        path = os.path.abspath(path)
        if path in self.files:
            return True
        if not path.lower().endswith(MARKDOWN_SUFFIXES):
            return False
        for folder in self.folders:
            inside = os.path.relpath(path, folder)
            if inside.startswith(os.pardir):
                continue
            if not any(part.startswith(".") for part in inside.split(os.sep)):
                return True
        return False


def changes(inputs: Iterable[str]) -> Iterator[list[str]]:
    """The posts saved since the last time, sorted, each time some are (forever)."""
    import watchfiles

    posts = PostFilter(inputs)
    roots = posts.roots()
    if not roots:
        return
    for batch in watchfiles.watch(
        *roots,
        watch_filter=posts,
        debounce=MAX_MS,
        step=QUIET_MS,
        recursive=bool(posts.folders),
        raise_interrupt=True,
    ):
        yield sorted({path for _, path in batch})
