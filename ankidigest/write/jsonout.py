"""Write: NoteSpecs -> JSON (a list with one object per note), to a file or stdout."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

from ankidigest.errors import StdoutError
from ankidigest.model import NoteSpec
from ankidigest.notes.notetype import FIELD_INDEX
from ankidigest.sanitize import no_surrogates
from ankidigest.write.atomic import write_atomic

_NOT_ENRICHED = ("", None, "", "", "", (), None, None)


def note_dict(note: NoteSpec) -> dict[str, Any]:
    fields = note.fields
    lemma, pos, gloss, definition, phonetic, level, frequency, audio = (
        note.enrichment or _NOT_ENRICHED
    )
    return {
        "term": ", ".join(note.terms),
        "terms": list(note.terms),
        "sentence": note.sentence,
        "source": note.source,
        "cloze": fields[FIELD_INDEX["Text"]],
        "guid": note.guid,
        "key": note.key,
        "deck": note.deck,
        "tags": list(note.tags),
        "date": note.date,
        "title": note.title,
        "section": note.section,
        "lemma": lemma,
        "pos": pos,
        "gloss": gloss,  # Chinese, one line per part of speech, the fitting one first
        "definition": definition,  # English, the fitting sense first
        "phonetic": phonetic,  # IPA, without the slashes
        "level": list(level),  # type: ignore[call-overload]
        "frequency": frequency,  # a rank (COCA, else BNC) or null
        "audio": audio,  # a media file name or null
        "translation": fields[FIELD_INDEX["Translation"]],
        "file": note.path,
        "line": note.line,
        "mod": note.mod,
    }


def dumps(notes: Sequence[NoteSpec]) -> str:
    text = json.dumps([note_dict(n) for n in notes], ensure_ascii=False, indent=1) + "\n"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a file name that is not UTF-8: JSON text must be UTF-8
        text = no_surrogates(text)
    return text


def write_json(notes: Sequence[NoteSpec], path: str) -> None:
    """Write JSON to ``path`` atomically, or to standard output when ``path`` is '-'."""
    text = dumps(notes)
    if path == "-":
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError:
            raise StdoutError("standard output: closed", closed=True) from None
        except OSError as exc:
            raise StdoutError(f"standard output: cannot write: {exc.strerror or exc}") from None
        return

    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)

    write_atomic(path, write)
