"""One export run, its steps in the order they happen.

``export_files`` reads and builds the posts (``read``), leaving unread the posts a
re-export can copy unchanged from the previous package (``plan_reuse``), compares
the rest with the previous export (``compare``), gives new cards their positions
(``--order``: ``with_positions``), refuses an export without a note, writes the
package (``write``) and records what it wrote for the next re-export
(``record_ledger``). ``api.export`` is the public face of this module.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ankidigest.errors import UsageError
from ankidigest.model import NoteSpec
from ankidigest.notes.build import BuildOptions
from ankidigest.notes.lemmas import group_by_lemma, per_term_options
from ankidigest.notes.study import new_enricher, with_positions
from ankidigest.run.jobs import Built, read_and_build
from ankidigest.run.result import ExportResult, nothing_to_export
from ankidigest.update.prior import PriorPackage, load_prior
from ankidigest.update.reconcile import UpdateReport, other_group, reconcile, switch_message
from ankidigest.write.apkg import Copied, Segment, Written
from ankidigest.write.formats import check_fields, output_format, write_notes

if TYPE_CHECKING:
    from ankidigest.enrich import Enricher
    from ankidigest.run.cache import PostCache
    from ankidigest.run.reuse import Reuse

Progress = Callable[[str, int, int], None]
# The package's parts in order, each with the index of the post it is (None: no post).
Segments = list[tuple[int | None, Segment]]


@dataclass(frozen=True)
class ExportJob:
    """What one export was asked to do (``api.export``'s arguments, files found)."""

    files: list[str]
    output: str
    options: BuildOptions
    previous: str | None
    mark_removed: bool
    dry_run: bool
    terms: str
    encoding: str | None
    jobs: int | None
    now: int = 0  # the export time (update/clock.py): the least mod of a changed note
    force: bool = False  # export even when the prior package has the other --group
    order: str = "post"  # the new-card order (notes/study.py)

    @property
    def apkg(self) -> bool:
        return output_format(self.output) == ".apkg"


def export_files(
    job: ExportJob,
    cache: PostCache | None,
    package: PriorPackage | None,
    progress: Progress | None,
) -> ExportResult:
    """Read and build, compare with the prior package, write. When the prior package is
    one we wrote and recorded (``reuse.py``), the posts it holds unchanged are copied
    from it rather than read, compared and written again."""
    reuse = plan_reuse(job, cache, package)
    enricher = enricher_for(job)
    built, copied = read(job, cache, reuse, progress, enricher)
    outcome = None
    if not _clash(reuse, copied, built.notes):
        outcome = compare(job, built, package, copied, progress)
    if outcome is None or _clash(reuse, copied, outcome[0]):
        # A new note takes the guid of a reused one, as built or as matched to a prior
        # note: read everything (which says so, or matches it as the full path does).
        reuse = None
        built, copied = read(job, cache, None, progress, enricher)
        outcome = compare(job, built, package, copied, progress)
    notes, report, warning = outcome
    if job.order != "post":
        notes = with_positions(notes, job.order, enricher)
    if not notes and not copied and not job.dry_run:
        raise nothing_to_export(job.files, built.documents)
    segments = segments_of(job, built, notes, copied)
    finals = reused_notes(built, copied, reuse) if copied and reuse is not None else None
    if not job.dry_run:
        write(job, built, notes, report, segments, copied, reuse, cache, progress)
    warnings = (warning,) if warning else ()
    if finals is None:
        return ExportResult(built.documents, tuple(notes), report, warnings)
    every, unchanged = lazy_notes(segments, report, finals)
    report = dataclasses.replace(report, unchanged=unchanged)
    return ExportResult(built.documents, every, report, warnings)


def enricher_for(job: ExportJob) -> Enricher | None:
    """The run's one enricher, when its grouping or order needs the words' lemmas."""
    if job.options.group == "lemma" or job.order in ("frequency", "level"):
        return new_enricher()
    return None


def _clash(reuse: Reuse | None, copied: Mapping[int, Copied], notes: Sequence[NoteSpec]) -> bool:
    """Whether a note's guid belongs to a note of the ``copied`` runs."""
    runs = list(copied.values())
    return bool(runs) and reuse is not None and reuse.clashes([n.guid for n in notes], runs)


def plan_reuse(
    job: ExportJob, cache: PostCache | None, package: PriorPackage | None
) -> Reuse | None:
    """Copying unchanged posts needs the cache, a prior package, an .apkg to write and
    notes per term (``--group sentence`` notes can take another post's prior guid)."""
    if (
        cache is None
        or package is None
        or not job.apkg
        or job.dry_run
        or job.options.group != "term"
        or job.order != "post"  # (copied runs keep the positions of the package)
    ):
        return None
    from ankidigest.run.reuse import Reuse

    return Reuse(cache, package)


def read(
    job: ExportJob,
    cache: PostCache | None,
    reuse: Reuse | None,
    progress: Progress | None,
    enricher: Enricher | None = None,
) -> tuple[Built, dict[int, Copied]]:
    """Read and build the posts. With ``reuse``, the posts the previous package holds
    unchanged are left unread; their runs of notes and cards, to be copied, are returned
    by post index. ``--group lemma``: the posts are built per term (so cached as such),
    then the notes of one word in one deck joined (``notes/lemmas.py``)."""
    options = job.options
    if options.group == "lemma":
        options = per_term_options(options, len(job.files) > 1)
    built = read_and_build(
        job.files,
        options,
        terms=job.terms,
        encoding=job.encoding,
        jobs=job.jobs,
        cache=cache,
        progress=progress,
        reusable=reuse.reusable if reuse is not None else None,
    )
    if job.options.group == "lemma":
        assert enricher is not None
        built = built._replace(notes=group_by_lemma(built.notes, enricher))
    if reuse is None:
        return built, {}
    runs = reuse.runs()
    return built, {i: runs[p.key] for i, p in enumerate(built.posts) if p.reused and p.key}


def compare(
    job: ExportJob,
    built: Built,
    package: PriorPackage | None,
    copied: Mapping[int, Copied],
    progress: Progress | None,
) -> tuple[list[NoteSpec], UpdateReport, str]:
    """The built notes with their ``mod`` set against the prior export, the report, and
    a warning about the prior export ("" for none). Copied runs are not read."""
    from ankidigest.run.reuse import merged

    if progress:
        progress("compare", 0, len(built.notes))
    used, prior, warning = load_prior(
        job.output, job.previous, built.notes, package, merged(list(copied.values()))
    )
    switch = other_group(prior, job.options.group)
    if switch is not None:
        other, count = switch
        message = switch_message(used, other, count, job.options.group)
        if not (job.force or job.dry_run):
            raise UsageError(f"{message}; use --group {other}, or --force to switch anyway")
        warning = "; ".join(w for w in (warning, message) if w)
    notes, report = reconcile(
        built.notes,
        prior,
        prior_path=used,
        group=job.options.group,
        mark_removed=job.mark_removed,
        now=job.now,
    )
    return notes, report, warning


def segments_of(
    job: ExportJob, built: Built, notes: list[NoteSpec], copied: Mapping[int, Copied]
) -> Segments:
    """The package's parts in order, each with the index of the post it is: one run
    per post (copied or written), then the notes of no post (marked as removed). One
    part only when the notes do not come in runs per post."""
    if job.options.group != "term":
        return [(None, notes)]
    parts: Segments = []
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


def write(
    job: ExportJob,
    built: Built,
    notes: list[NoteSpec],
    report: UpdateReport,
    segments: Segments,
    copied: Mapping[int, Copied],
    reuse: Reuse | None,
    cache: PostCache | None,
    progress: Progress | None,
) -> None:
    """Write the .apkg (its copied runs straight from the prior package), the JSON or
    the text import file."""
    total = len(notes) + sum(run.notes for run in copied.values())
    if progress:
        progress("write", 0, total)
    check_fields(notes, built.checked)
    if job.apkg:
        from ankidigest.write.apkg import write_segments

        written = write_segments(
            [segment for _, segment in segments],
            job.output,
            report.kept,
            reuse.db if copied and reuse is not None else None,
            job.options.enrich.media_dir if job.options.enrich else None,
        )
        if cache is not None:
            record_ledger(cache, built, segments, written)
    else:
        write_notes(notes, job.output)
    if progress:
        progress("write", total, total)


def record_ledger(cache: PostCache, built: Built, segments: Segments, written: Written) -> None:
    """Store the ledger of the package just written, when its notes come in runs
    per post and every post has a cache key."""
    from ankidigest.run.reuse import Ledger, PostRun, store_ledger

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


def lazy_notes(
    segments: Segments,
    report: UpdateReport,
    finals: Callable[[int], Sequence[NoteSpec]],
) -> tuple[Sequence[NoteSpec], Sequence[NoteSpec]]:
    """The notes of an export that reused posts, and its unchanged notes, in order: the
    reused posts' notes are made (``finals``) only when someone asks for them."""
    from ankidigest.run.reuse import LazyNotes

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


def reused_notes(
    built: Built, copied: Mapping[int, Copied], reuse: Reuse
) -> Callable[[int], Sequence[NoteSpec]]:
    """post index -> the final notes of that reused post, made once when first asked for."""
    from ankidigest.run.reuse import final_notes

    order = list(copied)
    mods, high, kept = reuse.prior_values([copied[i] for i in order])
    by_post = dict(zip(order, mods, strict=True))
    made: dict[int, Sequence[NoteSpec]] = {}

    def notes_of(post: int) -> Sequence[NoteSpec]:
        if post not in made:
            notes = built.reload(post).notes
            made[post] = final_notes(notes, copied[post], by_post[post], high, kept)
        return made[post]

    return notes_of
