"""The package as users get it: the public names, a fast start-up, the metadata."""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import json
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest

import ankidigest

from conftest import REPO

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
    "push",
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


def _pyproject() -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    data: dict[str, Any] = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    return data


def test_metadata_has_urls_classifiers_and_absolute_readme_links() -> None:
    project = _pyproject()["project"]
    assert {"Homepage", "Source", "Issues", "Changelog", "Documentation"} <= set(project["urls"])
    classifiers = project["classifiers"]
    assert "License :: OSI Approved :: MIT License" not in classifiers  # license = "MIT" says it
    assert any(c.startswith("Development Status") for c in classifiers)
    assert "Programming Language :: Python :: 3.10" in classifiers
    assert any("tomli" in d and "python_version < '3.11'" in d for d in project["dependencies"])
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    relative = re.findall(r"\]\((?!https?://|#)([^)]+)\)", readme)
    assert not relative, f"relative links break on the package index page: {relative}"


DATA = (
    "ankidigest/enrich/data/ecdict.tsv",
    "ankidigest/enrich/data/ecdict.tsv.sha256",
    "ankidigest/enrich/data/LICENSE-ECDICT.txt",
)


@pytest.mark.slow
def test_sdist_carries_tests_examples_and_docs(tmp_path: Path) -> None:
    try:  # not importorskip: a setuptools build/ folder in the checkout imports as "build"
        importlib.metadata.distribution("build")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("the 'build' package is not installed")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "build",  # the sdist, then the wheel from it
            "-o",
            str(tmp_path),
            str(REPO),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    (sdist,) = tmp_path.glob("ankidigest-*.tar.gz")
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    for needed in (
        "tests/conftest.py",
        "tests/cases/sentences.md",
        "examples/2025-03-02-science-news.md",
        "docs/DESIGN.md",
        "docs/tutorial.md",
        "docs/reference.md",
        "docs/make_reference.py",
        ".pre-commit-hooks.yaml",
        "CHANGELOG.md",
        "scripts/build_dictionary.py",  # tests/test_enrich_datafile.py runs its writer
        *DATA,
    ):
        assert needed in names, needed
    assert not [n for n in names if "__pycache__" in n or n.endswith(".gz")]
    (wheel,) = tmp_path.glob("ankidigest-*.whl")
    with zipfile.ZipFile(wheel) as whl:
        data = [i for i in whl.infolist() if i.filename.startswith("ankidigest/enrich/data/")]
    assert sorted(i.filename for i in data) == sorted(DATA)  # no gzip'd file of before
    assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in data)
    assert sum(i.compress_size for i in data) <= 10_000_000  # the data's budget in a wheel
    if importlib.util.find_spec("twine") is not None:
        check = subprocess.run(
            [sys.executable, "-m", "twine", "check", "--strict", str(sdist)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert check.returncode == 0, check.stdout + check.stderr
