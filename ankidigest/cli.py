"""The command line: parse arguments, call the library, print a summary. Only this module prints."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from ankidigest.model import Document, NoteSpec
    from ankidigest.notes.build import BuildOptions
    from ankidigest.update.reconcile import UpdateReport

EXIT_OK = 0
EXIT_INPUT = 1
EXIT_USAGE = 2

EPILOG = """\
The output format follows the extension: .apkg (an Anki package), .json (one
object per note), .txt or .csv (Anki's text import: File > Import; the same
guids as the package, so it updates the same notes; the note type must already
be in Anki, from any ankidigest .apkg), or '-' for JSON on standard output.

Re-importing a newer export updates the notes you already have: a note's
identity is its article URL, its term and the term's occurrence in that
article, never the sentence, so fixing a typo updates the card and keeps its
review history. When the output .apkg already exists (or --previous names an
earlier export, also one exported by Anki), each note is matched to its
earlier note by sentence (a corrected article URL or an unbolded earlier
occurrence keeps every card's history); notes whose content did not change
keep their time, so Anki leaves them, and your own edits to them, alone;
changed notes get the export time ($SOURCE_DATE_EPOCH, if set), so they win.
Import with Update notes: "If newer" (Anki's default); "Always" overwrites
your edits in Anki on every import.

Only bold inside a real sentence is a term: labels ("**Examples:**"), headwords
of a word list, bold that is the whole line or most of a sentence, bold in a
definition or a translation are skipped (-v says why). --check lists them, and
the problems worth fixing, without writing anything:

  ankidigest --check notes/        # exit 1 if it finds problems (pre-commit)

Options set once for a blog go in ankidigest.toml, or [tool.ankidigest] in
pyproject.toml (deck = "English::{title}", tags = ["english"], ...), found from
the inputs' folder upward; the command line wins. --print-config shows them.

exit codes:
  0  done (--check: no problems)
  1  input error (missing or unreadable post, no posts in a folder, no bold
     term to export) or output error; --check: problems found
  2  usage error (bad option, unknown output format, bad config file)
  130  interrupted (Ctrl-C); nothing was written (--watch: how it ends)
  141  standard output closed (e.g. '-o - | head'): nothing more is printed
  143  terminated (SIGTERM); nothing was written
"""


def build_parser() -> argparse.ArgumentParser:
    from ankidigest.usage import Parser
    from ankidigest.version import __version__

    parser = Parser(
        prog="ankidigest",
        description="Turn markdown reading notes into Anki cloze cards: "
        "each **bolded** word becomes a card of its sentence.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "inputs",
        nargs="*",
        metavar="INPUT",
        help="markdown posts, or folders searched recursively for *.md",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="where to write: NAME.apkg, NAME.json, NAME.txt or NAME.csv (Anki's text "
        "import), or - for JSON on stdout (required unless --check or --preview)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; list every skipped bold and why, and problems (bold crossing "
        "a sentence boundary, empty or one-letter bold, terms missing from their "
        "sentence, duplicate terms in an article); exit 1 if there are problems",
    )
    parser.add_argument(
        "--preview",
        metavar="FILE",
        help="also write FILE, an HTML page: every card, front and back as Anki shows it, by post "
        "and article, new and changed notes marked, a night-mode switch (no script). "
        "Without -o only the preview is written (compared with --previous, if given)",
    )
    parser.add_argument(
        "--site",
        metavar="DIR",
        help="also write DIR, decks to publish with a blog: per post NAME.apkg (its own "
        "deck; DIR/NAME.apkg of the last run is its prior export, so a reader's newer "
        "download updates their cards) and NAME.html (its cards, as --preview shows them, "
        "and a download link), and index.html; relative links, no script. Copy DIR into "
        "your Jekyll, Hugo or MkDocs site. Written atomically; DIR must be new, empty or "
        "an earlier --site. Without -o only the site is written",
    )
    parser.add_argument(
        "--watch",
        action="store_true",
        help="export (or --check) again each time a post is saved, until Ctrl-C; "
        "unchanged posts come from the cache",
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
        choices=("term", "sentence", "lemma"),
        default="term",
        help="one note per bolded term (default); one note per sentence with one cloze per "
        "term; or one note per word (lemma) in its deck: one card, the newest sentence as "
        "the cloze, the word's other sentences and their articles on the back (several "
        "posts without --deck then share the deck 'ankidigest')",
    )
    parser.add_argument(
        "--order",
        choices=("post", "date", "date-newest", "frequency", "level"),
        default="post",
        help="the order Anki shows new cards in (each card's new-card position, 'due'): "
        "as written (default: its place in the export); by article date, oldest or newest "
        "first; common words first (frequency rank); or by exam level (zhongkao ... gre, "
        "common words first within one). Positions other than 'post' are absolute (a date, "
        "a rank), so a re-export gives each note the same one and a new note lands among "
        "its neighbours. Anki keeps the position of a new card as imported and never "
        "changes a card it already has: --order sets the order of cards new to Anki",
    )
    card = parser.add_argument_group("what the cards teach (offline, from the dictionary)")
    card.add_argument(
        "--hint",
        choices=("gloss", "first-letter", "pos", "none"),
        default="gloss",
        help="what the front shows in the gap: the Chinese gloss (default), the first "
        "letter, the part of speech, or nothing",
    )
    card.add_argument(
        "--no-enrich",
        action="store_true",
        help="leave Lemma, Definition, Pronunciation and Audio empty, and add no "
        "level::/freq:: tags (the dictionary is used by default)",
    )
    card.add_argument(
        "--dict",
        action="append",
        default=[],
        metavar="FILE",
        help="a dictionary to consult first: ECDICT .csv or StarDict .ifo (repeatable)",
    )
    card.add_argument(
        "--audio",
        action="store_true",
        help="add each word's pronunciation as MP3 (needs espeak-ng and lame)",
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
        "--force",
        action="store_true",
        help="export even when the output (or --previous) was exported with another "
        "--group: every note is then new, and the old notes stay in Anki beside them",
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
    anki = parser.add_argument_group("straight into a running Anki (AnkiConnect)")
    anki.add_argument(
        "--push",
        action="store_true",
        help="send the notes straight into a running Anki through the AnkiConnect add-on: "
        "new notes are added, changed ones updated in place; your tags and review history "
        "stay, nothing is deleted. With -o, the file is written too",
    )
    anki.add_argument(
        "--anki-url",
        metavar="URL",
        help="where AnkiConnect listens (default http://127.0.0.1:8765)",
    )
    anki.add_argument(
        "--anki-key",
        metavar="KEY",
        help="AnkiConnect's API key, if you set one (better: $ANKIDIGEST_ANKI_KEY, "
        "which other users cannot see in the process list)",
    )
    talk = parser.add_mutually_exclusive_group()
    talk.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="list every skipped bold and warning, and every new, changed (old -> new "
        "text of each field that differs), moved and removed note, with file:line",
    )
    talk.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    parser.add_argument(
        "--print-config",
        action="store_true",
        help="print the options after the config file (ankidigest.toml, or [tool.ankidigest] "
        "in pyproject.toml, found from the inputs' folder upward) and where each came from",
    )
    parser.add_argument(
        "--completion",
        choices=("bash", "zsh"),
        help="print a shell completion script, e.g. "
        'eval "$(ankidigest --completion bash)" in ~/.bashrc',
    )
    parser.add_argument("--version", action="version", version=f"ankidigest {__version__}")
    return parser


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
        configured = _configured(parser, argv, args)
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
        return _watch(parser, args)
    return _run(parser, args)


def _run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """One run of the parsed command line (--watch runs it again on each save)."""
    if args.jobs is not None and args.jobs < 1:
        return _usage_error(parser, "--jobs must be 1 or more")
    if args.check:
        return _check(args.inputs, args.terms, args.quiet, args.encoding)
    if args.push and not (args.output or args.preview):
        code = _push(parser, args, None)
        return _site(parser, args) if args.site and code == EXIT_OK else code
    if args.site and not (args.output or args.preview):
        return _site(parser, args)

    from ankidigest.api import export
    from ankidigest.errors import AnkidigestError, NothingToExport, StdoutError, UsageError
    from ankidigest.run.cache import default_dir
    from ankidigest.run.progress import ProgressBar

    options = _options(args)
    bar = ProgressBar(sys.stderr) if not args.quiet and sys.stderr.isatty() else None
    term = _catch_sigterm()
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
        return _usage_error(parser, str(exc))
    except StdoutError as exc:
        return _stdout_failed(exc)
    except AnkidigestError as exc:
        if args.verbose and isinstance(exc, NothingToExport):
            _print_documents(cast("Sequence[Document]", exc.documents))
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
        _print_documents(result.documents)
        for line in report_lines(result.report):
            print(line, file=sys.stderr)
    if args.push:
        code = _push(parser, args, result.notes)
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
    if args.site:
        return _site(parser, args)
    return EXIT_OK


def _site(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
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
        return _usage_error(parser, str(exc))
    except AnkidigestError as exc:
        print(f"ankidigest: error: {exc}; {args.site} was left as it was", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"ankidigest: interrupted; {args.site} was left as it was", file=sys.stderr)
        return 130
    if not args.quiet:
        cards = sum(p.cards for p in posts)
        print(
            f"ankidigest: site {args.site}: {_n(len(posts), 'deck', 'decks')}, "
            f"{_n(cards, 'card', 'cards')} -> {args.site}/index.html",
            file=sys.stderr,
        )
    return EXIT_OK


def _push(
    parser: argparse.ArgumentParser,
    args: argparse.Namespace,
    notes: Sequence[NoteSpec] | None,
) -> int:
    """``--push``: the notes of an export just made (``notes``), or the posts read and
    built now, into the collection behind AnkiConnect; one summary line on stderr."""
    import os

    from ankidigest.api import push
    from ankidigest.deliver.changes import NotesNotUpdated
    from ankidigest.deliver.push import push_notes
    from ankidigest.errors import AnkidigestError, UsageError

    url = args.anki_url or "http://127.0.0.1:8765"
    key = args.anki_key or os.environ.get("ANKIDIGEST_ANKI_KEY") or None
    todo = {"url": url, "key": key, "mark_removed": args.mark_removed, "dry_run": args.dry_run}
    try:
        if notes is None:
            options = _options(args)
            report = push(
                args.inputs,
                options,
                terms=args.terms,
                encoding=args.encoding,
                jobs=args.jobs,
                **todo,
            )
        elif args.group != "term":
            raise UsageError("--push works with --group term only (for now)")
        else:
            report = push_notes(list(notes), **todo)
    except UsageError as exc:
        return _usage_error(parser, str(exc))
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


def _watch(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """``--watch``: run, then run again each time a post is saved, until Ctrl-C (130).
    A run that fails (a post mid-edit) is reported and the watch goes on; a usage
    error ends it. SIGTERM (a service manager's stop) stops it as Ctrl-C does."""
    import signal

    from ankidigest.watch import changes

    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        code = _run(parser, args)
        if code == EXIT_USAGE:
            return code
        if not args.quiet:
            print("ankidigest: watching the posts; Ctrl-C stops", file=sys.stderr)
        for saved in changes(args.inputs):
            if not args.quiet:
                print(f"ankidigest: saved: {', '.join(saved)}", file=sys.stderr)
            if _run(parser, args) == 130:  # Ctrl-C during the export
                return 130
    except KeyboardInterrupt:
        pass
    print("ankidigest: stopped watching", file=sys.stderr)
    return 130


def _configured(
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


def _options(args: argparse.Namespace) -> BuildOptions:
    """The BuildOptions the arguments ask for (enrichment on unless --no-enrich)."""
    from ankidigest.notes.build import BuildOptions
    from ankidigest.notes.enrichment import EnrichOptions

    enrich = None if args.no_enrich else EnrichOptions(tuple(args.dict), audio=args.audio)
    return BuildOptions(args.deck, tuple(args.tag), args.group, enrich, args.hint)


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


def _print_documents(documents: Sequence[Document]) -> None:
    """-v: every warning and skipped bold of the posts, with file:line."""
    for doc in documents:
        for warning in doc.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        for skip in doc.skips:
            print(str(skip), file=sys.stderr)


def report_lines(report: UpdateReport) -> list[str]:
    """One line per new, changed and removed note (unchanged ones are not listed)."""
    lines = [f"{n.path}:{n.line}: new {', '.join(n.terms)!r}" for n in report.new]
    for n in report.changed:
        lines.append(f"{n.path}:{n.line}: changed {', '.join(n.terms)!r}")
        lines.extend(f"    {name}: {old!r} -> {new!r}" for name, old, new in report.differences(n))
    lines.extend(
        f"{n.path}:{n.line}: moved {', '.join(n.terms)!r} (keeps {n.key}, now {n.built})"
        for n in report.moved
    )
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
    from ankidigest.usage import fail

    return fail(parser, message)


def _n(count: int, one: str, many: str) -> str:
    """'1 post', '2 posts'."""
    return f"{count} {one if count == 1 else many}"
