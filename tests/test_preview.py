"""--preview: the cards rendered as the real Anki renders them, in one page that a real
headless Chromium shows (skipped where chromium is not installed)."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import tempfile
import time
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from ankidigest.api import export, write_preview
from ankidigest.cli import main
from ankidigest.notes.notetype import CSS
from ankidigest.write.cards import cards, parse
from ankidigest.write.preview import NIGHT, night_css

from conftest import EXAMPLE, Anki, touch

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
_STYLE = re.compile(r"^<style>.*?</style>", re.S)

AWKWARD = """\
#### [2025-01-02 Odd <b>title</b> & "quotes"](https://example.com/odd?a=1&b=<2>)

She said the café's **naïve** plan was a **no-brainer: 100%** and **“quoted”** & **a&b** ok.

He would **say "hi"** and **don't** and **a>b** there. It was **{braces}** and **[b]** \
and **back\\slash** and **tab\there** fine. <script>alert(1)</script> A \
**<img src=x onerror=alert(2)>**.

They **pressed** on with **<b>bold</b>** and ==**marked**== [sound:x.mp3] in {{c1::x}}.
"""


def chromium(*args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                *args,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )


class Dom(HTMLParser):
    """The elements of a page: (tag, attributes, text inside), and every card side."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.sides: list[tuple[str, str]] = []  # ("front"/"back", the side's text)
        self.clozes: list[tuple[str, str]] = []  # (side, text of each span.cloze)
        self._side: list[str] = []
        self._depth = 0
        self._cloze: list[str] | None = None
        self._cloze_depth = 0
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.append((tag, a))
        if tag in ("meta", "input", "br", "img", "link"):
            return
        classes = a.get("class", "").split()
        if self._side:
            self._depth += 1
        elif "ad-front" in classes or "ad-back" in classes:
            self._side = ["front" if "ad-front" in classes else "back", ""]
            self._depth = 1
        if self._cloze is not None:
            self._cloze_depth += 1
        elif "cloze" in classes and self._side:
            self._cloze, self._cloze_depth = [], 1

    def handle_endtag(self, tag: str) -> None:
        if self._cloze is not None:
            self._cloze_depth -= 1
            if self._cloze_depth == 0:
                self.clozes.append((self._side[0], "".join(self._cloze)))
                self._cloze = None
        if self._side:
            self._depth -= 1
            if self._depth == 0:
                self.sides.append((self._side[0], self._side[1]))
                self._side = []

    def handle_data(self, data: str) -> None:
        if self._side:
            self._side[1] += data
        if self._cloze is not None:
            self._cloze.append(data)

    def having(self, cls: str) -> list[dict[str, str]]:
        return [a for _, a in self.tags if cls in a.get("class", "").split()]


def png_pixel(path: Path, x: int, y: int) -> tuple[int, ...]:
    """One pixel of an 8-bit RGB(A) PNG, decoded with zlib alone."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    at, idat, width = 8, b"", 0
    channels = 4
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        if kind == b"IHDR":
            width, _, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and color in (2, 6) and interlace == 0
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
        at += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    prev = bytearray(stride)
    for row in range(y + 1):
        start = row * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = prev[i], prev[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + pred) & 255
        prev = line
    return tuple(prev[x * channels : x * channels + 3])


def edited_copy(corpus: Path, tmp_path: Path) -> Path:
    post = tmp_path / "post.md"
    post.write_bytes(corpus.read_bytes())
    touch(post, 1_800_000_000)
    return post


def edit(post: Path) -> None:
    text = post.read_text(encoding="utf-8")
    text = text.replace("has been **subject to** decades", "has been **subject to** many decades")
    text = text.replace("a thermal power plant", "a **thermal power plant**")
    post.write_text(text, encoding="utf-8")
    touch(post, 1_800_000_100)


@pytest.mark.anki
def test_cards_render_as_in_the_real_anki(tmp_path: Path, anki: Anki, corpus: Path) -> None:
    odd = tmp_path / "odd.md"
    odd.write_text(AWKWARD, encoding="utf-8")
    inputs = [str(EXAMPLE), str(corpus), str(odd)]
    total = 0
    for group in ("term", "sentence"):
        out = tmp_path / f"{group}.apkg"
        assert main(["--no-enrich", *inputs, "-o", str(out), "-q", "--group", group]) == 0
        assert anki.import_apkg(out).conflicting == 0
    for card in anki.cards():
        mine = {c.ordinal: c for c in cards(tuple(card.note().fields))}[card.ord + 1]
        assert _STYLE.sub("", card.question()) == mine.front
        assert _STYLE.sub("", card.answer()) == mine.back
        total += 1
    assert total == anki.col.card_count() > 2 * 211


def test_renderer_refuses_what_it_does_not_know() -> None:
    for bad in ("{{Nope}}", "{{#Text}}x", "{{/Text}}", "{{type:Text}}", "{{#Text}}{{/URL}}"):
        with pytest.raises(ValueError, match="template"):
            parse(bad)


def test_night_rules_cover_every_night_mode_rule() -> None:
    """Each `.nightMode` rule of the card CSS has a `.night_mode` twin, which the page
    repeats under its night-mode switch."""
    night = night_css()
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", CSS):
        for selector in (s.strip() for s in selectors.split(",")):
            if ".nightMode" not in selector:
                continue
            rest = selector.replace(".nightMode.card", ".card").replace(".card.nightMode", ".card")
            rest = rest.replace(".nightMode ", "")
            assert f"{NIGHT} {rest}" in night, selector
            assert body in night


@pytest.mark.slow
@needs_chromium
def test_page_in_a_real_browser(tmp_path: Path, corpus: Path) -> None:
    post = edited_copy(corpus, tmp_path)
    apkg = tmp_path / "war.apkg"
    assert main(["--no-enrich", str(post), "-o", str(apkg), "-q"]) == 0
    edit(post)
    page = tmp_path / "cards.html"
    start = time.perf_counter()
    assert main(["--no-enrich", str(post), "-o", str(apkg), "-q", "--preview", str(page)]) == 0
    assert time.perf_counter() - start < 30
    dom = Dom(chromium("--dump-dom", page.as_uri()).stdout)
    assert not [t for t, _ in dom.tags if t in ("script", "iframe", "object", "embed")]
    notes = dom.having("ad-note")
    assert len(notes) == 212
    fronts = [s for s in dom.sides if s[0] == "front"]
    backs = [s for s in dom.sides if s[0] == "back"]
    assert len(fronts) == len(backs) == 212
    front_clozes = [c for side, c in dom.clozes if side == "front"]
    back_clozes = [c for side, c in dom.clozes if side == "back"]
    assert front_clozes == ["[...]"] * 212  # hidden on the front
    assert "subject to" in back_clozes and "thermal power plant" in back_clozes
    first_front, first_back = fronts[0][1], backs[0][1]
    assert "has been [...] many decades" in first_front and "subject to" not in first_front
    assert "has been subject to many decades" in first_back
    # The marks: the new bold, the notes whose fields changed; all else unmarked.
    new = [a for a in notes if "ad-new" in a["class"].split()]
    changed = [a for a in notes if "ad-changed" in a["class"].split()]
    assert len(new) == 1 and 1 <= len(changed) <= 5
    assert len(dom.having("ad-summary")) == 1
    assert "1 new, " in page.read_text(encoding="utf-8")
    # What it shows: light by day, dark with the night-mode switch on.
    day = tmp_path / "day.png"
    chromium(f"--screenshot={day}", "--window-size=390,844", page.as_uri())
    night_page = tmp_path / "night.html"
    text = page.read_text(encoding="utf-8")
    night_page.write_text(text.replace('id="ad-night"', 'id="ad-night" checked', 1), "utf-8")
    night = tmp_path / "night.png"
    chromium(f"--screenshot={night}", "--window-size=390,844", night_page.as_uri())
    for x, y in ((2, 2), (200, 400)):  # the page, and inside the first card
        assert sum(png_pixel(day, x, y)) > 3 * 200, (x, y)
        assert sum(png_pixel(night, x, y)) < 3 * 60, (x, y)


@pytest.mark.slow
@needs_chromium
def test_hostile_text_stays_text_in_the_browser(tmp_path: Path) -> None:
    odd = tmp_path / "<img src=x onerror=alert(3)>.md"
    odd.write_text(AWKWARD, encoding="utf-8")
    page = tmp_path / "odd.html"
    assert main(["--no-enrich", str(odd), "--preview", str(page), "-q"]) == 0
    dom = Dom(chromium("--dump-dom", page.as_uri()).stdout)
    assert not [t for t, _ in dom.tags if t in ("script", "img", "iframe", "svg")]
    assert not [a for _, a in dom.tags if any(k.startswith("on") for k in a)]
    hrefs = [a["href"] for t, a in dom.tags if t == "a"]
    assert hrefs and all(h.startswith("https://example.com/") for h in hrefs)
    text = "".join(side for _, side in dom.sides)
    assert "{{c1::x}}" in text and "[sound:x.mp3]" in text


def test_preview_alone_writes_only_the_preview(tmp_path: Path, capsys) -> None:
    page = tmp_path / "cards.html"
    assert main(["--no-enrich", str(EXAMPLE), "--preview", str(page)]) == 0
    assert page.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["cards.html"]
    assert f"-> {page}" in capsys.readouterr().err
    out = tmp_path / "science.apkg"
    assert (
        main(
            ["--no-enrich", str(EXAMPLE), "-o", str(out), "--dry-run", "--preview", str(page), "-q"]
        )
        == 0
    )
    assert not out.exists()
    assert main(["--no-enrich", str(EXAMPLE), "--check", "--preview", str(page)]) == 2
    # Alone, it compares with --previous when given.
    assert main(["--no-enrich", str(EXAMPLE), "-o", str(out), "-q"]) == 0
    assert (
        main(["--no-enrich", str(EXAMPLE), "--preview", str(page), "--previous", str(out), "-q"])
        == 0
    )
    assert 'class="ad-note ad-' not in page.read_text(encoding="utf-8")  # all unchanged


def test_marks_follow_the_update_report(tmp_path: Path, corpus: Path) -> None:
    post = edited_copy(corpus, tmp_path)
    apkg = tmp_path / "war.apkg"
    export([str(post)], str(apkg))
    edit(post)
    result = export([str(post)], str(apkg), dry_run=True)
    page = tmp_path / "cards.html"
    write_preview(result, str(page))
    text = page.read_text(encoding="utf-8")
    assert text.count('class="ad-note ad-new"') == len(result.report.new) == 1
    assert text.count('class="ad-note ad-changed"') == len(result.report.changed) >= 1
    assert text.count('class="ad-note"') == len(result.report.unchanged)
    assert text.count('<section class="ad-article">') == 25
