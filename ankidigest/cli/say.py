"""What every command-line mode shares: usage errors, counts, skip lists, the update
report's lines, standard output failures, SIGTERM and the build options."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ankidigest.cli.parser import EXIT_INPUT

if TYPE_CHECKING:
    from ankidigest.model import Document
    from ankidigest.notes.build import BuildOptions
    from ankidigest.update.reconcile import UpdateReport


def print_documents(documents: Sequence[Document]) -> None:
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


def stdout_failed(exc: Exception) -> int:
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


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is, so that it cleans up as for Ctrl-C."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated


def catch_sigterm() -> object:
    """Turn SIGTERM into Terminated while exporting; the handler it replaces."""
    import signal

    try:
        return signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:  # not the main thread: leave signals alone
        return None


def restore_sigterm(previous: object) -> None:
    import signal

    if previous is not None:
        signal.signal(signal.SIGTERM, previous)  # type: ignore[arg-type]


def usage_error(parser: argparse.ArgumentParser, message: str) -> int:
    """Report a usage problem found by the library the way argparse reports its own."""
    from ankidigest.usage import fail

    return fail(parser, message)


def plural(count: int, one: str, many: str) -> str:
    """'1 post', '2 posts'."""
    return f"{count} {one if count == 1 else many}"


def build_options(args: argparse.Namespace) -> BuildOptions:
    """The BuildOptions the arguments ask for (enrichment on unless --no-enrich)."""
    from ankidigest.notes.build import BuildOptions
    from ankidigest.notes.enrichment import EnrichOptions

    enrich = None if args.no_enrich else EnrichOptions(tuple(args.dict), audio=args.audio)
    return BuildOptions(args.deck, tuple(args.tag), args.group, enrich, args.hint)
