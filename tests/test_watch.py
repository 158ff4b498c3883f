"""--watch: a real `python -m ankidigest --watch` process, a post edited under it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from ankidigest.watch import PostFilter

from conftest import EXAMPLE, REPO, read_apkg_guids

LIMIT = 60  # seconds for anything to happen; it takes well under one here


def start(args: list[str], cwd: Path, err: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with err.open("wb") as fh:  # the child keeps its own copy
        return subprocess.Popen(
            [sys.executable, "-m", "ankidigest", "--no-enrich", *args],
            cwd=cwd,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=fh,
            # A shell's background job ignores SIGINT and a child inherits that; Ctrl-C
            # reaches a watch started from a terminal, so give it the default here.
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )


def wait_for(what: Callable[[], bool], proc: subprocess.Popen[bytes], err: Path) -> None:
    deadline = time.monotonic() + LIMIT
    while not what():
        assert proc.poll() is None, err.read_text()
        assert time.monotonic() < deadline, err.read_text()
        time.sleep(0.1)


def texts(apkg: Path) -> str:
    try:
        return "\n".join(flds for _, flds in read_apkg_guids(str(apkg)).values())
    except (OSError, KeyError):
        return ""


def test_watch_exports_again_on_save_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    post = tmp_path / "post.md"
    post.write_bytes(EXAMPLE.read_bytes())
    out = tmp_path / "out.apkg"
    err = tmp_path / "stderr"
    proc = start(["--watch", str(post), "-o", str(out)], tmp_path, err)
    try:
        wait_for(lambda: "watching" in err.read_text(), proc, err)
        assert "skimmed" in texts(out)
        # Files beside the post that are not posts wake nothing.
        (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
        (tmp_path / ".post.md.swp").write_text("x", encoding="utf-8")
        time.sleep(1)
        edited = post.read_text(encoding="utf-8").replace("**skimmed**", "**grazed**")
        # Save (again every few seconds: the watcher may still be starting).
        ticks = 0
        while "{{c1::grazed}}" not in texts(out):
            assert proc.poll() is None, err.read_text()
            assert ticks < LIMIT * 10, err.read_text()
            if ticks % 50 == 0:
                post.write_text(edited, encoding="utf-8")
            time.sleep(0.1)
            ticks += 1
        assert "skimmed" not in texts(out)
        log = err.read_text()
        assert log.count("saved: ") >= 1 and "notes.txt" not in log and ".swp" not in log
        summary = [line for line in log.splitlines() if " new, " in line][-1]
        assert "(1 new, 0 changed" in summary and "1 removed since" in summary
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=LIMIT) == 130
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    log = err.read_text()
    assert "Traceback" not in log and log.rstrip().endswith("stopped watching")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".post.md.swp",
        "notes.txt",
        "out.apkg",
        "post.md",
        "stderr",
    ]  # nothing half-written left behind


@pytest.mark.slow
def test_a_failing_run_keeps_watching(tmp_path: Path) -> None:
    post = tmp_path / "post.md"
    post.write_bytes(EXAMPLE.read_bytes())
    out = tmp_path / "out.json"
    err = tmp_path / "stderr"
    proc = start(["--watch", str(post), "-o", str(out), "-q"], tmp_path, err)
    try:
        wait_for(out.exists, proc, err)
        time.sleep(1)
        post.write_bytes(b"\xff\xfe not utf-8 \x81")
        wait_for(lambda: "error:" in err.read_text(), proc, err)
        first = out.read_bytes()
        post.write_bytes(EXAMPLE.read_bytes().replace(b"**skimmed**", b"**grazed**"))
        wait_for(lambda: out.read_bytes() != first, proc, err)
        assert b'"grazed"' in out.read_bytes()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=LIMIT) == 130
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "Traceback" not in err.read_text()


def test_sigterm_stops_a_watch_as_ctrl_c_does(tmp_path: Path) -> None:
    err = tmp_path / "stderr"
    proc = start(["--watch", str(EXAMPLE), "-o", str(tmp_path / "x.apkg")], tmp_path, err)
    try:
        wait_for(lambda: "watching" in err.read_text(), proc, err)
        proc.terminate()
        assert proc.wait(timeout=LIMIT) == 130
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "Traceback" not in err.read_text() and "stopped watching" in err.read_text()


def test_post_filter(tmp_path: Path) -> None:
    folder = tmp_path / "posts"
    (folder / "sub").mkdir(parents=True)
    single = tmp_path / "one.md"
    posts = PostFilter([str(folder), str(single)])
    assert posts.roots() == sorted([str(folder), str(tmp_path)])
    assert posts(None, str(single))
    assert posts(None, str(folder / "sub" / "a.md"))
    assert posts(None, str(folder / "B.Markdown"))
    assert not posts(None, str(folder / "a.apkg"))
    assert not posts(None, str(folder / ".hidden" / "a.md"))
    assert not posts(None, str(tmp_path / "other.md"))  # beside the file, not named
    assert not posts(None, str(tmp_path / "posts-other" / "a.md"))


def test_watch_with_a_usage_error_stops_at_once(tmp_path: Path) -> None:
    err = tmp_path / "stderr"
    proc = start(["--watch", str(EXAMPLE), "-o", str(tmp_path / "x.tsv")], tmp_path, err)
    assert proc.wait(timeout=LIMIT) == 2
    assert "unknown output format" in err.read_text()
