"""Hostile previous packages (issue 16): zip bombs, damaged tables, crafted notes that
``--mark-removed`` brings back. A previous package is untrusted input like a post: it
may be refused (one line) or read, never crash, and nothing it holds may reach a card
as anything but text (checked on cards rendered by a real Anki).
"""

from __future__ import annotations

import os
import re
import sqlite3
import struct
import subprocess
import sys
import zipfile
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from ankidigest.cli import main
from ankidigest.notes.notetype import FIELD_INDEX, FIELD_NAMES, MODEL_ID
from ankidigest.update.untrusted import clean_fields

from conftest import EXAMPLE, REPO, Anki, read_apkg_guids

TIMEOUT = 60


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, err


def export(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str = "old.apkg") -> Path:
    out = tmp_path / name
    code, err = cli(capsys, str(EXAMPLE), "-o", str(out), "-q", "--no-cache")
    assert code == 0, err
    return out


def rewrite(package: Path, sql: str, *params: object, loose: bool = False) -> None:
    """Run ``sql`` on the package's collection and zip it again. ``loose``: first drop
    the NOT NULL constraints of the notes table, as a crafted package may."""
    work = package.parent / "work.anki2"
    with zipfile.ZipFile(package) as archive:
        work.write_bytes(archive.read("collection.anki2"))
    conn = sqlite3.connect(work)
    if loose:
        conn.executescript(
            "CREATE TABLE loose AS SELECT * FROM notes; DROP TABLE notes;"
            "ALTER TABLE loose RENAME TO notes;"
        )
    conn.execute(sql, params)
    conn.commit()
    conn.close()
    with zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(work, "collection.anki2")
        archive.writestr("media", "{}")
    work.unlink()


# -- zip bombs -------------------------------------------------------------------


def bomb(path: Path, size: int, declared: int) -> None:
    """A zip whose collection.anki2 inflates to ``size`` zero bytes (about a 1000th of
    that deflated) and whose headers say it holds ``declared`` bytes."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = bytes(1 << 20)
    first = comp.compress(piece) + comp.flush(zlib.Z_FULL_FLUSH)
    middle = comp.compress(piece) + comp.flush(zlib.Z_FULL_FLUSH)
    assert comp.compress(piece) + comp.flush(zlib.Z_FULL_FLUSH) == middle
    data = first + middle * (size // len(piece) - 1) + comp.flush()
    name = b"collection.anki2"
    crc = 0  # never reached: the size gives it away first
    local = struct.pack(
        "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 33, crc, len(data), declared, len(name), 0
    )
    central = struct.pack(
        "<IHHHHHHIIIHHHHHII",
        0x02014B50, 20, 20, 0, 8, 0, 33, crc, len(data), declared, len(name), 0, 0, 0, 0, 0, 0,
    )  # fmt: skip
    with open(path, "wb") as fh:
        fh.write(local + name + data)
        start = fh.tell()
        fh.write(central + name)
        fh.write(
            struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central) + len(name), start, 0)
        )


@pytest.mark.parametrize(
    ("declared", "message"),
    [
        (2 << 30, "collection.anki2 is larger than 1024 MB"),
        (10_000, "not a readable Anki package"),  # hides its size
    ],
    ids=["says-2GiB", "says-10kB"],
)
def test_a_zip_bomb_is_refused_while_streaming(tmp_path: Path, declared: int, message: str) -> None:
    package = tmp_path / "bomb.apkg"
    bomb(package, 2 << 30, min(declared, 0xFFFFFFFF))
    assert package.stat().st_size < 3_000_000
    temp = tmp_path / "tmp"
    temp.mkdir()
    # 600 MB of address space: inflating 2 GiB at once cannot fit.
    limit = "import resource; resource.setrlimit(resource.RLIMIT_AS, (600 << 20, 600 << 20));"
    code = limit + "import sys; from ankidigest.cli import main; sys.exit(main(sys.argv[1:]))"
    args = [str(EXAMPLE), "-o", str(tmp_path / "new.json"), "--previous", str(package), "-j", "1"]
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        env={**os.environ, "PYTHONPATH": str(REPO), "TMPDIR": str(temp)},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert "Traceback" not in proc.stderr and "MemoryError" not in proc.stderr
    assert proc.returncode == 1
    assert message in proc.stderr and str(package) in proc.stderr
    assert len(proc.stderr.splitlines()) == 1
    assert list(temp.iterdir()) == []


# -- damaged tables ----------------------------------------------------------------

DAMAGE = {
    # id: (SQL, refused as --previous)
    "empty-col": ("DELETE FROM col", True),
    "decks-a-list": ("UPDATE col SET decks = '[1, 2]'", True),
    "decks-a-number": ("UPDATE col SET decks = '7'", True),
    "decks-not-json": ("UPDATE col SET decks = '{'", True),
    "deck-without-name": ('UPDATE col SET decks = \'{"1": 5, "x": {"name": 3}}\'', False),
    "null-tags": ("UPDATE notes SET tags = NULL", False),
    "text-cloze-count": ("UPDATE ankidigest_clozes SET high = 'many'", False),
    "huge-cloze-count": ("UPDATE ankidigest_clozes SET high = 9223372036854775807", False),
    "huge-cloze-number": (
        "UPDATE notes SET flds = replace(flds, '{{c1::', '{{c99999999999999999999::')",
        False,
    ),
    "mod-near-2^63": ("UPDATE notes SET mod = 9223372036854775807", False),
    "text-mod": ("UPDATE notes SET mod = 'yesterday'", False),
    "null-fields": ("UPDATE notes SET flds = NULL", False),
    "int-guid": ("UPDATE notes SET guid = id", False),
}


def clozes_table(package: Path) -> None:
    rewrite(package, "CREATE TABLE IF NOT EXISTS ankidigest_clozes (guid TEXT, high INTEGER)")
    rewrite(package, "INSERT OR REPLACE INTO ankidigest_clozes SELECT guid, 1 FROM notes")


@pytest.mark.parametrize(("sql", "refused"), DAMAGE.values(), ids=DAMAGE.keys())
@pytest.mark.parametrize("role", ["previous", "output"])
def test_a_damaged_package_never_crashes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], sql: str, refused: bool, role: str
) -> None:
    old = export(tmp_path, capsys)
    clozes_table(old)
    rewrite(old, sql, loose=True)
    for group in ("term", "sentence"):
        if role == "previous":
            target = tmp_path / f"new-{group}.apkg"
            args = ["--previous", str(old)]
        else:
            target = tmp_path / f"out-{group}.apkg"
            target.write_bytes(old.read_bytes())
            args = []
        force = ["--force"] if group == "sentence" else []  # a term package: a switch
        code, err = cli(capsys, str(EXAMPLE), "-o", str(target), "--group", group, *args, *force)
        if refused and role == "previous":
            assert code == 1
            assert err.startswith(f"ankidigest: error: {old}: not a readable Anki package (")
            assert len(err.splitlines()) == 1
            assert not target.exists()
            continue
        assert code == 0, err
        if refused:  # the existing output: a warning, every note new
            assert "warning: " in err and "not used as the previous export" in err
        notes = read_apkg_guids(str(target))
        assert notes and all(0 < mod < 1 << 53 for mod, _ in notes.values())


def test_a_damaged_package_with_mark_removed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = export(tmp_path, capsys)
    clozes_table(old)
    rewrite(
        old, "UPDATE notes SET tags = NULL, mod = 9223372036854775807 WHERE id % 2 = 0", loose=True
    )
    other = tmp_path / "other.md"
    other.write_text("A **different** word.\n")
    target = tmp_path / "new.apkg"
    code, err = cli(capsys, str(other), "-o", str(target), "--previous", str(old), "--mark-removed")
    assert code == 0, err
    mods = [mod for mod, _ in read_apkg_guids(str(target)).values()]
    assert len(mods) > 1 and max(mods) < 1 << 53


# -- crafted notes brought back by --mark-removed -----------------------------------

JS = "javascript:alert(1)"
HOSTILE = {
    "Text": (
        "{{c1::[sound:evil.mp3]}} [anki:tts lang=en_US]hi[/anki:tts] \\(\\href{"
        + JS
        + "}{x}\\) \\[x\\] &#92;&#40;y&#92;&#41; <script>alert(1)</script>"
        "<img src=x onerror=alert(1)> {{c2::a::hint}} [$]x[/$] }} {{c3::"
    ),
    "Term": "[sound:a.mp3]<b onclick=alert(1)>t</b>",
    "Context": "<b>x</b><br>\\[ z \\] <svg onload=alert(1)> &lt;script&gt;",
    "Source": "<a href='" + JS + "'>title</a> [sound:b.mp3]",
    "URL": JS,
    "Audio": "[sound:c.mp3]",
    "Image": "<img src=x onerror=alert(1)>",
    "Definition": "\\(x\\)",
    "Translation": "{{c9::x}}",
}


def crafted_prior(tmp_path: Path, capsys: pytest.CaptureFixture[str], url: str) -> Path:
    old = export(tmp_path, capsys)
    fields = [""] * len(FIELD_NAMES)
    for name, value in HOSTILE.items():
        fields[FIELD_INDEX[name]] = value
    fields[FIELD_INDEX["URL"]] = url
    fields[FIELD_INDEX["Key"]] = "post:x#evil#1"
    rewrite(
        old,
        "INSERT INTO notes VALUES (1, 'evil-guid', ?, 1700000000, -1, ?, ?, 'x', 0, 0, '')",
        MODEL_ID,
        " [sound:t] <x>\"'\x1f ",
        "\x1f".join(fields),
    )
    rewrite(
        old,
        "INSERT INTO cards VALUES (2, 1, (SELECT min(did) FROM cards), 0, 1700000000, -1,"
        " 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '')",
    )
    return old


# What Anki acts on in a card's HTML string before the web view sees it.
_ANKI_TAGS = re.compile(r"\[(?:sound:|anki:|\$|latex\])", re.I)
_TEMPLATE_TAGS = {"style", "div", "span", "a", "b", "br"}


class _Rendered(HTMLParser):
    """What a web view would run in a rendered card: tags, attributes, and the text
    MathJax reads (entities decoded). ``data-cloze`` holds HTML Anki's script inserts
    when the deletion is revealed, so it is checked as HTML too."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self.in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.in_style = tag == "style"
        if tag not in _TEMPLATE_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"handler {name}")
            if name in ("href", "src") and value and not value.startswith(("http://", "https://")):
                self.problems.append(f"{name}={value!r}")
            if value and "javascript:" in value.lower():
                self.problems.append(f"javascript: in {name}")
            if name == "data-cloze" and value:
                self.problems.extend(rendered_problems(value))

    def handle_endtag(self, tag: str) -> None:
        self.in_style = False

    def handle_data(self, data: str) -> None:
        if not self.in_style:
            self.text.append(data)


def rendered_problems(html: str) -> list[str]:
    problems = [f"Anki tag {m.group()}" for m in _ANKI_TAGS.finditer(html)]
    parser = _Rendered()
    parser.feed(html)
    parser.close()
    text = "".join(parser.text)
    problems += [f"MathJax {m.group()}" for m in re.finditer(r"\\[(\[]", text)]
    return problems + parser.problems


@pytest.mark.parametrize("url", [JS, 'https://example.com/ok?a=1&b="2"'], ids=["js", "https"])
def test_removed_notes_come_back_without_executable_content_in_anki(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], anki: Anki, url: str
) -> None:
    old = crafted_prior(tmp_path, capsys, url)
    target = tmp_path / "new.apkg"
    code, err = cli(
        capsys, str(EXAMPLE), "-o", str(target), "--previous", str(old), "--mark-removed", "-v"
    )
    assert code == 0, err
    assert "tagged as removed" in err
    anki.import_apkg(target)
    note = anki.note_by_guid("evil-guid")
    assert "ankidigest::removed" in note.tags
    cards = note.cards()
    assert cards, "the crafted note's cloze deletions still make cards"
    for card in cards:
        for html in (card.question(), card.answer()):
            assert rendered_problems(html) == [], html
    assert note["URL"] == ("" if url == JS else "https://example.com/ok?a=1&amp;b=&quot;2&quot;")
    assert all(" " not in t and "<" not in t and '"' not in t for t in note.tags)


def test_clean_fields_leaves_our_own_fields_alone(capsys: pytest.CaptureFixture[str]) -> None:
    from ankidigest import read_posts
    from ankidigest.notes.build import BuildOptions, build_notes

    cases = [*sorted((REPO / "tests" / "cases").rglob("*.md")), EXAMPLE]
    corpus = REPO.parent / "shared" / "corpus" / "war-news.md"
    if corpus.exists():
        cases.append(corpus)
    checked = 0
    for case in cases:
        try:
            docs = read_posts([str(case)], jobs=1)
        except Exception:
            continue
        for group in ("term", "sentence"):
            for note in build_notes(docs, BuildOptions(group=group)):
                assert clean_fields(note.fields) == note.fields, (case, note.fields)
                checked += 1
    assert checked > 200
    hostile = "a\\(b\\) [sound:x] {{c1::y}} :: <i>z</i> &amp; \\"
    from ankidigest.notes.cloze import escape_text

    assert clean_fields((escape_text(hostile),) * len(FIELD_NAMES))[1] == escape_text(hostile)
