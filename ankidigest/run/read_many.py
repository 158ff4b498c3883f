"""``read_posts()``: many posts walked into Documents (no notes), on every core when it pays."""

from __future__ import annotations

from collections.abc import Sequence

from ankidigest.errors import AnkidigestError
from ankidigest.model import Document
from ankidigest.run.cache import pack, unpack_document
from ankidigest.run.parallel import (
    Reply,
    error_reply,
    paused_gc,
    raise_first,
    rebuild_error,
    run_both_ends,
    worth_a_pool,
)


def read_many(
    files: Sequence[str], jobs: int | None = None, terms: str = "bold", encoding: str | None = None
) -> list[Document]:
    """Walk ``files`` into Documents, in order, on every core when it pays."""
    from ankidigest.read.walker import read_post

    with paused_gc():
        if not worth_a_pool(files, jobs):
            return [read_post(path, terms, encoding) for path in files]
        work = [(path, terms, encoding) for path in files]
        outcomes = run_both_ends(work, _walk_here, _walk_in_worker, _walk_decode, jobs, _nothing)
        raise_first([error for _, error in outcomes])
        return [doc for doc, _ in outcomes if doc is not None]


WalkJob = tuple[str, str, "str | None"]  # (path, terms, encoding)


def _walk_here(job: WalkJob) -> tuple[Document | None, BaseException | None]:
    return _walk_decode(_walk_in_worker(job, here=True))


def _walk_decode(reply: Reply) -> tuple[Document | None, BaseException | None]:
    if reply[0] == "ok":
        doc = reply[1]
        return (doc if isinstance(doc, Document) else unpack_document(doc)), None
    return None, rebuild_error(reply)


def _nothing() -> None:
    pass


def _walk_in_worker(job: WalkJob, here: bool = False) -> Reply:
    """('ok', the post's Document pickled, or itself when ``here``) or an error reply."""
    from ankidigest.read.walker import read_post

    path, terms, encoding = job
    try:
        doc = read_post(path, terms, encoding)
    except AnkidigestError as exc:
        return error_reply(exc)
    return "ok", doc if here else pack("", doc)
