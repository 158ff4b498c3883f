"""The pre-commit hook: its entry, run on the files a commit stages, as pre-commit does."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def _hook() -> dict[str, object]:
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert isinstance(hook, dict)
    return hook


def _git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    proc = subprocess.run(
        ["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True
    )
    return proc.stdout


def _run_hook(repo: Path) -> subprocess.CompletedProcess[str]:
    """The hook's entry with the staged markdown files, as pre-commit passes them."""
    hook = _hook()
    staged = _git(repo, "diff", "--cached", "--name-only", "--diff-filter=ACM").split()
    files = [f for f in staged if f.endswith((".md", ".markdown"))]  # types: [markdown]
    command, *args = shlex.split(str(hook["entry"]))
    assert command == "ankidigest"  # the console script; here run as python -m
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "ankidigest", *args, *files],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_hook_definition() -> None:
    hook = _hook()
    assert hook["id"] == "ankidigest-check"
    assert hook["language"] == "python" and hook["types"] == ["markdown"]
    assert "--check" in str(hook["entry"])


def test_hook_passes_a_clean_post_and_stops_a_broken_one(tmp_path: Path) -> None:
    repo = tmp_path / "blog"
    (repo / "_posts").mkdir(parents=True)
    _git(repo, "init", "-q")
    good = repo / "_posts" / "good.md"
    good.write_text("The envoy was **adamant**. A **Label:** is skipped.\n", encoding="utf-8")
    (repo / "notes.txt").write_text("not markdown: **** is fine here\n", encoding="utf-8")
    _git(repo, "add", ".")
    proc = _run_hook(repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == ""  # -q: only problems
    _git(repo, "commit", "-q", "-m", "first")

    bad = repo / "_posts" / "bad.md"
    bad.write_text("# Week 2\n\nThe **** was here. The **vote.** It passed.\n", encoding="utf-8")
    _git(repo, "add", "_posts/bad.md")
    proc = _run_hook(repo)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[0] == "_posts/bad.md:3: problem: '****': empty bold", lines
    assert all(line.startswith("_posts/bad.md:") for line in lines)  # good.md was not staged


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pre-commit") is None, reason="pre-commit is not installed")
def test_real_pre_commit_try_repo(tmp_path: Path) -> None:
    """pre-commit itself installs this repository's hook and runs it (needs the network
    for the hook's environment; the commit of this checkout is what it installs)."""
    repo = tmp_path / "blog"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "bad.md").write_text("The **** was here.\n", encoding="utf-8")
    (repo / "good.md").write_text("The envoy was **adamant**.\n", encoding="utf-8")
    _git(repo, "add", ".")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    proc = subprocess.run(
        ["pre-commit", "try-repo", str(REPO), "ankidigest-check", "--files", "bad.md", "good.md"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "bad.md:1: problem: '****': empty bold" in proc.stdout
    assert "good.md" not in proc.stdout
