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
import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from ankidigest.errors import AnkidigestError, InputError
from ankidigest.identity import article_scope
from ankidigest.model import Document, NoteSpec
from ankidigest.notes.build import DEFAULT_PARENT_DECK, BuildOptions, build_notes, check_unique
from ankidigest.read.decode import mtime_of, read_text
from ankidigest.run.cache import PostCache, entry_key, key_of, load_document, pack
from ankidigest.run.parallel import (
    Reply,
    error_reply,
    paused_gc,
    raise_first,
    rebuild_error,
    run_both_ends,
    worth_a_pool,
)
from ankidigest.run.posts import (
    Counts,
    Documents,
    Result,
    counts_of,
    decode,
    from_entry,
    to_entry,
)
from ankidigest.run.shared import build_together, shared_posts
from ankidigest.sanitize import fields_safe

Progress = Callable[[str, int, int], None]
# id -> fields tuple of the notes that passed it (the tuple is held, so its id is not reused)
Checked = dict[int, tuple[str, ...]]


def standalone_options(options: BuildOptions, several: bool) -> BuildOptions:
    """Options that give one post, built alone, the deck it gets among ``several``."""
    if several and not options.deck:
        return dataclasses.replace(options, deck=f"{DEFAULT_PARENT_DECK}::{{title}}")
    return options


class PostInfo(NamedTuple):
    """One post of a ``Built``: its cache key (None without a cache or when it cannot be
    read), how many of ``Built.notes`` are its own, its occurrence scopes and counts, and
    whether it was reused: left unread because the previous package holds its notes."""

    key: str | None
    notes: int
    scopes: frozenset[str]
    counts: Counts
    reused: bool


class Built(NamedTuple):
    """What ``read_and_build`` gives: the Documents of every post, the notes of the posts
    not reused (in file order), the fields already checked, and each post's PostInfo.
    The notes of posts that share an occurrence scope were built together (their
    occurrences run on from post to post); the notes still come in runs per post."""

    documents: Documents
    notes: list[NoteSpec]
    checked: Checked
    posts: list[PostInfo]
    reload: Callable[[int], Result]  # the Result of the i-th post, reused or not, loaded now


# The posts the previous package holds unchanged: cache key -> (counts, scopes).
Reusable = Mapping[str, tuple[Counts, frozenset[str]]]


def read_and_build(
    files: Sequence[str],
    options: BuildOptions,
    *,
    terms: str = "bold",
    encoding: str | None = None,
    jobs: int | None = None,
    cache: PostCache | None = None,
    progress: Progress | None = None,
    reusable: Callable[[], Reusable] | None = None,
) -> Built:
    """Walk and build ``files``: the same Documents and notes as reading them one by
    one and calling ``build_notes`` on them all, and the fields already checked.

    ``reusable`` (with a cache): called once the posts' cache keys are known; the posts
    it names are neither loaded nor built (``PostInfo.reused``), unless one shares an
    occurrence scope with another post: the posts that share a scope are built together."""
    alone = standalone_options(options, len(files) > 1)
    settings: tuple[str, ...] = (repr(alone), terms, repr(encoding))
    results: list[Result | None] = [None] * len(files)
    errors: list[BaseException | None] = [None] * len(files)
    todo: list[int] = []
    done = 0

    def reload(i: int) -> Result:
        found = results[i]
        if found is not None:
            return found
        key = keys[i]
        assert key is not None  # only reused posts have no Result, and they have keys
        result = results[i] = _reused_result(files[i], key, terms, encoding, alone, settings, cache)
        return result

    with paused_gc():
        # With something to reuse, every key first (which posts need no reading); else
        # each job works out its post's key and looks it up, on both cores.
        keys: list[str | None] = [None] * len(files)
        known: Reusable = {}
        if reusable is not None and cache is not None:
            keys = [_key(path, encoding, settings) for path in files]
            known = reusable()
        for i, key in enumerate(keys):
            if key is not None and key in known:
                done += 1
            else:
                todo.append(i)
        if progress:
            progress("read", done, len(files))
        folder = cache.folder if cache else None
        work: list[Job] = [(files[i], terms, encoding, alone, settings, folder) for i in todo]

        def tick() -> None:
            nonlocal done
            done += 1
            if progress:
                progress("read", done, len(files))

        outcomes = _run(work, jobs, tick)
        for job, i, (result, error, key) in zip(work, todo, outcomes, strict=True):
            if result is None and error is None:  # a helper's hit that did not decode
                result, error, key = _walk_build(job, lookup=False)[0]
            results[i] = result
            errors[i] = error
            keys[i] = key
        raise_first(errors)
        posts: list[PostInfo] = []
        items: list[Document | bytes | Callable[[], Document]] = []
        for key, r in zip(keys, results, strict=True):
            if r is not None:
                posts.append(PostInfo(key, len(r.notes), r.scopes, r.counts, False))
                items.append(r.document)
            elif key is not None and key in known:
                counts, scopes = known[key]
                posts.append(PostInfo(key, 0, scopes, counts, True))
                items.append(_document_loader(functools.partial(reload, len(items))))
        together = shared_posts(posts)
        for i in sorted(together):  # a reused post sharing a scope now: built below
            if posts[i].reused:
                r = reload(i)
                posts[i] = PostInfo(posts[i].key, len(r.notes), r.scopes, r.counts, False)

        def rebuild(i: int) -> Document:  # a cached Document that does not load
            (result, error, _), _ = _walk_build(
                (files[i], terms, encoding, alone, settings, folder), lookup=False
            )
            if error is not None:
                raise error
            assert result is not None and isinstance(result.document, Document)
            return result.document

        documents = Documents(items, [p.counts for p in posts], rebuild)
        checked: Checked = {}
        notes: list[NoteSpec] = []
        sizes = [p.notes for p in posts]
        rebuilt = build_together(documents, together, alone, sizes)
        for i, r in enumerate(results):
            if r is None:
                continue
            if i in rebuilt:
                notes.extend(rebuilt[i])
                continue
            notes.extend(r.notes)
            if r.safe:
                checked.update((id(note.fields), note.fields) for note in r.notes)
        check_unique(notes)
    return Built(documents, notes, checked, posts, reload)


def _key(path: str, encoding: str | None, settings: tuple[str, ...]) -> str | None:
    """The post's cache key; None when the post cannot be read."""
    try:
        text = read_text(path, encoding)
        mtime = mtime_of(path)
    except AnkidigestError:
        return None  # the walk reports it, in file order
    return entry_key(text, path, mtime, settings)


def _load(cache: PostCache | None, key: str | None) -> Result | None:
    if cache is None or key is None:
        return None
    hit = cache.load(key)
    return None if hit is None else from_entry(hit)


def _reused_result(
    path: str,
    key: str,
    terms: str,
    encoding: str | None,
    options: BuildOptions,
    settings: tuple[str, ...],
    cache: PostCache | None,
) -> Result:
    """The Result of a reused post: its cache entry, else the post walked and built again,
    provided it still has the key it was reused under."""
    hit = _load(cache, key)
    if hit is not None:
        return hit
    changed = InputError(path, "changed while it was being exported; please export again")
    if _key(path, encoding, settings) != key:
        raise changed
    folder = cache.folder if cache is not None else None
    job = (path, terms, encoding, options, settings, folder)
    (result, error, _), _ = _walk_build(job, lookup=False)
    if error is not None:
        raise error
    if result is None or _key(path, encoding, settings) != key:
        raise changed
    return result


def _document_loader(result: Callable[[], Result]) -> Callable[[], Document]:
    def load() -> Document:
        doc = result().document
        return doc if isinstance(doc, Document) else load_document(doc)

    return load


# (path, terms, encoding, build options, cache key settings, cache folder)
Job = tuple[str, str, "str | None", BuildOptions, tuple[str, ...], "str | None"]
# (the Result or an error, and the post's cache key: None without a cache or when the
# post cannot be read). Neither Result nor error: a cache entry to be made again.
Outcome = tuple[Result | None, BaseException | None, str | None]


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
        blob = reply[1]
        try:
            key = key_of(blob)
        except Exception:  # a damaged cache entry a helper passed on: made again
            return None, None, None
        return decode(blob), None, key or None
    return None, rebuild_error(reply), None


def _walk_build(
    job: Job, lookup: bool = True, decode_hits: bool = True
) -> tuple[Outcome, bytes | None]:
    """Walk and build one post, or (``lookup``) take it from the cache; store what was
    built in the cache when there is one. Also returns the entry's bytes (as ``pack``
    made them) when there is a cache. A hit is decoded unless ``decode_hits`` is false:
    then the outcome holds neither Result nor error, only the key, and the bytes."""
    path, terms, encoding, options, settings, folder = job
    from ankidigest.read.walker import walk

    key = None
    try:
        text = read_text(path, encoding)
        mtime = mtime_of(path)
        if folder is not None:
            key = entry_key(text, path, mtime, settings)
            if lookup:
                blob = PostCache(folder).read(key)
                if blob is not None and not decode_hits:
                    return (None, None, key), blob
                hit = decode(blob) if blob is not None else None
                if hit is not None:
                    return (hit, None, key), blob
                # A damaged entry is a miss: built below, and stored over it.
        doc = walk(text, path, mtime, terms)
    except InputError as exc:
        return (None, exc, key), None
    try:
        notes = build_notes([doc], options)
    except AnkidigestError as exc:
        return (None, exc, key), None
    memo: dict[tuple[Any, ...], str] = {}
    for s in doc.sentences:
        where = (s.article, s.section)
        if where not in memo:
            memo[where] = article_scope(s.article, path, s.section)
    safe = all(fields_safe(note.fields) for note in notes)
    result = Result(doc, counts_of(doc), notes, frozenset(memo.values()), safe)
    blob = None
    if folder is not None and key is not None:
        blob = pack(key, to_entry(result))
        PostCache(folder).store(key, blob)
    return (result, None, key), blob


def _in_worker(job: Job) -> Reply:
    """In a helper process: ('ok', entry bytes) or an error reply. A cache hit's bytes are
    sent as they are: the parent decodes them (and builds the post itself if they do not
    decode)."""
    (result, error, _), blob = _walk_build(job, decode_hits=False)
    if error is not None:
        return error_reply(error)
    if blob is not None:
        return "ok", blob
    assert result is not None
    return "ok", pack("", to_entry(result))
