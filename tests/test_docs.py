"""The docs follow the parser: the generated reference is current, and every option is
in the reference, the README and the tutorial."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from types import ModuleType

import pytest

from ankidigest.cli import main

from conftest import REPO

# Options the tutorial need not walk through (the reference and README have them all).
NOT_IN_TUTORIAL = {"--help"}


def _maker() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_reference", REPO / "docs" / "make_reference.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _options(capsys: pytest.CaptureFixture[str]) -> set[str]:
    assert main(["--help"]) == 0
    help_text = capsys.readouterr().out
    options = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", help_text))
    assert {"--deck", "--check", "--print-config", "--completion"} <= options
    return options


def test_reference_is_what_the_script_makes_now() -> None:
    current = (REPO / "docs" / "reference.md").read_text(encoding="utf-8")
    assert current == _maker().reference(), "run: python docs/make_reference.py"
    proc = subprocess.run(
        [sys.executable, str(REPO / "docs" / "make_reference.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout


def test_every_option_is_in_the_reference_readme_and_tutorial(
    capsys: pytest.CaptureFixture[str],
) -> None:
    docs = {
        name: (REPO / path).read_text(encoding="utf-8")
        for name, path in (
            ("reference", "docs/reference.md"),
            ("README", "README.md"),
            ("tutorial", "docs/tutorial.md"),
        )
    }
    options = _options(capsys)
    missing = {
        name: sorted(o for o in options if f"`{o}" not in text and f" {o}" not in text)
        for name, text in docs.items()
    }
    missing["tutorial"] = [o for o in missing["tutorial"] if o not in NOT_IN_TUTORIAL]
    assert missing == {"reference": [], "README": [], "tutorial": []}
    table = [line for line in docs["reference"].splitlines() if line.startswith("| `")]
    assert all(line.count(" | ") == 4 for line in table), "a cell broke the table"


def test_readme_links_to_the_tutorial_and_reference() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "docs/tutorial.md" in readme and "docs/reference.md" in readme
