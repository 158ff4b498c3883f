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

import contextlib
import dataclasses
import gc
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from .build import DEFAULT_PARENT_DECK, BuildOptions, build_notes, check_unique
from .cache import PostCache, entry_key, pack, unpack
from .errors import AnkidigestError, InputError
from .model import Document, NoteSpec
from .normalize import article_scope

# Below this much markdown, starting worker processes costs more than it saves.
PARALLEL_MIN_BYTES = 512 * 1024
PARALLEL_MIN_FILES = 4

Progress = Callable[[str, int, int], None]
# What one post gives: its Document, its notes built alone and its occurrence scopes.
Result = tuple[Document, list[NoteSpec], frozenset[str]]


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def standalone_options(options: BuildOptions, several: bool) -> BuildOptions:
    """Options that give one post, built alone, the deck it gets among ``several``."""
    if several and not options.deck:
        return dataclasses.replace(options, deck=f"{DEFAULT_PARENT_DECK}::{{title}}")
    return options


def read_and_build(
    files: Sequence[str],
    options: BuildOptions,
    *,
    jobs: int | None = None,
    cache: PostCache | None = None,
    progress: Progress | None = None,
) -> tuple[list[Document], list[NoteSpec]]:
    """Walk and build ``files``: the same Documents and notes as reading them one by
    one and calling ``build_notes`` on them all."""
    alone = standalone_options(options, len(files) > 1)
    settings: tuple[str, ...] = (repr(alone),)
    results: list[Result | None] = [None] * len(files)
    errors: list[BaseException | None] = [None] * len(files)
    todo: list[int] = []
    done = 0
    with paused_gc():
        for i, path in enumerate(files):
            hit = _lookup(cache, path, settings)
            if hit is None:
                todo.append(i)
            else:
                results[i] = hit
                done += 1
        if progress:
            progress("read", done, len(files))
        work: list[Job] = [
            (files[i], alone, settings, cache.folder if cache else None) for i in todo
        ]

        def tick() -> None:
            nonlocal done
            done += 1
            if progress:
                progress("read", done, len(files))

        for i, (result, error) in zip(todo, _run(work, jobs, tick), strict=True):
            results[i] = result
            errors[i] = error
        _raise_first(errors)
        found = [r for r in results if r is not None]
        documents = [doc for doc, _, _ in found]
        seen: set[str] = set()
        shared = False
        for _, _, scopes in found:
            shared = shared or not seen.isdisjoint(scopes)
            seen |= scopes
        if shared:
            notes = build_notes(documents, options)
        else:
            notes = [note for _, built, _ in found for note in built]
            check_unique(notes)
    return documents, notes


def _lookup(cache: PostCache | None, path: str, settings: tuple[str, ...]) -> Result | None:
    if cache is None:
        return None
    from .walker import read_text

    try:
        text = read_text(path)
        mtime = _mtime(path)
    except AnkidigestError:
        return None  # the walk reports it, in file order
    hit = cache.load(entry_key(text, path, mtime, settings))
    return hit if _is_result(hit) else None


def _is_result(value: Any) -> bool:
    return (
        isinstance(value, tuple)
        and len(value) == 3
        and isinstance(value[0], Document)
        and isinstance(value[1], list)
        and isinstance(value[2], frozenset)
    )


def _mtime(path: str) -> int:
    try:
        return int(os.stat(path).st_mtime)
    except OSError:
        return 0


Job = tuple[str, BuildOptions, tuple[str, ...], "str | None"]
Outcome = tuple[Result | None, BaseException | None]


def _run(work: list[Job], jobs: int | None, tick: Callable[[], None]) -> list[Outcome]:
    """Walk and build each job; the outcomes in job order.

    With a pool, this process works too: the workers take chunks from the front
    of the list and we take posts from the back, so only the workers' share is
    pickled and both cores stay busy until the two ends meet.
    """
    out: list[Outcome | None] = [None] * len(work)
    if not _worth_a_pool([path for path, *_ in work], jobs):
        for i, job in enumerate(work):
            out[i] = _walk_build(job)[0]
            tick()
        return [o for o in out if o is not None]
    from concurrent.futures import Future, ProcessPoolExecutor

    helpers = max(1, min(default_jobs() if jobs is None else jobs, len(work)) - 1)
    chunk = max(1, min(8, len(work) // (helpers * 16)))
    pending: deque[tuple[int, Future[list[tuple[str, Any]]]]] = deque()
    lo, hi = 0, len(work)
    pool = ProcessPoolExecutor(max_workers=helpers)
    try:
        while lo < hi or pending:
            while lo < hi and len(pending) < 2 * helpers:  # keep every worker fed
                end = min(lo + chunk, hi)
                pending.append((lo, pool.submit(_in_worker, work[lo:end])))
                lo = end
            while pending and (pending[0][1].done() or lo >= hi):
                start, future = pending.popleft()
                for offset, (kind, value) in enumerate(future.result()):
                    out[start + offset] = _decode(kind, value)
                    tick()
            if lo < hi:
                hi -= 1
                out[hi] = _walk_build(work[hi])[0]
                tick()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return [o for o in out if o is not None]


def _decode(kind: str, value: Any) -> Outcome:
    if kind == "ok":
        result: Result = unpack(value)
        return result, None
    return None, _rebuild_error(kind, value)


def read_many(files: Sequence[str], jobs: int | None = None) -> list[Document]:
    """Walk ``files`` into Documents, in order, in worker processes when it pays."""
    from .walker import read_post

    with paused_gc():
        if not _worth_a_pool(files, jobs):
            return [read_post(path) for path in files]
        replies = list(_pool_map(_walk_in_worker, list(files), jobs))
    errors = [None if kind == "ok" else _rebuild_error(kind, value) for kind, value in replies]
    _raise_first(errors)
    with paused_gc():
        return [unpack(value) for _, value in replies]


def _worth_a_pool(files: Sequence[str], jobs: int | None) -> bool:
    jobs = default_jobs() if jobs is None else jobs
    if jobs < 2 or len(files) < PARALLEL_MIN_FILES:
        return False
    size = 0
    for path in files:
        with contextlib.suppress(OSError):
            size += os.path.getsize(path)
    return size >= PARALLEL_MIN_BYTES


def _pool_map(func: Callable[[Any], Any], work: list[Any], jobs: int | None) -> Iterator[Any]:
    from concurrent.futures import ProcessPoolExecutor

    jobs = min(default_jobs() if jobs is None else jobs, len(work))
    pool = ProcessPoolExecutor(max_workers=jobs)
    try:
        # Chunks small enough that both workers stay busy to the end.
        yield from pool.map(func, work, chunksize=max(1, min(16, len(work) // (jobs * 8))))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _walk_build(job: Job) -> tuple[Outcome, bytes | None]:
    """Walk and build one post; store it in the cache when there is one."""
    path, options, settings, folder = job
    from .walker import read_text, walk

    try:
        text = read_text(path)
        mtime = _mtime(path)
        doc = walk(text, path, mtime)
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
    result = (doc, notes, frozenset(memo.values()))
    blob = None
    if folder is not None:
        key = entry_key(text, path, mtime, settings)
        blob = pack(key, result)
        PostCache(folder).store(key, blob)
    return (result, None), blob


def _in_worker(jobs: list[Job]) -> list[tuple[str, Any]]:
    """In a worker process: per job ('ok', entry bytes) or (error kind, details)."""
    replies = []
    with paused_gc():
        for job in jobs:
            (result, error), blob = _walk_build(job)
            if error is not None:
                replies.append(_error_reply(error))
            else:
                replies.append(("ok", blob if blob is not None else pack("", result)))
    return replies


def _walk_in_worker(path: str) -> tuple[str, Any]:
    from .walker import read_post

    with paused_gc():
        try:
            return "ok", pack("", read_post(path))
        except AnkidigestError as exc:
            return _error_reply(exc)


def _error_reply(error: BaseException) -> tuple[str, Any]:
    # InputError does not survive pickling (its __init__ takes three arguments).
    if isinstance(error, InputError):
        return "input", (error.path, error.reason, error.line)
    return "other", (type(error), str(error))


def _rebuild_error(kind: str, value: Any) -> BaseException:
    if kind == "input":
        path, reason, line = value
        return InputError(path, reason, line)
    cls, message = value
    error: BaseException = cls(message)
    return error


def _raise_first(errors: Sequence[BaseException | None]) -> None:
    """Reading errors first, then build errors, each in file order (as the serial path)."""
    for wanted in (InputError, AnkidigestError):
        for error in errors:
            if isinstance(error, wanted):
                raise error


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while we make a few hundred thousand acyclic objects.

    The collector would otherwise walk them over and over (unpickling 100,000
    notes takes 5x longer with it on); reference counting frees them anyway.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            # Hand what we made to the oldest generation, so that turning the
            # collector back on does not make it walk them all at once.
            gc.freeze()
            gc.unfreeze()
            gc.enable()
