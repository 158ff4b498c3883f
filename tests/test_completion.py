"""Shell completion: the script --completion prints, run in a real bash."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from ankidigest.cli import main


def _complete(script: Path, cwd: Path, *words: str) -> list[str]:
    body = (
        f"source {script}; COMP_WORDS=({' '.join(repr(w) for w in words)}); "
        f"COMP_CWORD={len(words) - 1}; _ankidigest; printf '%s\\n' \"${{COMPREPLY[@]}}\""
    )
    proc = subprocess.run(
        ["bash", "--norc", "-c", body], cwd=cwd, capture_output=True, text=True, check=True
    )
    return proc.stdout.split()


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_completes_options_choices_and_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--completion", "bash"]) == 0
    script = tmp_path / "ankidigest.bash"
    script.write_text(capsys.readouterr().out, encoding="utf-8")
    (tmp_path / "week1.md").write_text("x", encoding="utf-8")
    assert _complete(script, tmp_path, "ankidigest", "--gr") == ["--group"]
    assert _complete(script, tmp_path, "ankidigest", "--group", "") == ["term", "sentence", "lemma"]
    assert _complete(script, tmp_path, "ankidigest", "--print-c") == ["--print-config"]
    assert _complete(script, tmp_path, "ankidigest", "wee") == ["week1.md"]
    assert _complete(script, tmp_path, "ankidigest", "x.md", "-o", "we") == ["week1.md"]


def test_zsh_script_uses_the_same_function(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--completion", "zsh"]) == 0
    out = capsys.readouterr().out
    assert "bashcompinit" in out and "complete -o filenames" in out and "--deck" in out
