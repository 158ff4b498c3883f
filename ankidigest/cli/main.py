"""The command line: parse arguments, call the library, print a summary. Only the
``cli`` package prints."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from ankidigest.model import Document
    from ankidigest.notes.build import BuildOptions

from ankidigest.cli.modes import check, push_media, push_notes_to_anki, site
from ankidigest.cli.parser import EXIT_OK, EXIT_USAGE, build_parser
from ankidigest.cli.say import (
    Terminated,
    build_options,
    catch_sigterm,
    plural,
    print_documents,
    report_lines,
    restore_sigterm,
    stdout_failed,
    usage_error,
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code (tests call this with a list of arguments)."""
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(argv)
        if args.completion:
            from ankidigest.usage import completion_script

            print(completion_script(parser, args.completion), end="")
            return EXIT_OK
        if not args.inputs and not args.print_config:
            parser.error("the following arguments are required: INPUT")
        configured = with_config(parser, argv, args)
        if configured is None:
            return EXIT_OK  # --print-config
        args = configured
        if args.check and (args.output or args.push or args.preview or args.site):
            parser.error(
                "--check writes nothing: leave out -o/--output, --push, --preview and --site"
            )
        if not args.check and not (args.output or args.push or args.preview or args.site):
            parser.error(
                "the following arguments are required: -o/--output "
                "(or use --check, --push, --preview or --site)"
            )
        if (args.anki_url or args.anki_key) and not args.push:
            parser.error("--anki-url and --anki-key go with --push")
        if args.no_enrich and (args.dict or args.audio):
            parser.error("--dict and --audio need the dictionary: leave out --no-enrich")
    except SystemExit as exc:  # argparse: --help, --version, or a usage error
        return int(exc.code or 0)
    if args.watch:
        return watch(parser, args)
    return run(parser, args)


def run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """One run of the parsed command line (--watch runs it again on each save)."""
    if args.jobs is not None and args.jobs < 1:
        return usage_error(parser, "--jobs must be 1 or more")
    if args.check:
        return check(args.inputs, args.terms, args.quiet, args.encoding)
    if args.push and not (args.output or args.preview):
        code = push_notes_to_anki(parser, args, None)
        return site(parser, args) if args.site and code == EXIT_OK else code
    if args.site and not (args.output or args.preview):
        return site(parser, args)

    import contextlib

    options = build_options(args)
    with contextlib.ExitStack() as keep:  # a --push's audio folder lives until the push
        options = push_media(args, options, keep)
        return export_then(parser, args, options)


def export_then(
    parser: argparse.ArgumentParser, args: argparse.Namespace, options: BuildOptions
) -> int:
    """The export the arguments ask for, then its --push, summary and --site."""
    from ankidigest.api import export
    from ankidigest.errors import AnkidigestError, NothingToExport, StdoutError, UsageError
    from ankidigest.run.cache import default_dir
    from ankidigest.run.progress import ProgressBar

    bar = ProgressBar(sys.stderr) if not args.quiet and sys.stderr.isatty() else None
    term = catch_sigterm()
    try:
        result = export(
            args.inputs,
            args.output or "-",  # --preview alone: a dry run
            options,
            previous=args.previous,
            mark_removed=args.mark_removed,
            dry_run=args.dry_run or not args.output,
            terms=args.terms,
            encoding=args.encoding,
            jobs=args.jobs,
            cache_dir=None if args.no_cache else default_dir(),
            progress=bar,
            force=args.force,
            order=args.order,
        )
        if args.preview:
            from ankidigest.api import write_preview

            write_preview(result, args.preview)
    except UsageError as exc:
        return usage_error(parser, str(exc))
    except StdoutError as exc:
        return stdout_failed(exc)
    except AnkidigestError as exc:
        if args.verbose and isinstance(exc, NothingToExport):
            print_documents(cast("Sequence[Document]", exc.documents))
        print(f"ankidigest: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt as exc:
        how = "terminated" if isinstance(exc, Terminated) else "interrupted"
        print(f"ankidigest: {how}; nothing was written", file=sys.stderr)
        return 143 if isinstance(exc, Terminated) else 130
    finally:
        restore_sigterm(term)
        if bar:
            bar.close()  # before any message, so it starts on a clean line

    if not args.quiet:
        for warning in result.warnings:
            print(f"warning: {warning}", file=sys.stderr)
    if args.verbose:
        print_documents(result.documents)
        for line in report_lines(result.report):
            print(line, file=sys.stderr)
    if args.push:
        media = options.enrich.media_dir if options.enrich is not None else None
        code = push_notes_to_anki(parser, args, result.notes, media)
        if code != EXIT_OK:
            return code
    if not args.quiet:
        posts = len(result.documents)
        report = result.report
        target = "standard output" if args.output == "-" else args.output
        if args.dry_run:
            target = f"nothing written (dry run; would write {target})"
        if args.preview:
            target = f"{target} + preview {args.preview}" if args.output else args.preview
        since = f" since {report.prior}" if report.prior else ""
        print(
            f"ankidigest: {plural(posts, 'post', 'posts')}, {result.articles} articles, "
            f"{result.terms} terms, {len(result.notes)} notes, {result.skipped} skipped "
            f"({report.counts()}{since}) -> {target}",
            file=sys.stderr,
        )
        if report.marked:
            marked = len(report.marked)
            print(
                f"ankidigest: {plural(marked, 'note', 'notes')} gone from the posts "
                f"{'is' if marked == 1 else 'are'} exported once more, tagged "
                "ankidigest::removed: find and delete them in Anki",
                file=sys.stderr,
            )
        if report.unmarked:
            gone = len(report.unmarked)
            print(
                f"ankidigest: {plural(gone, 'note', 'notes')} gone from the posts "
                f"{'stays' if gone == 1 else 'stay'} in Anki (it never deletes on import); "
                "--mark-removed tags them ankidigest::removed",
                file=sys.stderr,
            )
    if args.site:
        return site(parser, args)
    return EXIT_OK


def watch(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """``--watch``: run, then run again each time a post is saved, until Ctrl-C (130).
    A run that fails (a post mid-edit) is reported and the watch goes on; a usage
    error ends it. SIGTERM (a service manager's stop) stops it as Ctrl-C does."""
    import signal

    from ankidigest.watch import changes

    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        code = run(parser, args)
        if code == EXIT_USAGE:
            return code
        if not args.quiet:
            print("ankidigest: watching the posts; Ctrl-C stops", file=sys.stderr)
        for saved in changes(args.inputs):
            if not args.quiet:
                print(f"ankidigest: saved: {', '.join(saved)}", file=sys.stderr)
            if run(parser, args) == 130:  # Ctrl-C during the export
                return 130
    except KeyboardInterrupt:
        pass
    print("ankidigest: stopped watching", file=sys.stderr)
    return 130


def with_config(
    parser: argparse.ArgumentParser, argv: list[str], args: argparse.Namespace
) -> argparse.Namespace | None:
    """``args`` with the config file's values added; None when --print-config printed."""
    from ankidigest.config import ConfigError, apply, describe

    try:
        settings = apply(parser, argv, args)
    except ConfigError as exc:
        parser.error(str(exc))
    if args.print_config:
        print("\n".join(describe(parser, settings)))
        return None
    return settings.args
