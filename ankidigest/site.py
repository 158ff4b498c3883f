"""``--site DIR``: decks to publish with the blog.

For each post, its own deck ``NAME.apkg`` (an ordinary export of that post alone, with
``DIR/NAME.apkg`` of the last run as its prior state, so a reader's newer download
updates their cards) and ``NAME.html`` (the preview of its cards and a link to the
deck); and ``index.html`` listing them (``write/site.py``). NAME is the post's file
name made safe for a URL.

Atomic: the whole folder is written in a new folder beside DIR and then swapped in
(one ``renameat2(RENAME_EXCHANGE)`` on Linux, else two renames), so DIR is always the
last complete site, never a half-written one; on any error DIR is left as it was. A
folder is replaced only when it is empty or holds ``.ankidigest-site`` (written in
every site), never a folder of the user's.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import tempfile
from collections.abc import Iterable

from ankidigest.api import export, find_posts
from ankidigest.errors import OutputError, UsageError
from ankidigest.identity import post_key
from ankidigest.notes.build import BuildOptions
from ankidigest.sanitize import no_surrogates
from ankidigest.update.clock import export_time
from ankidigest.version import __version__
from ankidigest.write.site import MARKER, SitePost, card_count, file_name, index_page, post_page


def publish_site(
    inputs: Iterable[str],
    folder: str,
    options: BuildOptions | None = None,
    *,
    order: str = "post",
    terms: str = "bold",
    encoding: str | None = None,
    jobs: int | None = None,
    cache_dir: str | None = None,
    now: int | None = None,
    force: bool = False,
) -> list[SitePost]:
    """Write the site of the posts named by ``inputs`` to ``folder``; return its posts.
    The other arguments are ``api.export``'s, for each post's deck."""
    files = find_posts(inputs)
    target = os.path.abspath(folder)
    check_target(target)
    parent = os.path.dirname(target)
    os.makedirs(parent, exist_ok=True)
    stamp = export_time() if now is None else now
    work = tempfile.mkdtemp(prefix=".ankidigest-site-", dir=parent)
    try:
        taken: set[str] = set()
        posts = []
        for path in files:
            name = file_name(post_key(path), taken)
            prior = os.path.join(target, f"{name}.apkg")
            result = export(
                [path],
                os.path.join(work, f"{name}.apkg"),
                options,
                previous=prior if os.path.isfile(prior) else None,
                terms=terms,
                encoding=encoding,
                jobs=jobs,
                cache_dir=cache_dir,
                now=stamp,
                force=force,
                order=order,
            )
            doc = result.documents[0]
            notes = list(result.notes)
            post = SitePost(name, doc.post.title, doc.post.date, len(notes), card_count(notes))
            summary = [f"{result.articles} articles, {result.terms} terms, {post.cards} cards"]
            _write_text(os.path.join(work, f"{name}.html"), post_page(post, notes, summary))
            posts.append(post)
        # Newest post first (by its date; undated ones last), as a blog lists them.
        listed = sorted(posts, key=lambda p: p.date or "", reverse=True)
        _write_text(os.path.join(work, "index.html"), index_page(listed))
        _write_text(os.path.join(work, MARKER), f"written by ankidigest {__version__}\n")
        os.chmod(work, 0o777 & ~_umask())  # mkdtemp made it private
        swap_in(work, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)  # the new folder on error, else the old site
    return posts


def check_target(target: str) -> None:
    """UsageError unless ``target`` is missing, an empty folder, or a site of ours."""
    if not os.path.lexists(target):
        return
    if not os.path.isdir(target) or os.path.islink(target):
        raise UsageError(f"--site {target}: not a folder")
    if os.listdir(target) and not os.path.isfile(os.path.join(target, MARKER)):
        raise UsageError(
            f"--site {target}: the folder holds files not written by --site "
            f"(no {MARKER}); name a new or empty folder"
        )


def swap_in(new: str, target: str) -> None:
    """Put the folder ``new`` at ``target``; what was at ``target`` ends up at ``new``."""
    if not os.path.lexists(target):
        os.rename(new, target)
        os.mkdir(new)  # (for the caller to remove)
        return
    if _exchange(new, target):
        return
    old = new + ".old"
    os.rename(target, old)
    try:
        os.rename(new, target)
    except OSError as exc:
        os.rename(old, target)
        raise OutputError(f"--site {target}: cannot replace it: {exc}") from None
    os.rename(old, new)


def _exchange(first: str, second: str) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    done = renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange)
    return bool(done == 0)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write_text(path: str, text: str) -> None:
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a file name that is not UTF-8
        data = no_surrogates(text).encode("utf-8")
    with open(path, "wb") as fh:
        fh.write(data)
