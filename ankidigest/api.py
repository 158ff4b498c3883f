"""The library API: read posts, build notes, write a package. The CLI is a thin layer on this."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .build import BuildOptions
from .errors import InputError, OutputError, UsageError
from .model import Document, NoteSpec
from .prior import PriorPackage
from .update import PriorNote, UpdateReport, read_prior, reconcile
from .walker import check_terms

if TYPE_CHECKING:
    from .apkg import Copied, Segment, Written
    from .cache import PostCache
    from .reuse import Reuse
    from .stage import Built

MARKDOWN_SUFFIXES = (".md", ".markdown")
OUTPUT_FORMATS = (".apkg", ".json")


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
    from .stage import read_many

    check_terms(terms)
    return read_many(find_posts(inputs), jobs, terms, encoding)


def output_format(path: str) -> str:
    """'.apkg' or '.json', from the output path ('-' means JSON on stdout)."""
    if path == "-":
        return ".json"
    ext = os.path.splitext(path)[1].lower()
    if ext not in OUTPUT_FORMATS:
        raise UsageError(
            f"{path}: unknown output format {ext or '(none)'!r}; use .apkg, .json or '-'"
        )
    return ext


def write_package(
    notes: Sequence[NoteSpec],
    path: str,
    kept: Sequence[NoteSpec] = (),
    *,
    checked: Mapping[int, tuple[str, ...]] | None = None,
) -> None:
    """Write notes to ``path``: .apkg, .json, or '-' for JSON on stdout. Atomic.

    ``kept``: notes removed from the posts, recorded in an .apkg for --mark-removed.
    ``checked``: see ``check_fields``.
    """
    check_fields(notes, checked)
    if output_format(path) == ".apkg":
        from .apkg import write_apkg

        write_apkg(notes, path, kept)
    else:
        from .jsonout import write_json

        write_json(notes, path)


def check_fields(
    notes: Iterable[NoteSpec], checked: Mapping[int, tuple[str, ...]] | None = None
) -> None:
    """Raise OutputError if any field holds markup other than <b>, </b> and <br>.

    ``checked``: id -> fields tuple of notes checked already (by the worker that built
    them, or before they were cached); a note holding one of those very tuples passes.
    """
    from .notetype import FIELD_NAMES
    from .sanitize import fields_safe, unsafe_markup

    checked = checked or {}
    for note in notes:
        if checked.get(id(note.fields)) is note.fields or fields_safe(note.fields):
            continue
        for name, value in zip(FIELD_NAMES, note.fields, strict=True):
            bad = unsafe_markup(value)
            if bad is None:
                continue
            if note.line == 0:  # a removed note brought back from the previous export
                raise OutputError(
                    f"{note.path or 'the previous export'}: note {note.guid!r} has "
                    f"{bad!r} in field {name}; not written again. Nothing was written"
                )
            raise OutputError(
                f"{note.path}:{note.line}: field {name} would hold {bad!r}; "
                "nothing was written (please report this as a bug)"
            )


def prior_path(output: str, previous: str | None = None) -> str | None:
    """Where the prior state is: ``previous`` if given, else ``output`` if it is an
    existing .apkg, else None."""
    if previous is not None:
        return previous
    if output != "-" and output_format(output) == ".apkg" and os.path.isfile(output):
        return output
    return None


def load_prior(
    output: str,
    previous: str | None = None,
    notes: Sequence[NoteSpec] = (),
    package: PriorPackage | None = None,
    exclude: Sequence[tuple[int, int]] = (),
) -> tuple[str | None, dict[str, PriorNote], str]:
    """The prior state: ``previous`` if given, else the .apkg at ``output`` if it exists.

    Returns (its path or None, its notes, a warning or ""). An unreadable ``previous``
    is an InputError; an unreadable existing output only a warning, since -o already
    says to replace it (our own writes are atomic, so it is not a half-written export).
    ``notes``: the new notes; prior fields equal to theirs share their strings.
    ``package``: that package, already being unzipped (see ``prior.PriorPackage``).
    ``exclude``: note id ranges of ``package`` not to read (copied as they are).
    """
    path = prior_path(output, previous)
    if path is None:
        return None, {}, ""
    known = {note.guid: note.fields for note in notes}

    def read() -> dict[str, PriorNote]:
        if package is not None and package.path == path:
            return package.read(known, exclude)
        return read_prior(path, known)

    if previous is not None:
        return previous, read(), ""
    try:
        return output, read(), ""
    except InputError as exc:
        return None, {}, f"{exc}; not used as the previous export, every note counts as new"


@dataclass(frozen=True)
class ExportResult:
    # From export(): a sequence that unpickles a cached post's Document only when asked
    # for it (the counts below need none).
    documents: Sequence[Document]
    # From export(): a sequence that loads a reused post's notes only when asked for.
    notes: Sequence[NoteSpec]
    report: UpdateReport = field(default_factory=lambda: UpdateReport(None))
    warnings: tuple[str, ...] = ()

    @property
    def articles(self) -> int:
        return self._totals()[0]

    @property
    def terms(self) -> int:
        return self._totals()[1]

    @property
    def skipped(self) -> int:
        return self._totals()[2]

    def _totals(self) -> tuple[int, int, int]:
        """(articles, terms, skipped), without unpickling export()'s lazy Documents."""
        from .stage import Documents

        docs = self.documents
        if isinstance(docs, Documents):
            return docs.articles, docs.terms, docs.skipped
        return (
            sum(d.articles for d in docs),
            sum(d.term_count for d in docs),
            sum(len(d.skips) for d in docs),
        )


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
) -> ExportResult:
    """Read, build and write in one call: what ``ankidigest INPUT... -o OUTPUT`` does.

    Notes are compared with the prior export (``previous``, else ``output`` when it is
    an existing .apkg) to set each note's ``mod``; see ``update.py``. ``dry_run``
    computes the result and report but writes nothing. ``terms``: what marks a term,
    "bold" (default) or "bold+highlight".

    ``jobs``: worker processes for parsing (default: one per core; 1: none).
    ``cache_dir``: keep each walked and built post there and reuse it while the post,
    the options and ankidigest are unchanged (see ``cache.py``; the CLI uses
    ``cache.default_dir()``). ``progress(stage, done, total)`` is called as posts are
    read (stage "read"), before the comparison with the previous export ("compare")
    and around the write ("write").
    """
    from .parallel import paused_gc

    output_format(output)
    options = options or BuildOptions()
    check_terms(terms)
    files = find_posts(inputs)
    cache = None
    if cache_dir is not None:
        from .cache import PostCache

        cache = PostCache(cache_dir)
    source = prior_path(output, previous)
    # The prior package is unzipped in a thread while the posts are read.
    package = PriorPackage(source) if source is not None else None
    with paused_gc(), package or contextlib.nullcontext():
        run = _Export(files, output, options, previous, mark_removed, dry_run, terms)
        result = run.go(encoding, jobs, cache, package, progress)
    if cache is not None:
        cache.prune_daily()
    return result


class _Export:
    """One export(): read and build, compare with the prior package, write. When the
    prior package is one we wrote and recorded (``reuse.py``), the posts it holds
    unchanged are copied from it rather than read, compared and written again."""

    def __init__(
        self,
        files: list[str],
        output: str,
        options: BuildOptions,
        previous: str | None,
        mark_removed: bool,
        dry_run: bool,
        terms: str,
    ) -> None:
        self.files = files
        self.output = output
        self.options = options
        self.previous = previous
        self.mark_removed = mark_removed
        self.dry_run = dry_run
        self.terms = terms
        self.apkg = output_format(output) == ".apkg"

    def go(
        self,
        encoding: str | None,
        jobs: int | None,
        cache: PostCache | None,
        package: PriorPackage | None,
        progress: Callable[[str, int, int], None] | None,
        *,
        may_reuse: bool = True,
    ) -> ExportResult:
        from .reuse import Reuse, merged
        from .stage import read_and_build

        reuse = None
        if (
            may_reuse
            and cache is not None
            and package is not None
            and self.apkg
            and not self.dry_run
            and self.options.group == "term"
        ):
            reuse = Reuse(cache, package)
        built = read_and_build(
            self.files,
            self.options,
            terms=self.terms,
            encoding=encoding,
            jobs=jobs,
            cache=cache,
            progress=progress,
            reusable=reuse.reusable if reuse is not None else None,
        )
        copied: dict[int, Copied] = {}
        if reuse is not None:
            runs = reuse.runs()
            copied = {i: runs[p.key] for i, p in enumerate(built.posts) if p.reused and p.key}
            if copied and reuse.clashes([n.guid for n in built.notes], list(copied.values())):
                # A new note takes the guid of a reused one: read everything (which says so).
                return self.go(encoding, jobs, cache, package, progress, may_reuse=False)
        if progress:
            progress("compare", 0, len(built.notes))
        used, prior, warning = load_prior(
            self.output, self.previous, built.notes, package, merged(list(copied.values()))
        )
        notes, report = reconcile(
            built.notes,
            prior,
            prior_path=used,
            group=self.options.group,
            mark_removed=self.mark_removed,
        )
        del prior
        segments = self._segments(built, notes, copied)
        finals: Callable[[int], Sequence[NoteSpec]] | None = None
        if copied and reuse is not None:
            finals = _reused_notes(built, copied, reuse)
        total = len(notes) + sum(run.notes for run in copied.values())
        if not self.dry_run:
            if progress:
                progress("write", 0, total)
            check_fields(notes, built.checked)
            if self.apkg:
                from .apkg import write_segments

                written = write_segments(
                    [segment for _, segment in segments],
                    self.output,
                    report.kept,
                    reuse.db if copied and reuse is not None else None,
                )
                if cache is not None:
                    self._record(cache, built, segments, written)
            else:
                from .jsonout import write_json

                write_json(notes, self.output)
            if progress:
                progress("write", total, total)
        warnings = (warning,) if warning else ()
        if finals is None:
            return ExportResult(built.documents, tuple(notes), report, warnings)
        every, unchanged = _lazy(segments, report, finals)
        report = dataclasses.replace(report, unchanged=unchanged)
        return ExportResult(built.documents, every, report, warnings)

    def _segments(
        self, built: Built, notes: list[NoteSpec], copied: Mapping[int, Copied]
    ) -> list[tuple[int | None, Segment]]:
        """The package's parts in order, each with the index of the post it is: one run
        per post (copied or written), then the notes of no post (marked as removed). One
        part only when the notes do not come in runs per post."""
        from .apkg import Copied

        if built.shared or self.options.group != "term":
            return [(None, notes)]
        parts: list[tuple[int | None, Segment]] = []
        at = 0
        for i, post in enumerate(built.posts):
            run = copied.get(i)
            if isinstance(run, Copied):
                parts.append((i, run))
            else:
                parts.append((i, notes[at : at + post.notes]))
                at += post.notes
        parts.append((None, notes[at:]))
        return parts

    def _record(
        self,
        cache: PostCache,
        built: Built,
        segments: list[tuple[int | None, Segment]],
        written: Written,
    ) -> None:
        """Store the ledger of the package just written, when its notes come in runs
        per post and every post has a cache key."""
        from .apkg import Copied
        from .reuse import Ledger, PostRun, store_ledger

        runs = []
        total = 0
        for (post, segment), cards in zip(segments, written.cards, strict=True):
            if isinstance(segment, Copied):
                count, decks = segment.notes, segment.decks
            else:
                count, decks = len(segment), tuple(dict.fromkeys(n.deck for n in segment))
            total += count
            if post is None:
                continue
            info = built.posts[post]
            if info.key is None:
                return
            runs.append(PostRun(info.key, count, cards, decks, info.scopes, info.counts))
        if len(runs) == len(built.posts):
            store_ledger(cache, written.digest, Ledger(written.base, total, tuple(runs)))


def _lazy(
    segments: list[tuple[int | None, Segment]],
    report: UpdateReport,
    finals: Callable[[int], Sequence[NoteSpec]],
) -> tuple[Sequence[NoteSpec], Sequence[NoteSpec]]:
    """The notes of an export that reused posts, and its unchanged notes, in order: the
    reused posts' notes are made (``finals``) only when someone asks for them."""
    from .apkg import Copied
    from .reuse import LazyNotes

    unchanged_ids = {id(n) for n in report.unchanged}
    every: list[tuple[int, Callable[[], Sequence[NoteSpec]]]] = []
    same: list[tuple[int, Callable[[], Sequence[NoteSpec]]]] = []
    for post, segment in segments:
        if isinstance(segment, Copied):
            assert post is not None
            loader = functools.partial(finals, post)
            every.append((segment.notes, loader))
            same.append((segment.notes, loader))
        else:
            kept_same = [n for n in segment if id(n) in unchanged_ids]
            every.append((len(segment), functools.partial(_just, segment)))
            same.append((len(kept_same), functools.partial(_just, kept_same)))
    return LazyNotes(every), LazyNotes(same)


def _just(notes: Sequence[NoteSpec]) -> Sequence[NoteSpec]:
    return notes


def _reused_notes(
    built: Built, copied: Mapping[int, Copied], reuse: Reuse
) -> Callable[[int], Sequence[NoteSpec]]:
    """post index -> the final notes of that reused post, made once when first asked for."""
    from .reuse import final_notes

    order = list(copied)
    mods, high = reuse.prior_values([copied[i] for i in order])
    by_post = dict(zip(order, mods, strict=True))
    made: dict[int, Sequence[NoteSpec]] = {}

    def notes_of(post: int) -> Sequence[NoteSpec]:
        if post not in made:
            notes = built.reload(post).notes
            made[post] = final_notes(notes, copied[post], by_post[post], high)
        return made[post]

    return notes_of
