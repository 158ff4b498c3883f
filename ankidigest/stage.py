"""Read and build many posts fast: a cache of unchanged posts, and both cores for the rest.

Each post is walked and built on its own (``build_notes([doc])``), in a worker
process when there is enough to do, and the results come back in the order of
the files. That equals building all the posts together unless two posts share
an occurrence scope (an article URL in both, say): then the numbering of a
repeated term runs on from one post into the next, and we build all the posts
together again from their Documents, as ``build_notes`` alone would. A test
checks that the packages are byte-identical either way.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Sequence
from typing import Any

from .build import DEFAULT_PARENT_DECK, BuildOptions, build_notes, check_unique
from .cache import PostCache, entry_key, pack, unpack
from .errors import AnkidigestError, InputError
from .model import Document, NoteSpec
from .normalize import article_scope
from .parallel import (
    Reply,
    error_reply,
    paused_gc,
    pool_map,
    raise_first,
    rebuild_error,
    run_both_ends,
    worth_a_pool,
)
from .sanitize import fields_safe

Progress = Callable[[str, int, int], None]
# What one post gives: its Document, its notes built alone, its occurrence scopes and
# whether every field of its notes passed the markup check (sanitize.fields_safe).
Result = tuple[Document, list[NoteSpec], frozenset[str], bool]
# id -> fields tuple of the notes that passed it (the tuple is held, so its id is not reused)
Checked = dict[int, tuple[str, ...]]


def standalone_options(options: BuildOptions, several: bool) -> BuildOptions:
    """Options that give one post, built alone, the deck it gets among ``several``."""
    if several and not options.deck:
        return dataclasses.replace(options, deck=f"{DEFAULT_PARENT_DECK}::{{title}}")
    return options


def read_and_build(
    files: Sequence[str],
    options: BuildOptions,
    *,
    terms: str = "bold",
    encoding: str | None = None,
    jobs: int | None = None,
    cache: PostCache | None = None,
    progress: Progress | None = None,
) -> tuple[list[Document], list[NoteSpec], Checked]:
    """Walk and build ``files``: the same Documents and notes as reading them one by
    one and calling ``build_notes`` on them all, and the fields already checked."""
    alone = standalone_options(options, len(files) > 1)
    settings: tuple[str, ...] = (repr(alone), terms, repr(encoding))
    results: list[Result | None] = [None] * len(files)
    errors: list[BaseException | None] = [None] * len(files)
    todo: list[int] = []
    done = 0
    with paused_gc():
        for i, path in enumerate(files):
            hit = _lookup(cache, path, encoding, settings)
            if hit is None:
                todo.append(i)
            else:
                results[i] = hit
                done += 1
        if progress:
            progress("read", done, len(files))
        work: list[Job] = [
            (files[i], terms, encoding, alone, settings, cache.folder if cache else None)
            for i in todo
        ]

        def tick() -> None:
            nonlocal done
            done += 1
            if progress:
                progress("read", done, len(files))

        for i, (result, error) in zip(todo, _run(work, jobs, tick), strict=True):
            results[i] = result
            errors[i] = error
        raise_first(errors)
        found = [r for r in results if r is not None]
        documents = [doc for doc, _, _, _ in found]
        seen: set[str] = set()
        shared = False
        for _, _, scopes, _ in found:
            shared = shared or not seen.isdisjoint(scopes)
            seen |= scopes
        checked: Checked = {}
        if shared:
            notes = build_notes(documents, options)
        else:
            notes = [note for _, built, _, _ in found for note in built]
            check_unique(notes)
            for _, built, _, safe in found:
                if safe:
                    checked.update((id(note.fields), note.fields) for note in built)
    return documents, notes, checked


def _lookup(
    cache: PostCache | None, path: str, encoding: str | None, settings: tuple[str, ...]
) -> Result | None:
    if cache is None:
        return None
    from .reader import read_text

    try:
        text = read_text(path, encoding)
        mtime = _mtime(path)
    except AnkidigestError:
        return None  # the walk reports it, in file order
    hit = cache.load(entry_key(text, path, mtime, settings))
    return hit if _is_result(hit) else None


def _is_result(value: Any) -> bool:
    return (
        isinstance(value, tuple)
        and len(value) == 4
        and isinstance(value[0], Document)
        and isinstance(value[1], list)
        and isinstance(value[2], frozenset)
        and isinstance(value[3], bool)
    )


def _mtime(path: str) -> int:
    try:
        return int(os.stat(path).st_mtime)
    except OSError:
        return 0


# (path, terms, encoding, build options, cache key settings, cache folder)
Job = tuple[str, str, "str | None", BuildOptions, tuple[str, ...], "str | None"]
Outcome = tuple[Result | None, BaseException | None]


def _run(work: list[Job], jobs: int | None, tick: Callable[[], None]) -> list[Outcome]:
    """Walk and build each job; the outcomes in job order (see ``parallel.py``)."""
    if worth_a_pool([path for path, *_ in work], jobs):
        return run_both_ends(work, _here, _in_worker, _decode, jobs, tick)
    out = []
    for job in work:
        out.append(_here(job))
        tick()
    return out


def _here(job: Job) -> Outcome:
    return _walk_build(job)[0]


def _decode(reply: Reply) -> Outcome:
    if reply[0] == "ok":
        result: Result = unpack(reply[1])
        return result, None
    return None, rebuild_error(reply)


def read_many(
    files: Sequence[str], jobs: int | None = None, terms: str = "bold", encoding: str | None = None
) -> list[Document]:
    """Walk ``files`` into Documents, in order, in worker processes when it pays."""
    from .walker import read_post

    with paused_gc():
        if not worth_a_pool(files, jobs):
            return [read_post(path, terms, encoding) for path in files]
        replies = pool_map(_walk_in_worker, [(path, terms, encoding) for path in files], jobs)
        raise_first([None if r[0] == "ok" else rebuild_error(r) for r in replies])
        return [unpack(value) for _, value in replies]


def _walk_build(job: Job) -> tuple[Outcome, bytes | None]:
    """Walk and build one post; store it in the cache when there is one."""
    path, terms, encoding, options, settings, folder = job
    from .reader import read_text
    from .walker import walk

    try:
        text = read_text(path, encoding)
        mtime = _mtime(path)
        doc = walk(text, path, mtime, terms)
    except InputError as exc:
        return (None, exc), None
    try:
        notes = build_notes([doc], options)
    except AnkidigestError as exc:
        return (None, exc), None
    memo: dict[tuple[Any, ...], str] = {}
    for s in doc.sentences:
        where = (s.article, s.section)
        if where not in memo:
            memo[where] = article_scope(s.article, path, s.section)
    safe = all(fields_safe(note.fields) for note in notes)
    result = (doc, notes, frozenset(memo.values()), safe)
    blob = None
    if folder is not None:
        key = entry_key(text, path, mtime, settings)
        blob = pack(key, result)
        PostCache(folder).store(key, blob)
    return (result, None), blob


def _in_worker(jobs: list[Job]) -> list[Reply]:
    """In a worker process: per job ('ok', entry bytes) or an error reply."""
    replies = []
    with paused_gc():
        for job in jobs:
            (result, error), blob = _walk_build(job)
            if error is not None:
                replies.append(error_reply(error))
            else:
                replies.append(("ok", blob if blob is not None else pack("", result)))
    return replies


def _walk_in_worker(job: tuple[str, str, str | None]) -> Reply:
    from .walker import read_post

    path, terms, encoding = job
    with paused_gc():
        try:
            return "ok", pack("", read_post(path, terms, encoding))
        except AnkidigestError as exc:
            return error_reply(exc)
