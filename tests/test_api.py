"""The public Python API: what users import, pinned so it changes only on purpose."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import ankidigest

from conftest import EXAMPLE


def test_public_names_are_pinned() -> None:
    assert sorted(ankidigest.__all__) == sorted(
        [
            "AnkidigestError", "Article", "BuildOptions", "Document", "ExportResult",
            "InputError", "NoteSpec", "OutputError", "Paragraph", "Post", "Sentence", "Skip",
            "Term", "UsageError", "__version__", "build_notes", "export", "find_posts", "push",
            "read_posts", "walk", "write_package",
        ]
    )  # fmt: skip
    for name in ankidigest.__all__:
        assert hasattr(ankidigest, name), name
    assert (Path(ankidigest.__file__).parent / "py.typed").exists()


def test_steps_compose_like_export(tmp_path: Path) -> None:
    docs = ankidigest.read_posts([str(EXAMPLE)])
    notes = ankidigest.build_notes(docs, ankidigest.BuildOptions(tags=("science",)))
    ankidigest.write_package(notes, str(tmp_path / "steps.json"))
    result = ankidigest.export([str(EXAMPLE)], str(tmp_path / "export.json"))
    steps = json.loads((tmp_path / "steps.json").read_text(encoding="utf-8"))
    exported = json.loads((tmp_path / "export.json").read_text(encoding="utf-8"))
    assert [n["guid"] for n in steps] == [n["guid"] for n in exported]
    assert all("science" in n["tags"] for n in steps)
    assert result.terms == len(result.notes) == len(exported) == 26
    assert result.articles == 5


def test_every_error_is_an_ankidigest_error(tmp_path: Path) -> None:
    with pytest.raises(ankidigest.AnkidigestError):
        ankidigest.export([str(tmp_path / "missing.md")], str(tmp_path / "x.apkg"))
    with pytest.raises(ankidigest.AnkidigestError):
        ankidigest.export([str(EXAMPLE)], str(tmp_path / "x.tsv"))
