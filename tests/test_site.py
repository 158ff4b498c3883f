"""--site DIR: a deck and a page per post and an index, in a real Chromium and a real Anki."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ankidigest.cli import main
from ankidigest.errors import InputError, UsageError
from ankidigest.site import publish_site
from ankidigest.write.site import MARKER

from conftest import Anki, touch
from study_posts import write_second
from test_preview import Dom, chromium, needs_chromium, png_pixel

T1 = 1_800_000_000
HOSTILE = """---
title: "<script>alert(1)</script> & \\"quotes\\""
date: 2025-03-01
---

#### [2025-03-01 <img src=x onerror=alert(2)> news](https://example.com/a?b=<c>)

The plan was **naïve** <script>alert(3)</script> and <b>bold</b>.
"""


@pytest.fixture
def posts(tmp_path: Path, corpus: Path) -> Path:
    folder = tmp_path / "posts"
    folder.mkdir()
    (folder / "war-news.md").write_bytes(corpus.read_bytes())
    write_second(folder)
    (folder / "a <b>&'odd\".md").write_text(HOSTILE, encoding="utf-8")
    for path in folder.iterdir():
        touch(path, T1)
    return folder


@pytest.mark.slow
@needs_chromium
def test_site_renders_in_chromium_and_its_decks_import(
    tmp_path: Path, posts: Path, anki: Anki
) -> None:
    site = tmp_path / "site"
    assert main([str(posts), "--site", str(site), "-q"]) == 0
    names = sorted(os.listdir(site))
    decks = [f"{n}.{x}" for n in ("a-b-odd", "later-news", "war-news") for x in ("apkg", "html")]
    assert names == sorted([MARKER, "index.html", *decks])
    index = Dom(chromium("--dump-dom", (site / "index.html").as_uri()).stdout)
    links = [a["href"] for tag, a in index.tags if tag == "a"]
    assert links == [
        "a-b-odd.html",
        "a-b-odd.apkg",
        "later-news.html",
        "later-news.apkg",
        "war-news.html",
        "war-news.apkg",
    ]  # newest post first, relative links only
    rows = {r["data-cards"] for r in index.having("ad-deck-row")}
    assert rows == {"2", "6", "211"}
    assert not [t for t, _ in index.tags if t in ("script", "img", "iframe")]
    text = (site / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "<script>" not in text
    for name, count in (("war-news", 211), ("later-news", 6), ("a-b-odd", 2)):
        dom = Dom(chromium("--dump-dom", (site / f"{name}.html").as_uri()).stdout)
        assert len(dom.having("ad-note")) == count
        assert [a["href"] for a in dom.having("ad-deck")] == [f"{name}.apkg"]
        assert not [t for t, _ in dom.tags if t in ("script", "img", "iframe")]
        assert str(posts) not in (site / f"{name}.html").read_text(encoding="utf-8")
        assert anki.import_apkg(site / f"{name}.apkg").new == count
    assert len(anki.cards()) == 219
    shot = tmp_path / "site.png"
    chromium(f"--screenshot={shot}", "--window-size=390,844", (site / "index.html").as_uri())
    assert png_pixel(shot, 370, 240) == (255, 255, 255) != png_pixel(shot, 5, 5)  # a deck row


def test_site_is_replaced_whole_or_not_at_all(tmp_path: Path, posts: Path) -> None:
    site = tmp_path / "site"
    publish_site([str(posts)], str(site), now=T1)
    before = {p: (site / p).read_bytes() for p in os.listdir(site)}
    # A re-publish: each deck's prior state is its deck in the site, so nothing changes.
    publish_site([str(posts)], str(site), now=T1 + 10)
    assert {p: (site / p).read_bytes() for p in os.listdir(site)} == before
    (posts / "zz-broken.md").write_bytes(b"\xff\xfe\x00bad")  # not UTF-8: an InputError
    (posts / "later-news.md").write_text("changed **words** here.", encoding="utf-8")
    with pytest.raises(InputError):
        publish_site([str(posts)], str(site), now=T1 + 20)
    assert {p: (site / p).read_bytes() for p in os.listdir(site)} == before
    assert sorted(os.listdir(tmp_path)) == ["posts", "site"]  # no temporary folder left
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(UsageError, match="not written by --site"):
        publish_site([str(posts / "war-news.md")], str(mine))
    assert os.listdir(mine) == ["notes.txt"]
