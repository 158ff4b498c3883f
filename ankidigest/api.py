"""The library API: read posts, build notes, write a package. The CLI is a thin layer on this."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .build import BuildOptions, build_notes
from .errors import InputError, OutputError, UsageError
from .model import Document, NoteSpec
from .walker import read_post

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


def read_posts(inputs: Iterable[str], encoding: str | None = None) -> list[Document]:
    """Read every post named by ``inputs`` (files or folders) into Documents.

    Posts are UTF-8 (with or without BOM) unless ``encoding`` names another codec.
    """
    return [read_post(path, encoding) for path in find_posts(inputs)]


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


def write_package(notes: Sequence[NoteSpec], path: str) -> None:
    """Write notes to ``path``: .apkg, .json, or '-' for JSON on stdout. Atomic.

    Refuses (OutputError, nothing written) a note whose fields hold markup or
    characters ankidigest never emits: see SECURITY.md.
    """
    check_fields(notes)
    if output_format(path) == ".apkg":
        from .apkg import write_apkg

        write_apkg(notes, path)
    else:
        from .jsonout import write_json

        write_json(notes, path)


def check_fields(notes: Iterable[NoteSpec]) -> None:
    """Raise OutputError if any field holds markup other than <b>, </b> and <br>."""
    from .notetype import FIELD_NAMES
    from .sanitize import unsafe_markup

    for note in notes:
        for name, value in zip(FIELD_NAMES, note.fields, strict=True):
            bad = unsafe_markup(value)
            if bad is not None:
                raise OutputError(
                    f"{note.path}:{note.line}: field {name} would hold {bad!r}; "
                    "nothing was written (please report this as a bug)"
                )


@dataclass(frozen=True)
class ExportResult:
    documents: tuple[Document, ...]
    notes: tuple[NoteSpec, ...]

    @property
    def articles(self) -> int:
        return sum(d.articles for d in self.documents)

    @property
    def terms(self) -> int:
        return sum(d.term_count for d in self.documents)

    @property
    def skipped(self) -> int:
        return sum(len(d.skips) for d in self.documents)


def export(
    inputs: Iterable[str],
    output: str,
    options: BuildOptions | None = None,
    encoding: str | None = None,
) -> ExportResult:
    """Read, build and write in one call: what ``ankidigest INPUT... -o OUTPUT`` does."""
    output_format(output)
    documents = read_posts(inputs, encoding)
    notes = build_notes(documents, options)
    write_package(notes, output)
    return ExportResult(tuple(documents), tuple(notes))
