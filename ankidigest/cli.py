"""The command line: parse arguments, call the library, print a summary. Only this module prints."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ankidigest.update.reconcile import UpdateReport

EXIT_OK = 0
EXIT_INPUT = 1
EXIT_USAGE = 2

EPILOG = """\
The output format follows the extension: .apkg (an Anki package), .json (one
object per note), or '-' for JSON on standard output.

Re-importing a newer export updates the notes you already have: a note's
identity is its article URL, its term and the term's occurrence in that
article, never the sentence, so fixing a typo updates the card and keeps its
review history. When the output .apkg already exists (or --previous names an
earlier export), notes whose content did not change keep their time, so Anki
leaves them, and your own edits to them, alone.

Only bold inside a real sentence is a term: labels ("**Examples:**"), headwords
of a word list, bold that is the whole line or most of a sentence, bold in a
definition or a translation are skipped (-v says why). --check lists them, and
the problems worth fixing, without writing anything:

  ankidigest --check notes/        # exit 1 if it finds problems (pre-commit)

exit codes:
  0  done (--check: no problems)
  1  input error (missing or unreadable post, no posts in a folder) or output
     error; --check: problems found
  2  usage error (bad option, unknown output format)
  130  interrupted (Ctrl-C); nothing was written
  141  standard output closed (e.g. '-o - | head'): nothing more is printed
  143  terminated (SIGTERM); nothing was written
"""


def build_parser() -> argparse.ArgumentParser:
    from ankidigest.version import __version__

    parser = argparse.ArgumentParser(
        prog="ankidigest",
        description="Turn markdown reading notes into Anki cloze cards: "
        "each **bolded** word becomes a card of its sentence.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="markdown posts, or folders searched recursively for *.md",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="where to write: NAME.apkg, NAME.json, or - for JSON on stdout "
        "(required unless --check)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; list every skipped bold and why, and problems (bold crossing "
        "a sentence boundary, empty or one-letter bold, terms missing from their "
        "sentence, duplicate terms in an article); exit 1 if there are problems",
    )
    parser.add_argument(
        "--terms",
        choices=("bold", "bold+highlight"),
        default="bold",
        help="what marks a term: bold only (default), or also ==highlight== and <mark>",
    )
    parser.add_argument(
        "--deck",
        metavar="NAME",
        help="deck name ('Parent::Child' nests; '{title}' is the post title). "
        "Default: the post's title; several posts: ankidigest::<title>",
    )
    parser.add_argument(
        "--tag",
        action="append",
        default=[],
        metavar="TAG",
        help="add TAG to every note (repeatable)",
    )
    parser.add_argument(
        "--group",
        choices=("term", "sentence"),
        default="term",
        help="one note per bolded term (default), or one note per sentence with one cloze per term",
    )
    parser.add_argument(
        "--encoding",
        metavar="CODEC",
        help="read posts in this encoding (e.g. latin-1, cp1252, utf-16). "
        "Default: UTF-8, with or without BOM",
    )
    parser.add_argument(
        "--previous",
        metavar="FILE",
        help="the .apkg exported last time, to compare with (default: the output file, "
        "if it is an existing .apkg)",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="report what is new, changed, unchanged and removed; write nothing",
    )
    parser.add_argument(
        "--mark-removed",
        action="store_true",
        help="export notes gone from the posts once more, tagged ankidigest::removed "
        "(Anki never deletes notes on import)",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=int,
        metavar="N",
        help="parse many posts in N processes (default: one per core; 1: no extra process)",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="re-read every post instead of reusing the ones that did not change "
        "(cache: $ANKIDIGEST_CACHE_DIR, else $XDG_CACHE_HOME/ankidigest or ~/.cache/ankidigest)",
    )
    talk = parser.add_mutually_exclusive_group()
    talk.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="list every skipped bold and warning, and every new, changed and "
        "removed note, with file:line",
    )
    talk.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    parser.add_argument("--version", action="version", version=f"ankidigest {__version__}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code (tests call this with a list of arguments)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.check and args.output:
            parser.error("--check writes nothing: leave out -o/--output")
        if not args.check and not args.output:
            parser.error("the following arguments are required: -o/--output (or use --check)")
    except SystemExit as exc:  # argparse: --help, --version, or a usage error
        return int(exc.code or 0)

    if args.jobs is not None and args.jobs < 1:
        return _usage_error(parser, "--jobs must be 1 or more")
    if args.check:
        return _check(args.inputs, args.terms, args.quiet, args.encoding)

    from ankidigest.api import export
    from ankidigest.errors import AnkidigestError, StdoutError, UsageError
    from ankidigest.notes.build import BuildOptions
    from ankidigest.run.cache import default_dir
    from ankidigest.run.progress import ProgressBar

    options = BuildOptions(deck=args.deck, tags=tuple(args.tag), group=args.group)
    bar = ProgressBar(sys.stderr) if not args.quiet and sys.stderr.isatty() else None
    term = _catch_sigterm()
    try:
        result = export(
            args.inputs,
            args.output,
            options,
            previous=args.previous,
            mark_removed=args.mark_removed,
            dry_run=args.dry_run,
            terms=args.terms,
            encoding=args.encoding,
            jobs=args.jobs,
            cache_dir=None if args.no_cache else default_dir(),
            progress=bar,
        )
    except UsageError as exc:
        return _usage_error(parser, str(exc))
    except StdoutError as exc:
        return _stdout_failed(exc)
    except AnkidigestError as exc:
        print(f"ankidigest: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt as exc:
        how = "terminated" if isinstance(exc, _Terminated) else "interrupted"
        print(f"ankidigest: {how}; nothing was written", file=sys.stderr)
        return 143 if isinstance(exc, _Terminated) else 130
    finally:
        _restore_sigterm(term)
        if bar:
            bar.close()  # before any message, so it starts on a clean line

    if not args.quiet:
        for warning in result.warnings:
            print(f"warning: {warning}", file=sys.stderr)
    if args.verbose:
        for doc in result.documents:
            for warning in doc.warnings:
                print(f"warning: {warning}", file=sys.stderr)
            for skip in doc.skips:
                print(str(skip), file=sys.stderr)
        for line in report_lines(result.report):
            print(line, file=sys.stderr)
    if not args.quiet:
        posts = len(result.documents)
        report = result.report
        target = "standard output" if args.output == "-" else args.output
        if args.dry_run:
            target = f"nothing written (dry run; would write {target})"
        since = f" since {report.prior}" if report.prior else ""
        print(
            f"ankidigest: {_n(posts, 'post', 'posts')}, {result.articles} articles, "
            f"{result.terms} terms, {len(result.notes)} notes, {result.skipped} skipped "
            f"({report.counts()}{since}) -> {target}",
            file=sys.stderr,
        )
        if report.marked:
            marked = len(report.marked)
            print(
                f"ankidigest: {_n(marked, 'note', 'notes')} gone from the posts "
                f"{'is' if marked == 1 else 'are'} exported once more, tagged "
                "ankidigest::removed: find and delete them in Anki",
                file=sys.stderr,
            )
        if report.unmarked:
            gone = len(report.unmarked)
            print(
                f"ankidigest: {_n(gone, 'note', 'notes')} gone from the posts "
                f"{'stays' if gone == 1 else 'stay'} in Anki (it never deletes on import); "
                "--mark-removed tags them ankidigest::removed",
                file=sys.stderr,
            )
    return EXIT_OK


def _check(inputs: Sequence[str], terms: str, quiet: bool, encoding: str | None) -> int:
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
        return _stdout_failed(exc)
    if not quiet:
        files = report.files
        print(
            f"ankidigest: {_n(files, 'file', 'files')} checked, "
            f"{len(report.problems)} problems, {len(report.skipped)} bold skipped",
            file=sys.stderr,
        )
    return EXIT_OK if report.ok else EXIT_INPUT


def report_lines(report: UpdateReport) -> list[str]:
    """One line per new, changed and removed note (unchanged ones are not listed)."""
    lines: list[str] = []
    for kind, notes in (("new", report.new), ("changed", report.changed)):
        lines.extend(f"{n.path}:{n.line}: {kind} {', '.join(n.terms)!r}" for n in notes)
    lines.extend(f"{n.path}: removed {', '.join(n.terms)!r} ({n.key})" for n in report.removed)
    lines.extend(f"{n.path}: tagged as removed {', '.join(n.terms)!r}" for n in report.marked)
    return lines


def _stdout_failed(exc: Exception) -> int:
    """Standard output failed: silence on a closed pipe (exit 141, as SIGPIPE), else one
    line (exit 1). Standard output then goes to /dev/null, so that flushing it at exit
    cannot fail again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
    if isinstance(exc, BrokenPipeError) or getattr(exc, "closed", False) is True:
        return 141
    if isinstance(exc, OSError):
        exc = OSError(f"standard output: cannot write: {exc.strerror or exc}")
    print(f"ankidigest: error: {exc}", file=sys.stderr)
    return EXIT_INPUT


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is, so that it cleans up as for Ctrl-C."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise _Terminated


def _catch_sigterm() -> object:
    """Turn SIGTERM into _Terminated while exporting; the handler it replaces."""
    import signal

    try:
        return signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:  # not the main thread: leave signals alone
        return None


def _restore_sigterm(previous: object) -> None:
    import signal

    if previous is not None:
        signal.signal(signal.SIGTERM, previous)  # type: ignore[arg-type]


def _usage_error(parser: argparse.ArgumentParser, message: str) -> int:
    """Report a usage problem found by the library the way argparse reports its own."""
    try:
        parser.error(message)
    except SystemExit as exc:
        return int(exc.code or EXIT_USAGE)
    return EXIT_USAGE


def _n(count: int, one: str, many: str) -> str:
    """'1 post', '2 posts'."""
    return f"{count} {one if count == 1 else many}"
