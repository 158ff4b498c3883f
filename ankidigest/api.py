"""The library API: read posts, build notes, write a package. The CLI is a thin layer on this."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .build import BuildOptions
from .errors import InputError, OutputError, UsageError
from .model import Document, NoteSpec
from .prior import PriorPackage
from .update import PriorNote, UpdateReport, read_prior, reconcile
from .walker import check_terms

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
) -> tuple[str | None, dict[str, PriorNote], str]:
    """The prior state: ``previous`` if given, else the .apkg at ``output`` if it exists.

    Returns (its path or None, its notes, a warning or ""). An unreadable ``previous``
    is an InputError; an unreadable existing output only a warning, since -o already
    says to replace it (our own writes are atomic, so it is not a half-written export).
    ``notes``: the new notes; prior fields equal to theirs share their strings.
    ``package``: that package, already being unzipped (see ``prior.PriorPackage``).
    """
    path = prior_path(output, previous)
    if path is None:
        return None, {}, ""
    known = {note.guid: note.fields for note in notes}

    def read() -> dict[str, PriorNote]:
        if package is not None and package.path == path:
            return package.read(known)
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
    notes: tuple[NoteSpec, ...]
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
    from .stage import read_and_build

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
        documents, notes, checked = read_and_build(
            files,
            options,
            terms=terms,
            encoding=encoding,
            jobs=jobs,
            cache=cache,
            progress=progress,
        )
        if progress:
            progress("compare", 0, len(notes))
        used, prior, warning = load_prior(output, previous, notes, package)
        notes, report = reconcile(
            notes, prior, prior_path=used, group=options.group, mark_removed=mark_removed
        )
        del prior
        if not dry_run:
            if progress:
                progress("write", 0, len(notes))
            write_package(notes, output, report.kept, checked=checked)
            if progress:
                progress("write", len(notes), len(notes))
    if cache is not None:
        cache.prune_daily()
    warnings = (warning,) if warning else ()
    return ExportResult(documents, tuple(notes), report, warnings)
