"""ankidigest: markdown reading notes with bolded words -> Anki cloze decks.

Typical use::

    from ankidigest import export
    result = export(["post.md"], "war.apkg")

or step by step: ``read_posts`` -> ``build_notes`` -> ``write_package``.

The public names are loaded on first use (``__getattr__`` below), so the command
line's ``--help`` and ``--version`` do not import the whole pipeline.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ankidigest.version import __version__

if TYPE_CHECKING:
    from ankidigest.api import ExportResult, export, find_posts, push, read_posts, write_package
    from ankidigest.errors import AnkidigestError, InputError, OutputError, UsageError
    from ankidigest.model import (
        Article,
        Document,
        NoteSpec,
        Paragraph,
        Post,
        Sentence,
        Skip,
        Term,
    )
    from ankidigest.notes.build import BuildOptions, build_notes
    from ankidigest.read.walker import walk

# Where each public name lives; ``from ankidigest import X`` imports only X's module.
_LAZY = {
    "ExportResult": "ankidigest.api",
    "export": "ankidigest.api",
    "find_posts": "ankidigest.api",
    "push": "ankidigest.api",
    "read_posts": "ankidigest.api",
    "write_package": "ankidigest.api",
    "AnkidigestError": "ankidigest.errors",
    "InputError": "ankidigest.errors",
    "OutputError": "ankidigest.errors",
    "UsageError": "ankidigest.errors",
    "Article": "ankidigest.model",
    "Document": "ankidigest.model",
    "NoteSpec": "ankidigest.model",
    "Paragraph": "ankidigest.model",
    "Post": "ankidigest.model",
    "Sentence": "ankidigest.model",
    "Skip": "ankidigest.model",
    "Term": "ankidigest.model",
    "BuildOptions": "ankidigest.notes.build",
    "build_notes": "ankidigest.notes.build",
    "walk": "ankidigest.read.walker",
}

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


def __getattr__(name: str) -> Any:
    """Import a public name's module the first time the name is used."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'ankidigest' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
