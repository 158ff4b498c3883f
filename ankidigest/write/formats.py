"""Which writer an output path asks for, and the last check before anything is written."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence

from ankidigest.errors import OutputError, UsageError
from ankidigest.model import NoteSpec

OUTPUT_FORMATS = (".apkg", ".json", ".txt", ".csv")


def output_format(path: str) -> str:
    """'.apkg', '.json', '.txt' or '.csv', from the output path ('-' means JSON on stdout)."""
    if path == "-":
        return ".json"
    ext = os.path.splitext(path)[1].lower()
    if os.path.isdir(path):
        example = os.path.join(path, "deck.apkg")
        raise UsageError(f"{path}: is a folder; -o names the file to write, e.g. {example}")
    if not ext:
        raise UsageError(
            f"{path}: no file extension; the output is NAME.apkg (an Anki package), "
            "NAME.json, or '-' for JSON on stdout"
        )
    if ext not in OUTPUT_FORMATS:
        raise UsageError(
            f"{path}: unknown output format {ext or '(none)'!r}; "
            "use .apkg, .json, .txt, .csv or '-'"
        )
    return ext


def write_package(
    notes: Sequence[NoteSpec],
    path: str,
    kept: Sequence[NoteSpec] = (),
    *,
    checked: Mapping[int, tuple[str, ...]] | None = None,
) -> None:
    """Write notes to ``path``: .apkg, .json, .txt/.csv (Anki's text import), or '-' for
    JSON on stdout. Atomic.

    ``kept``: notes removed from the posts, recorded in an .apkg for --mark-removed.
    ``checked``: see ``check_fields``.
    """
    check_fields(notes, checked)
    write_notes(notes, path, kept)


def write_notes(notes: Sequence[NoteSpec], path: str, kept: Sequence[NoteSpec] = ()) -> None:
    """The writer ``path``'s extension asks for (no check: see ``write_package``)."""
    ext = output_format(path)
    if ext == ".apkg":
        from ankidigest.write.apkg import write_apkg

        write_apkg(notes, path, kept)
    elif ext in (".txt", ".csv"):
        from ankidigest.write.text import write_text

        write_text(notes, path, ext)
    else:
        from ankidigest.write.jsonout import write_json

        write_json(notes, path)


def check_fields(
    notes: Iterable[NoteSpec], checked: Mapping[int, tuple[str, ...]] | None = None
) -> None:
    """Raise OutputError if any field holds markup other than <b>, </b> and <br>.

    ``checked``: id -> fields tuple of notes checked already (by the worker that built
    them, or before they were cached); a note holding one of those very tuples passes.
    """
    from ankidigest.notes.notetype import FIELD_NAMES
    from ankidigest.sanitize import AUDIO_FIELD, AUDIO_REF, fields_safe, unsafe_markup

    checked = checked or {}
    for note in notes:
        if checked.get(id(note.fields)) is note.fields or fields_safe(note.fields):
            continue
        for i, (name, value) in enumerate(zip(FIELD_NAMES, note.fields, strict=True)):
            bad = unsafe_markup(value)
            if i == AUDIO_FIELD and value and not AUDIO_REF.fullmatch(value):
                bad = value[:40]
            elif i != AUDIO_FIELD and "[sound:" in value:
                bad = "[sound:"
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
