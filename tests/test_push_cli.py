"""``ankidigest ... --push`` from the command line, over real HTTP into a real collection."""

from __future__ import annotations

from pathlib import Path

import pytest
from ankiconnect_server import AnkiConnectServer

from ankidigest.cli import main

from conftest import touch

pytestmark = pytest.mark.anki

POST = """\
---
title: "Push from the command line"
---

#### [2025-01-30 Talks stall](https://example.com/news/talks)

The envoy was **adamant** that the **truce** would hold.
"""


def _post(tmp_path: Path, text: str = POST) -> str:
    path = tmp_path / "post.md"
    path.write_text(text, encoding="utf-8")
    touch(path, 1_790_000_000)
    return str(path)


def _notes(server: AnkiConnectServer) -> dict[str, str]:
    with server.collection() as col:
        return {col.get_note(n)["Term"]: col.get_note(n)["Text"] for n in col.find_notes("")}


def test_push_alone_adds_then_updates(
    server: AnkiConnectServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    post = _post(tmp_path)
    assert main([post, "--push", "--anki-url", server.url, "--no-cache"]) == 0
    assert f"pushed to {server.url}: 2 new, 0 changed, 0 unchanged" in capsys.readouterr().err
    assert sorted(_notes(server)) == ["adamant", "truce"]

    _post(tmp_path, POST.replace("would hold", "would hold firm"))
    assert main([post, "--push", "--anki-url", server.url, "--no-cache", "-v"]) == 0
    err = capsys.readouterr().err
    assert "0 new, 2 changed, 0 unchanged" in err
    assert "changed in Anki 'adamant'" in err
    assert all("hold firm" in text for text in _notes(server).values())


def test_dry_run_push_changes_nothing(
    server: AnkiConnectServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    post = _post(tmp_path)
    assert main([post, "--push", "--dry-run", "--anki-url", server.url]) == 0
    assert "would push" in capsys.readouterr().err
    assert _notes(server) == {}


def test_push_with_output_writes_the_file_and_pushes(
    server: AnkiConnectServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    post = _post(tmp_path)
    out = tmp_path / "out.apkg"
    assert main([post, "-o", str(out), "--push", "--anki-url", server.url]) == 0
    err = capsys.readouterr().err
    assert out.is_file() and "2 new" in err and "-> " + str(out) in err
    assert len(_notes(server)) == 2


def test_push_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    post = _post(tmp_path)
    # a port nothing listens on
    assert main([post, "--push", "--anki-url", "http://127.0.0.1:9", "--no-cache"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("ankidigest: error:")
    assert main([post, "-o", str(tmp_path / "x.apkg"), "--anki-key", "k"]) == 2
    assert "--anki-url and --anki-key go with --push" in capsys.readouterr().err
    assert main([post, "--check", "--push"]) == 2
