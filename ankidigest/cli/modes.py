"""The modes besides an export: ``--check``, ``--push`` and ``--site``."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ankidigest.model import NoteSpec
    from ankidigest.notes.build import BuildOptions

from ankidigest.cli.parser import EXIT_INPUT, EXIT_OK
from ankidigest.cli.say import build_options, plural, stdout_failed, usage_error


def site(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """``--site DIR``: a deck and a page per post, and an index; one summary line."""
    from ankidigest.errors import AnkidigestError, UsageError
    from ankidigest.notes.build import BuildOptions
    from ankidigest.run.cache import default_dir
    from ankidigest.site import publish_site

    options = BuildOptions(deck=args.deck, tags=tuple(args.tag), group=args.group)
    try:
        posts = publish_site(
            args.inputs,
            args.site,
            options,
            order=args.order,
            terms=args.terms,
            encoding=args.encoding,
            jobs=args.jobs,
            cache_dir=None if args.no_cache else default_dir(),
            force=args.force,
        )
    except UsageError as exc:
        return usage_error(parser, str(exc))
    except AnkidigestError as exc:
        print(f"ankidigest: error: {exc}; {args.site} was left as it was", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"ankidigest: interrupted; {args.site} was left as it was", file=sys.stderr)
        return 130
    if not args.quiet:
        cards = sum(p.cards for p in posts)
        print(
            f"ankidigest: site {args.site}: {plural(len(posts), 'deck', 'decks')}, "
            f"{plural(cards, 'card', 'cards')} -> {args.site}/index.html",
            file=sys.stderr,
        )
    return EXIT_OK


def push_media(
    args: argparse.Namespace, options: BuildOptions, keep: contextlib.ExitStack
) -> BuildOptions:
    """``options`` with the folder for an export's audio named, when the export is pushed
    after: the cache's media folder, or with ``--no-cache`` a temporary one that ``keep``
    removes after the push (the export's own would be gone by then)."""
    enrich = options.enrich
    if not (args.push and enrich is not None and enrich.audio and not enrich.media_dir):
        return options
    import dataclasses

    from ankidigest.api import media_folder
    from ankidigest.run.cache import default_dir

    media = media_folder(None if args.no_cache else default_dir(), keep)
    return dataclasses.replace(options, enrich=dataclasses.replace(enrich, media_dir=media))


def push_notes_to_anki(
    parser: argparse.ArgumentParser,
    args: argparse.Namespace,
    notes: Sequence[NoteSpec] | None,
    media_dir: str | None = None,
) -> int:
    """``--push``: the notes of an export just made (``notes``, their audio files in
    ``media_dir``), or the posts read and built now, into the collection behind
    AnkiConnect; one summary line on stderr."""
    import os

    from ankidigest.api import push
    from ankidigest.deliver.changes import NotesNotUpdated
    from ankidigest.deliver.push import push_notes
    from ankidigest.errors import AnkidigestError, UsageError
    from ankidigest.run.cache import default_dir

    url = args.anki_url or "http://127.0.0.1:8765"
    key = args.anki_key or os.environ.get("ANKIDIGEST_ANKI_KEY") or None
    todo = {
        "url": url,
        "key": key,
        "mark_removed": args.mark_removed,
        "dry_run": args.dry_run,
        "force": args.force,
    }
    try:
        if notes is None:
            options = build_options(args)
            report = push(
                args.inputs,
                options,
                terms=args.terms,
                encoding=args.encoding,
                jobs=args.jobs,
                cache_dir=None if args.no_cache else default_dir(),
                **todo,
            )
        else:
            report = push_notes(list(notes), media_dir=media_dir, **todo)
    except UsageError as exc:
        return usage_error(parser, str(exc))
    except NotesNotUpdated as exc:
        print(f"ankidigest: error: {exc}", file=sys.stderr)
        print(f"ankidigest: pushed to {url}: {exc.report.counts()}", file=sys.stderr)
        return exc.exit_code
    except AnkidigestError as exc:
        print(f"ankidigest: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("ankidigest: interrupted; pushing again is safe", file=sys.stderr)
        return 130
    if args.verbose:
        changed = [change.note for change in report.changed]
        for kind, pushed in (("new", report.new), ("changed", changed)):
            for note in pushed:
                terms = ", ".join(note.terms)
                print(f"{note.path}:{note.line}: {kind} in Anki {terms!r}", file=sys.stderr)
    if not args.quiet:
        what = "would push" if args.dry_run else "pushed"
        print(f"ankidigest: {what} to {url}: {report.counts()}", file=sys.stderr)
    return EXIT_OK


def check(inputs: Sequence[str], terms: str, quiet: bool, encoding: str | None) -> int:
    """``--check``: print findings on stdout, a summary on stderr; 1 if problems."""
    from ankidigest.check import check_paths
    from ankidigest.errors import AnkidigestError

    try:
        report = check_paths(inputs, terms=terms, encoding=encoding)
    except AnkidigestError as exc:
        print(f"ankidigest: error: {exc}", file=sys.stderr)
        return exc.exit_code
    try:
        for finding in report.findings:
            if finding.problem or not quiet:
                print(str(finding))
        sys.stdout.flush()
    except OSError as exc:
        return stdout_failed(exc)
    if not quiet:
        files = report.files
        print(
            f"ankidigest: {plural(files, 'file', 'files')} checked, "
            f"{len(report.problems)} problems, {len(report.skipped)} bold skipped",
            file=sys.stderr,
        )
    return EXIT_OK if report.ok else EXIT_INPUT
