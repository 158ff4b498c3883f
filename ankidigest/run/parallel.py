"""Run per-post jobs on every core: helper processes with this process working too.

The helpers take jobs one by one from the front of the list and this process
takes them from the back, so both cores stay busy until the two ends meet.
Outcomes come back in job order.
Errors travel as data (InputError does not survive pickling) and are raised in
file order by the caller.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from ankidigest.errors import AnkidigestError, InputError

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
    there: Callable[[J], Reply],
    decode: Callable[[Reply], O],
    jobs: int | None,
    tick: Callable[[], None],
) -> list[O]:
    """``here(job)`` in this process from the back, ``there(job)`` in helper processes
    from the front (a picklable top-level function); ``decode`` turns a helper's reply
    into an outcome. Returns the outcomes in job order.

    The two ends are two numbers in shared memory, so each process takes one job at a
    time and neither waits for the other until the last job: nothing is queued ahead
    (a queued chunk left the parent idle at the end). A helper writes each reply's bytes
    to a file of its own and sends only the job's number down a pipe: sent through the
    pipe, a reply of a few hundred kB would stall the helper while this busy process
    read it 64 kB at a time. Jobs a helper took but never answered (it died) are done
    here at the end.
    """
    import multiprocessing
    import shutil
    from multiprocessing.connection import wait

    from ankidigest.write.scratch import temp_dir

    helpers = max(1, min(default_jobs() if jobs is None else jobs, len(work)) - 1)
    ctx = multiprocessing.get_context()
    lock = ctx.Lock()
    ends = ctx.RawArray("q", [0, len(work)])  # the next job from the front; the last taken
    try:
        spool: str | None = temp_dir()
    except OSError:
        spool = None  # the replies all go down the pipes: slower, still right
    out: list[O | None] = [None] * len(work)
    answered = [False] * len(work)
    readers: list[Any] = []
    procs = []
    finished = False

    def receive(reader: Any) -> None:
        try:
            index, kind, value, spooled = reader.recv()
        except EOFError:  # that helper is done (or dead)
            readers.remove(reader)
            reader.close()
            return
        if spooled:
            assert spool is not None
            try:
                value = _take(os.path.join(spool, str(index)))
            except OSError:
                return  # unanswered: done here at the end
        out[index] = decode((kind, value))
        answered[index] = True
        tick()

    try:
        for _ in range(helpers):
            reader, writer = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_helper, args=(work, there, ends, lock, writer, spool))
            proc.daemon = True
            proc.start()
            writer.close()  # so that the helper's end closing is our end of file
            readers.append(reader)
            procs.append(proc)
        while True:
            for ready in wait(readers, timeout=0):
                receive(ready)
            with lock:
                if ends[0] >= ends[1]:
                    break
                ends[1] -= 1
                index = ends[1]
            out[index] = here(work[index])
            answered[index] = True
            tick()
        while readers:
            for ready in wait(readers):
                receive(ready)
        finished = True
        for index, job in enumerate(work):
            if not answered[index]:
                out[index] = here(job)
                tick()
    finally:
        for reader in readers:
            reader.close()
        for proc in procs:
            if not finished:  # an error or Ctrl-C here: stop the helpers' work
                proc.terminate()
            proc.join()
        if spool is not None:
            shutil.rmtree(spool, ignore_errors=True)
    return [o for o in out if o is not None]


# Replies smaller than this go down the pipe with the job's number.
_SPOOL_MIN_BYTES = 16 * 1024


def _helper(
    work: list[J], there: Callable[[J], Reply], ends: Any, lock: Any, conn: Any, spool: str | None
) -> None:
    """A helper process: take jobs from the front until the ends meet (see run_both_ends)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's terminate() ends us
    with paused_gc():
        while True:
            with lock:
                index = ends[0]
                if index >= ends[1]:
                    break
                ends[0] = index + 1
            try:
                kind, value = there(work[index])
            except Exception:
                # A bug, not an input error (those are replies): stop, and the parent,
                # finding this job unanswered, does it again and raises it with its traceback.
                break
            spooled = (
                spool is not None
                and isinstance(value, bytes)
                and len(value) >= _SPOOL_MIN_BYTES
                and _spool(os.path.join(spool, str(index)), value)
            )
            conn.send((index, kind, None if spooled else value, spooled))
    conn.close()


def _spool(path: str, data: bytes) -> bool:
    """Write a reply to ``path``; False if we cannot (it goes down the pipe then)."""
    try:
        with open(path, "wb") as fh:
            fh.write(data)
    except OSError:
        return False
    return True


def _take(path: str) -> bytes:
    """The bytes of a spooled reply; the file goes."""
    with open(path, "rb") as fh:
        data = fh.read()
    os.unlink(path)
    return data


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
