"""The command line: parse arguments, call the library, print a summary. Only this module prints."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

EXIT_OK = 0
EXIT_INPUT = 1
EXIT_USAGE = 2

EPILOG = """\
The output format follows the extension: .apkg (an Anki package), .json (one
object per note), or '-' for JSON on standard output.

Re-importing a newer export updates the notes you already have: a note's
identity is its article URL, its term and the term's occurrence in that
article, never the sentence, so fixing a typo updates the card and keeps its
review history.

exit codes:
  0  done
  1  input error (missing or unreadable post, no posts in a folder) or output error
  2  usage error (bad option, unknown output format)
"""


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

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
        required=True,
        metavar="FILE",
        help="where to write: NAME.apkg, NAME.json, or - for JSON on stdout",
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
    talk = parser.add_mutually_exclusive_group()
    talk.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="list every skipped bold and warning with file:line",
    )
    talk.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    parser.add_argument("--version", action="version", version=f"ankidigest {__version__}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code (tests call this with a list of arguments)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help, --version, or a usage error
        return int(exc.code or 0)

    from .api import export
    from .build import BuildOptions
    from .errors import AnkidigestError

    options = BuildOptions(deck=args.deck, tags=tuple(args.tag), group=args.group)
    try:
        result = export(args.inputs, args.output, options, encoding=args.encoding)
    except AnkidigestError as exc:
        print(f"ankidigest: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("ankidigest: interrupted; nothing was written", file=sys.stderr)
        return 130

    if args.verbose:
        for doc in result.documents:
            for warning in doc.warnings:
                print(f"warning: {warning}", file=sys.stderr)
            for skip in doc.skips:
                print(str(skip), file=sys.stderr)
    if not args.quiet:
        posts = len(result.documents)
        target = "standard output" if args.output == "-" else args.output
        print(
            f"ankidigest: {posts} post{'s' if posts != 1 else ''}, {result.articles} articles, "
            f"{result.terms} terms, {len(result.notes)} notes, {result.skipped} skipped "
            f"-> {target}",
            file=sys.stderr,
        )
    return EXIT_OK
