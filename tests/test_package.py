"""The package as users get it: the public names, a fast start-up, the metadata."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest

import ankidigest

PUBLIC = [
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


def test_all_is_pinned_and_every_name_resolves() -> None:
    assert ankidigest.__all__ == PUBLIC
    for name in PUBLIC:
        assert getattr(ankidigest, name) is not None
        assert name in dir(ankidigest)
    assert ankidigest.export is importlib.import_module("ankidigest.api").export
    assert ankidigest.BuildOptions is importlib.import_module("ankidigest.notes.build").BuildOptions
    with pytest.raises(AttributeError, match="no attribute 'nosuch'"):
        _ = ankidigest.nosuch  # type: ignore[attr-defined]


def test_star_import_gives_the_public_names() -> None:
    namespace: dict[str, object] = {}
    exec("from ankidigest import *", namespace)
    assert sorted(k for k in namespace if k != "__builtins__") == sorted(PUBLIC)


def _modules_after(code: str) -> set[str]:
    probe = f"import sys, json\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(json.loads(proc.stdout.splitlines()[-1]))


def test_help_does_not_import_the_pipeline() -> None:
    """--help and --version stay fast: no parser, no writer, no mistune or sqlite."""
    loaded = _modules_after(
        "from ankidigest.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass"
    )
    heavy = {"ankidigest.api", "ankidigest.read.walker", "mistune", "sqlite3", "genanki", "yaml"}
    assert not loaded & heavy, sorted(loaded & heavy)
    assert "ankidigest.api" not in _modules_after("import ankidigest")
    assert "ankidigest.api" in _modules_after("from ankidigest import export")
