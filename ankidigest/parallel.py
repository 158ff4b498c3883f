"""Run per-post jobs on every core: a small process pool with this process working too.

The pool's workers take chunks of jobs from the front of the list and this
process takes jobs from the back, so only the workers' share is pickled and
both cores stay busy until the two ends meet. Outcomes come back in job order.
Errors travel as data (InputError does not survive pickling) and are raised in
file order by the caller.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from .errors import AnkidigestError, InputError

# Below this much markdown, starting worker processes costs more than it saves.
PARALLEL_MIN_BYTES = 512 * 1024
PARALLEL_MIN_FILES = 4

J = TypeVar("J")
O = TypeVar("O")  # noqa: E741
Reply = tuple[str, Any]  # ("ok", bytes) or an error kind and its details


def default_jobs() -> int:
    """One process per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def worth_a_pool(files: Sequence[str], jobs: int | None) -> bool:
    """True when ``files`` are many and big enough for worker processes to pay."""
    jobs = default_jobs() if jobs is None else jobs
    if jobs < 2 or len(files) < PARALLEL_MIN_FILES:
        return False
    size = 0
    for path in files:
        with contextlib.suppress(OSError):
            size += os.path.getsize(path)
    return size >= PARALLEL_MIN_BYTES


def run_both_ends(
    work: list[J],
    here: Callable[[J], O],
    there: Callable[[list[J]], list[Reply]],
    decode: Callable[[Reply], O],
    jobs: int | None,
    tick: Callable[[], None],
) -> list[O]:
    """``here(job)`` in this process from the back, ``there(chunk)`` in workers from
    the front (a picklable top-level function); ``decode`` turns a worker's reply
    into an outcome. Returns the outcomes in job order."""
    from concurrent.futures import Future, ProcessPoolExecutor

    out: list[O | None] = [None] * len(work)
    helpers = max(1, min(default_jobs() if jobs is None else jobs, len(work)) - 1)
    chunk = max(1, min(8, len(work) // (helpers * 16)))
    pending: deque[tuple[int, Future[list[Reply]]]] = deque()
    lo, hi = 0, len(work)
    pool = ProcessPoolExecutor(max_workers=helpers)
    try:
        while lo < hi or pending:
            while lo < hi and len(pending) < 2 * helpers:  # keep every worker fed
                end = min(lo + chunk, hi)
                pending.append((lo, pool.submit(there, work[lo:end])))
                lo = end
            while pending and (pending[0][1].done() or lo >= hi):
                start, future = pending.popleft()
                for offset, reply in enumerate(future.result()):
                    out[start + offset] = decode(reply)
                    tick()
            if lo < hi:
                hi -= 1
                out[hi] = here(work[hi])
                tick()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return [o for o in out if o is not None]


def pool_map(func: Callable[[J], Reply], work: list[J], jobs: int | None) -> list[Reply]:
    """``func`` over ``work`` in worker processes only, in order."""
    from concurrent.futures import ProcessPoolExecutor

    jobs = min(default_jobs() if jobs is None else jobs, len(work))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        chunk = max(1, min(16, len(work) // (jobs * 8)))  # both workers busy to the end
        return list(pool.map(func, work, chunksize=chunk))


def error_reply(error: BaseException) -> Reply:
    """An AnkidigestError as data a worker can send back."""
    if isinstance(error, InputError):
        return "input", (error.path, error.reason, error.line)
    return "other", (type(error), str(error))


def rebuild_error(reply: Reply) -> BaseException:
    kind, value = reply
    if kind == "input":
        path, reason, line = value
        return InputError(path, reason, line)
    cls, message = value
    error: BaseException = cls(message)
    return error


def raise_first(errors: Sequence[BaseException | None]) -> None:
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
