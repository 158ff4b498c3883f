"""ankidigest: markdown reading notes with bolded words -> Anki cloze decks.

Typical use::

    from ankidigest import export
    result = export(["post.md"], "war.apkg")

or step by step: ``read_posts`` -> ``build_notes`` -> ``write_package``.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .api import ExportResult, export, find_posts, read_posts, write_package
from .build import BuildOptions, build_notes
from .errors import AnkidigestError, InputError, OutputError, UsageError
from .model import Article, Document, NoteSpec, Paragraph, Post, Sentence, Skip, Term
from .walker import walk

try:
    __version__ = version("ankidigest")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

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
    "read_posts",
    "walk",
    "write_package",
]
