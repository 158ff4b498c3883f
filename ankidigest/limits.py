"""Size and complexity bounds, so that no input can make a run slow or a card huge.

Two kinds of bound live here:

- ``EmphasisBudget`` estimates, in one linear pass, how much work mistune's
  emphasis matcher would do on a block's inline text. That matcher is quadratic
  in the nesting of ``*``/``_`` runs (``*a **a *a ... a* a** a*``): 14 KB of it
  takes about a second, 140 KB two minutes. A block over budget is not parsed
  for emphasis; the walker reports it as a skip.
- ``bound`` drops terms and sentences too long to be a card (a bold run over a
  whole chapter, a 2 MB line with no sentence end) and reports each as a skip.

And ``open_regular``: files other than posts (a previous package, a cache entry) are
opened only when they are regular files, so a FIFO put in their place cannot hang a
run, nor a device feed it without end.
"""

from __future__ import annotations

import dataclasses
import os
import re
import stat
import unicodedata
from typing import BinaryIO

from ankidigest.model import Document, Sentence, Skip

MAX_TERM_CHARS = 300
MAX_SENTENCE_CHARS = 3000
MAX_CONTEXT_CHARS = 6000
# Work units are (delimiter runs between a matched opener and its closer); about
# 0.7 microseconds each in mistune 3.4.
MAX_BLOCK_EMPHASIS_WORK = 20_000
MAX_DOCUMENT_EMPHASIS_WORK = 1_000_000
SMALL_BLOCK_EMPHASIS_WORK = 200

# A previous package's collection: ours hold about 400 bytes a note.
MAX_PRIOR_COLLECTION_BYTES = 1 << 30


class NotRegularFile(OSError):
    """A path names a folder, FIFO, device or socket where a regular file was expected."""


def open_regular(path: str, *, follow: bool = True, uid: int | None = None) -> BinaryIO:
    """``path`` opened for reading, only if it is a regular file (and, with ``uid``,
    owned by that user). Opened without blocking, so a FIFO cannot hang it; not
    through a symbolic link unless ``follow``. Raises NotRegularFile, or OSError."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
    if not follow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(21, "is a folder", path)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(0, "not a regular file (a device, pipe or socket?)", path)
        if uid is not None and info.st_uid != uid:
            raise NotRegularFile(0, "owned by another user", path)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


TOO_NESTED = "emphasis (* or _) nested too deeply to parse safely"
_RUN = re.compile(r"[*_]+")


def emphasis_work(text: str) -> int:
    """Estimate mistune's emphasis work for ``text`` (linear time, never raises).

    Simulates CommonMark delimiter runs with one stack per marker and sums, over
    each opener/closer pair, the number of runs between them.
    """
    stacks: dict[str, list[int]] = {"*": [], "_": []}
    work = 0
    index = 0
    n = len(text)
    for m in _RUN.finditer(text):
        start, end = m.start(), m.end()
        if start and text[start - 1] == "\\":
            start += 1
            if start == end:
                continue
        before = text[start - 1] if start else " "
        after = text[end] if end < n else " "
        left = not after.isspace() and (not _punct(after) or before.isspace() or _punct(before))
        right = not before.isspace() and (not _punct(before) or after.isspace() or _punct(after))
        stack = stacks[text[start]]
        if right and stack:
            work += index - stack.pop() - 1
        elif left:
            stack.append(index)
        index += 1
    return work


def _punct(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PS"


class EmphasisBudget:
    """Decides, block by block, whether emphasis parsing is affordable in one document."""

    def __init__(self) -> None:
        self.spent = 0

    def allows(self, text: str) -> bool:
        work = emphasis_work(text)
        if work > MAX_BLOCK_EMPHASIS_WORK:
            return False
        if self.spent + work > MAX_DOCUMENT_EMPHASIS_WORK and work > SMALL_BLOCK_EMPHASIS_WORK:
            return False
        self.spent += work
        return True


def bound(doc: Document) -> Document:
    """Drop terms and sentences too long for a card, recording each as a skip."""
    kept: list[Sentence] = []
    skips: list[Skip] = list(doc.skips)
    changed = False
    path = doc.post.path
    for sentence in doc.sentences:
        if len(sentence.text) > MAX_SENTENCE_CHARS:
            reason = (
                f"its sentence is longer than {MAX_SENTENCE_CHARS} characters "
                "(a missing full stop?)"
            )
            skips.extend(Skip(path, t.line, _clip(t.text), reason) for t in sentence.terms)
            changed = True
            continue
        terms = tuple(t for t in sentence.terms if len(t.text) <= MAX_TERM_CHARS)
        if len(terms) != len(sentence.terms):
            reason = f"bold longer than {MAX_TERM_CHARS} characters"
            skips.extend(
                Skip(path, t.line, _clip(t.text), reason)
                for t in sentence.terms
                if len(t.text) > MAX_TERM_CHARS
            )
            changed = True
            if not terms:
                continue
            sentence = dataclasses.replace(sentence, terms=terms, line=terms[0].line)
        kept.append(sentence)
    if not changed:
        return doc
    return dataclasses.replace(doc, sentences=tuple(kept), skips=tuple(skips))


def _clip(text: str, size: int = 60) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"
