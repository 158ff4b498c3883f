"""ankidigest: markdown reading notes with bolded words -> Anki cloze decks.

Typical use::

    from ankidigest import export
    result = export(["post.md"], "war.apkg")

or step by step: ``read_posts`` -> ``build_notes`` -> ``write_package``.
"""

from __future__ import annotations

from .api import ExportResult, export, find_posts, read_posts, write_package
from .build import BuildOptions, build_notes
from .errors import AnkidigestError, InputError, OutputError, UsageError
from .model import Article, Document, NoteSpec, Paragraph, Post, Sentence, Skip, Term
from .walker import walk

# The one place the version is set (pyproject.toml reads it from here). A constant,
# not importlib.metadata: that import alone took a sixth of the start-up time.
__version__ = "0.1.0"

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
