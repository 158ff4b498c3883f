"""The library API: read posts, build notes, write a package. The CLI is a thin layer on this."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from ankidigest.errors import InputError, UsageError
from ankidigest.model import Document, NoteSpec
from ankidigest.notes.build import GROUPS, BuildOptions
from ankidigest.notes.study import ORDERS
from ankidigest.read.walker import check_terms
from ankidigest.run.result import ExportResult
from ankidigest.update.prior import PriorPackage, prior_path
from ankidigest.write.formats import output_format, write_package

if TYPE_CHECKING:
    from ankidigest.deliver.changes import PushReport
    from ankidigest.run.cache import PostCache
    from ankidigest.run.export import ExportJob

__all__ = [
    "ExportResult",
    "export",
    "find_posts",
    "push",
    "read_posts",
    "write_package",
    "write_preview",
]

MARKDOWN_SUFFIXES = (".md", ".markdown")


def find_posts(inputs: Iterable[str]) -> list[str]:
    """Expand files and folders (searched recursively for *.md) into a list of files."""
    files: list[str] = []
    for item in inputs:
        if os.path.isdir(item):
            found: list[str] = []
            for root, dirs, names in os.walk(item):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found.extend(
                    os.path.join(root, n) for n in names if n.lower().endswith(MARKDOWN_SUFFIXES)
                )
            if not found:
                raise InputError(item, "no markdown posts (*.md) in this folder")
            files.extend(sorted(found))
        elif os.path.exists(item):
            files.append(item)
        else:
            raise InputError(item, "no such file or folder")
    unique: list[str] = []
    seen: set[str] = set()
    for path in files:
        real = os.path.realpath(path)
        if real not in seen:
            seen.add(real)
            unique.append(path)
    return unique


def read_posts(
    inputs: Iterable[str],
    *,
    terms: str = "bold",
    encoding: str | None = None,
    jobs: int | None = None,
) -> list[Document]:
    """Read every post named by ``inputs`` (files or folders) into Documents, in order.

    ``terms``: what marks a term, "bold" (default) or "bold+highlight". Posts are
    UTF-8 (with or without BOM) unless ``encoding`` names another codec. Many posts
    are parsed in ``jobs`` worker processes (default: one per core); ``jobs=1``
    reads them one by one in this process. The result is the same.
    """
    from ankidigest.run.read_many import read_many

    check_terms(terms)
    return read_many(find_posts(inputs), jobs, terms, encoding)


def export(
    inputs: Iterable[str],
    output: str,
    options: BuildOptions | None = None,
    *,
    previous: str | None = None,
    mark_removed: bool = False,
    dry_run: bool = False,
    terms: str = "bold",
    encoding: str | None = None,
    jobs: int | None = None,
    cache_dir: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    now: int | None = None,
    force: bool = False,
    order: str = "post",
) -> ExportResult:
    """Read, build and write in one call: what ``ankidigest INPUT... -o OUTPUT`` does.

    Notes are compared with the prior export (``previous``, else ``output`` when it is
    an existing .apkg) to set each note's ``mod``; see ``update/reconcile.py``.
    ``dry_run`` computes the result and report but writes nothing. ``terms``: what
    marks a term, "bold" (default) or "bold+highlight".

    ``jobs``: worker processes for parsing (default: one per core; 1: none).
    ``cache_dir``: keep each walked and built post there and reuse it while the post,
    the options and ankidigest are unchanged (see ``run/cache.py``; the CLI uses
    ``cache.default_dir()``); audio files go to its ``media`` folder (without a cache, to
    a temporary folder). ``options.enrich`` (an ``EnrichOptions``) fills the Lemma,
    Definition, Pronunciation and Audio fields; the CLI turns it on unless
    ``--no-enrich``. ``progress(stage, done, total)`` is called as posts are
    read (stage "read"), before the comparison with the previous export ("compare")
    and around the write ("write").

    ``now``: the export time, the ``mod`` of a changed note (default: $SOURCE_DATE_EPOCH
    when set, else the clock; see ``update/clock.py``). ``force``: export even when the
    prior package was exported with another ``--group`` (a UsageError otherwise).
    ``order``: the new-card order, "post" (as written), "date" (oldest first),
    "date-newest", "frequency" (common words first) or "level" (by exam); see
    ``notes/study.py``. ``options.group`` "lemma": one note per word (``notes/lemmas.py``).
    """
    from ankidigest.run.export import ExportJob
    from ankidigest.update.clock import export_time
    from ankidigest.write.scratch import clean_temp_dirs

    output_format(output)
    clean_temp_dirs()  # what killed runs left in the temp folder
    if order not in ORDERS:
        raise UsageError(f"--order must be one of {', '.join(ORDERS)}, not {order!r}")
    if options is not None and options.group not in (*GROUPS, "lemma"):
        raise UsageError(f"--group must be one of term, sentence, lemma, not {options.group!r}")
    stamp = export_time() if now is None else now
    options = options or BuildOptions()
    check_terms(terms)
    files = find_posts(inputs)
    cache = None
    if cache_dir is not None:
        from ankidigest.run.cache import PostCache

        cache = PostCache(cache_dir)
    with contextlib.ExitStack() as stack:
        options = _with_media(options, cache_dir, stack)
        job = ExportJob(
            files,
            output,
            options,
            previous,
            mark_removed,
            dry_run,
            terms,
            encoding,
            jobs,
            stamp,
            force,
            order,
        )
        return _export(job, cache, progress)


def _with_media(
    options: BuildOptions, cache_dir: str | None, stack: contextlib.ExitStack
) -> BuildOptions:
    """``options`` with the enrichment prepared, its audio going to the cache's ``media``
    folder (without a cache and with no folder given, a temporary one, kept by ``stack``)."""
    if options.enrich is None:
        return options
    import dataclasses

    from ankidigest.notes.enrichment import prepared

    media = None
    if cache_dir is not None or (options.enrich.audio and not options.enrich.media_dir):
        media = media_folder(cache_dir, stack)
    return dataclasses.replace(options, enrich=prepared(options.enrich, media))


def media_folder(cache_dir: str | None, stack: contextlib.ExitStack) -> str:
    """Where an export's audio files go: the cache's ``media`` folder, else a temporary
    one that ``stack`` removes."""
    if cache_dir is not None:
        return os.path.join(cache_dir, "media")
    import tempfile

    return stack.enter_context(tempfile.TemporaryDirectory(prefix="ankidigest-"))


def _export(
    job: ExportJob, cache: PostCache | None, progress: Callable[[str, int, int], None] | None
) -> ExportResult:
    from ankidigest.run.export import export_files
    from ankidigest.run.parallel import paused_gc

    source = prior_path(job.output, job.previous)
    # The prior package is unzipped in a thread while the posts are read.
    package = PriorPackage(source) if source is not None else None
    with paused_gc(), package or contextlib.nullcontext():
        result = export_files(job, cache, package, progress)
    if cache is not None:
        cache.prune_daily()
    return result


def push(
    inputs: Iterable[str],
    options: BuildOptions | None = None,
    *,
    url: str | None = None,
    key: str | None = None,
    mark_removed: bool = False,
    dry_run: bool = False,
    terms: str = "bold",
    encoding: str | None = None,
    jobs: int | None = None,
    cache_dir: str | None = None,
    force: bool = False,
) -> PushReport:
    """Read and build the posts named by ``inputs`` (as ``export`` does) and send their
    notes straight into a running Anki through AnkiConnect: what ``ankidigest INPUT...
    --push`` does. See ``deliver/push.py``; ``dry_run`` only reads the collection.

    Each note that is one the collection has (an edited sentence, an unbolded first
    occurrence, a corrected URL, a renamed deck) updates that note, as an export's notes
    update the prior package's; every ``--group`` works. ``force``: push even when the
    collection's notes were made with another ``--group`` (a UsageError otherwise).

    Audio (``options.enrich.audio``) is made in ``cache_dir``'s media folder (as
    ``export`` does; else a temporary one) and sent with the notes.
    """
    from ankidigest.deliver.push import push_notes

    with contextlib.ExitStack() as stack:
        options = _with_media(options or BuildOptions(), cache_dir, stack)
        media = options.enrich.media_dir if options.enrich is not None else None
        documents = read_posts(inputs, terms=terms, encoding=encoding, jobs=jobs)
        notes = _built(documents, options)
        return push_notes(
            notes,
            url=url,
            key=key,
            mark_removed=mark_removed,
            dry_run=dry_run,
            media_dir=media,
            force=force,
        )


def _built(documents: Sequence[Document], options: BuildOptions) -> list[NoteSpec]:
    """The notes of ``documents``, as an export builds them (``--group lemma``: per term,
    then one note per word and deck, ``notes/lemmas.py``)."""
    from ankidigest.notes.build import build_notes

    if options.group != "lemma":
        return build_notes(documents, options)
    from ankidigest.notes.lemmas import group_by_lemma, per_term_options
    from ankidigest.notes.study import new_enricher

    per_term = build_notes(documents, per_term_options(options, len(documents) > 1))
    return group_by_lemma(per_term, new_enricher())


def write_preview(result: ExportResult, path: str) -> None:
    """Write an HTML page with every card of ``result``, front and back as Anki shows
    them, grouped by post and article, its new and changed notes marked (``--preview``).
    """
    from ankidigest.write.formats import check_fields
    from ankidigest.write.preview import Marks
    from ankidigest.write.preview import write_preview as write_page

    report = result.report
    notes = result.notes
    check_fields(notes)
    since = f" since {report.prior}" if report.prior else ""
    posts = len(result.documents)
    summary = [
        f"{posts} {'post' if posts == 1 else 'posts'}, {result.articles} articles, "
        f"{result.terms} terms, {len(notes)} notes, {result.skipped} skipped",
        f"{report.counts()}{since}",
    ]
    marks = Marks(
        frozenset(n.guid for n in report.new),
        frozenset(n.guid for n in report.changed),
        frozenset(n.guid for n in report.marked),
    )
    write_page(notes, path, summary, marks, report.removed)
