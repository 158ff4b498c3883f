"""Write: NoteSpecs -> Anki's text import format (File → Import of a .txt or .csv).

The layout is the one Anki's own "Notes in Plain Text" export writes, with the
header lines its importer reads (``#separator``, ``#html``, ``#guid column``,
``#notetype column``, ``#deck column``, ``#tags column``): one line per note, the
guid, the note type's name, the deck, our fields in note-type order, the tags. The
importer matches a note by its guid, as the .apkg importer does, so a text export
and a package of the same posts update the same notes.

What Anki's text importer does differently from the .apkg importer (tested in
tests/test_text_export.py with the real importer):

- It never creates a note type: ours must already be in the collection (import any
  ankidigest .apkg once). A line whose note type is missing is not imported.
- With the default "if matches: update", a note with a known guid is updated whenever
  its fields or tags differ, whatever its ``mod``; an identical note is left alone.
  The imported note's ``mod`` becomes the time of the import. ("Preserve" leaves
  known notes alone; Anki remembers the last choice.)

Fields are HTML already (``#html:true``). A field is quoted when it holds the
separator, a quote or a line break, or starts with "#" (the importer reads a line
starting with "#" as a comment, and a guid may start with one).
"""

from __future__ import annotations

from collections.abc import Sequence

from ankidigest.model import NoteSpec
from ankidigest.notes.notetype import FIELD_NAMES, MODEL_NAME
from ankidigest.sanitize import no_surrogates
from ankidigest.write.atomic import write_atomic

# 1-based columns, as in the header lines.
GUID_COLUMN = 1
NOTETYPE_COLUMN = 2
DECK_COLUMN = 3
FIRST_FIELD_COLUMN = 4
TAGS_COLUMN = FIRST_FIELD_COLUMN + len(FIELD_NAMES)
SEPARATORS = {".txt": ("\t", "tab"), ".csv": (",", "comma")}


def quote(value: str, separator: str) -> str:
    """One field of a line: quoted (quotes doubled) when it must be."""
    if (
        separator in value
        or '"' in value
        or "\n" in value
        or "\r" in value
        or value.startswith("#")
    ):
        return '"' + value.replace('"', '""') + '"'
    return value


def header(separator_name: str) -> str:
    lines = [
        f"#separator:{separator_name}",
        "#html:true",
        f"#guid column:{GUID_COLUMN}",
        f"#notetype column:{NOTETYPE_COLUMN}",
        f"#deck column:{DECK_COLUMN}",
        f"#tags column:{TAGS_COLUMN}",
    ]
    return "\n".join(lines) + "\n"


def dumps(notes: Sequence[NoteSpec], ext: str = ".txt") -> str:
    """The file's text: the header lines, then one line per note."""
    separator, name = SEPARATORS[ext]
    out = [header(name)]
    for note in notes:
        row = (note.guid, MODEL_NAME, note.deck, *note.fields, " ".join(note.tags))
        out.append(separator.join(quote(value, separator) for value in row) + "\n")
    text = "".join(out)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a file name that is not UTF-8 (in the Post field)
        text = no_surrogates(text)
    return text


def write_text(notes: Sequence[NoteSpec], path: str, ext: str) -> None:
    """Write the text import file to ``path`` atomically (UTF-8, no BOM)."""
    text = dumps(notes, ext)

    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)

    write_atomic(path, write)
