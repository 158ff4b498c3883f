"""ankidigest: markdown reading notes with bolded words -> Anki cloze decks.

Typical use::

    from ankidigest import export
    result = export(["post.md"], "war.apkg")

or step by step: ``read_posts`` -> ``build_notes`` -> ``write_package``.
"""

from __future__ import annotations

from ankidigest.api import ExportResult, export, find_posts, push, read_posts, write_package
from ankidigest.errors import AnkidigestError, InputError, OutputError, UsageError
from ankidigest.model import Article, Document, NoteSpec, Paragraph, Post, Sentence, Skip, Term
from ankidigest.notes.build import BuildOptions, build_notes
from ankidigest.read.walker import walk
from ankidigest.version import __version__

__all__ = [
    "AnkidigestError",
    "Article",
    "BuildOptions",
    "Document",
    "ExportResult",
    "InputError",
    "NoteSpec",
    "OutputError",
    "Paragraph",
    "Post",
    "Sentence",
    "Skip",
    "Term",
    "UsageError",
    "__version__",
    "build_notes",
    "export",
    "find_posts",
    "push",
    "read_posts",
    "walk",
    "write_package",
]
