# ruff: noqa: E501  (the case tables read best one case per line)
"""Hostile and broken input: every case has an asserted outcome, and none may print a
traceback, hang, put executable markup into a card or damage an existing package.

Each case runs through the CLI (``ankidigest.cli.main``) or the library. Large inputs
run in a subprocess with a 60 s timeout, only as a hang guard: speed is measured by
benchmarks/bench_hostile.py, not here.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from ankidigest import limits
from ankidigest.cli import main
from ankidigest.errors import InputError
from ankidigest.notes.build import build_notes
from ankidigest.notes.notetype import BACK, FIELD_NAMES, FRONT
from ankidigest.read.walker import walk

from conftest import Anki, read_apkg_guids

# -- helpers -----------------------------------------------------------------


class _Markup(HTMLParser):
    """Collects every tag, attribute and URL a browser would see in a field."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def markup_problems(field: str) -> list[str]:
    """Everything in ``field`` a hostile post could use to run code, else []."""
    parser = _Markup()
    parser.feed(field)
    parser.close()
    problems = [f"tag <{t}>" for t in parser.tags if t not in ("b", "br")]
    problems += [f"attribute {name}={value!r}" for name, value in parser.attrs]
    problems += [f"control U+{ord(c):04X}" for c in field if ord(c) < 32 or 127 <= ord(c) < 160]
    return problems


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    # Enrichment on (dictionary text reaches the fields too); no hint, so a front shows
    # "[...]" where the deletion is.
    extra = ["--hint", "none"] if "--check" not in args and "--hint" not in args else []
    code = main([*args, *extra])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def post(tmp_path: Path, content: str | bytes, name: str = "post.md") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="")
    else:
        path.write_bytes(content)
    return path


def export_json(
    capsys: pytest.CaptureFixture[str], path: Path, *extra: str
) -> tuple[int, list[dict[str, Any]], str]:
    out = path.parent / "out.json"
    code, _, err = cli(capsys, str(path), "-o", str(out), "-v", *extra)
    notes = json.loads(out.read_text(encoding="utf-8")) if code == 0 else []
    if code == 1 and ": nothing to export: " in err:
        code = 0  # a post that gives no note: an error, and nothing written
        assert not out.exists()
    return code, notes, err


def all_fields(path: Path, capsys: pytest.CaptureFixture[str]) -> list[tuple[str, str]]:
    """Every (field name, value) of every note, as written into a real .apkg."""

    apkg = path.parent / "out.apkg"
    code, _, _ = cli(capsys, str(path), "-o", str(apkg), "-q")
    assert code == 0
    pairs = []
    for _mod, flds in read_apkg_guids(str(apkg)).values():
        values = flds.split("\x1f")
        assert len(values) == len(FIELD_NAMES), "a field separator leaked into a field"
        pairs.extend(zip(FIELD_NAMES, values, strict=True))
    return pairs


# -- encodings ---------------------------------------------------------------

SENTENCE = "Le café était **naïve** ici."

ENCODINGS = [
    # id, bytes, extra args, exit code, message part (or the term expected)
    ("utf8", SENTENCE.encode(), (), 0, "naïve"),
    ("utf8-bom", codecs.BOM_UTF8 + SENTENCE.encode(), (), 0, "naïve"),
    ("crlf", b"Title\r\n\r\n" + SENTENCE.encode() + b"\r\n", (), 0, "naïve"),
    ("cr", b"Title\r\r" + SENTENCE.encode() + b"\r", (), 0, "naïve"),
    ("latin1", SENTENCE.encode("latin-1"), (), 1, "post.md:1: is not UTF-8 text (byte 0xe9)"),
    ("latin1-option", SENTENCE.encode("latin-1"), ("--encoding", "latin-1"), 0, "naïve"),
    ("cp1252-option", "It’s **naïve**.".encode("cp1252"), ("--encoding", "cp1252"), 0, "naïve"),
    ("utf16-bom", SENTENCE.encode("utf-16"), (), 1, "post.md: is UTF-16/32 text"),
    ("utf16-option", SENTENCE.encode("utf-16"), ("--encoding", "utf-16"), 0, "naïve"),
    ("utf16le-no-bom", SENTENCE.encode("utf-16-le"), (), 1, "post.md: looks binary"),
    ("utf32", SENTENCE.encode("utf-32"), (), 1, "post.md: is UTF-16/32 text"),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", (), 1, "post.md: looks binary"),
    ("bad-utf8-line-3", b"a\nb\n\xff **x**.", (), 1, "post.md:3: is not UTF-8 text (byte 0xff)"),
    ("unknown-codec", SENTENCE.encode(), ("--encoding", "klingon"), 2, "unknown encoding"),
    ("wrong-codec", "**日本**。".encode(), ("--encoding", "ascii"), 1, "post.md:1: is not ascii"),
    ("empty", b"", (), 0, None),  # export_json: "nothing to export", nothing written
]


@pytest.mark.parametrize(
    ("data", "extra", "code", "expect"),
    [case[1:] for case in ENCODINGS],
    ids=[case[0] for case in ENCODINGS],
)
def test_encodings(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    data: bytes,
    extra: tuple[str, ...],
    code: int,
    expect: str | None,
) -> None:
    path = post(tmp_path, data)
    got, notes, err = export_json(capsys, path, *extra)
    assert got == code, err
    if code == 0:
        assert [n["term"] for n in notes] == ([expect] if expect else [])
    else:
        lines = [line for line in err.splitlines() if line.startswith("ankidigest: error: ")]
        assert len(lines) == 1 and expect in lines[0], err
        assert len(err.strip().splitlines()) == 1, err  # every error is one line
        assert not (tmp_path / "out.json").exists()


def test_crlf_keeps_line_numbers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = post(tmp_path, b"# T\r\n\r\nFirst **adamant**.\r\n\r\nThen **wary**.\r\n")
    _, notes, _ = export_json(capsys, path)
    assert [(n["term"], n["line"]) for n in notes] == [("adamant", 3), ("wary", 5)]


@pytest.mark.parametrize("kind", ["device", "fifo", "folder-without-posts", "missing"])
def test_not_a_post(tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str) -> None:
    if kind == "device":
        target, expect = "/dev/zero", "/dev/zero: is not a regular file"
    elif kind == "fifo":
        target = str(tmp_path / "pipe.md")
        os.mkfifo(target)
        expect = "pipe.md: is not a regular file"
    elif kind == "folder-without-posts":
        (tmp_path / "empty").mkdir()
        target, expect = str(tmp_path / "empty"), "no markdown posts"
    else:
        target, expect = str(tmp_path / "nope.md"), "nope.md: no such file"
    code, _, err = cli(capsys, target, "-o", str(tmp_path / "o.json"))
    assert code == 1 and expect in err and len(err.strip().splitlines()) == 1


def test_oversized_post_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ankidigest.read import decode as reader

    monkeypatch.setattr(reader, "MAX_POST_BYTES", 1000)
    path = post(tmp_path, "A **b**. " * 200)
    with pytest.raises(InputError, match="larger than"):
        reader.read_text(str(path))


# -- invisible and control characters ---------------------------------------

CHARACTERS = [
    # id, post text, expected terms, expected sentence of the first, warning part
    ("field-separator", "The **fi\x1fx** is here\x1f.", ["fi x"], "The fi x is here .", "U+001F"),
    ("bell-escape", "Ring \x07 **tocsin** \x1b[31m.", ["tocsin"], "Ring   tocsin  [31m.", "U+0007"),
    ("c1-control", "Next\x85**line** here.", ["line"], "Next line here.", "U+0085"),
    ("zero-width-space", "A **de\u200bfer**\u200b call.", ["defer"], "A defer call.", "U+200B"),
    ("soft-hyphen", "A **pho\u00adto** here.", ["photo"], "A photo here.", "U+00AD"),
    ("word-joiner-bom", "\ufeffA **x\u2060y\ufeff** z.", ["xy"], "A xy z.", "U+2060 (and 1 more)"),
    ("bidi-override", "See **\u202eevil\u202c** now.", ["evil"], "See evil now.", "U+202E"),
    ("bidi-isolate", "A **\u2067x\u2069** b.", ["x"], "A x b.", "U+2067"),
    ("vertical-tab", "A\x0b**b**\x0cc.", ["b"], "A b c.", "U+000B"),
    (
        "zwj-emoji-kept",
        "A **👨\u200d👩\u200d👧 family** here.",
        ["👨\u200d👩\u200d👧 family"],
        None,
        None,
    ),
    (
        "zwnj-persian-kept",
        "The **verb** می\u200cخواهم is Persian.",
        ["verb"],
        "The verb می\u200cخواهم is Persian.",
        None,
    ),
    ("rlm-kept", "A **\u200fx** b.", ["\u200fx"], None, None),
]


@pytest.mark.parametrize(
    ("text", "terms", "sentence", "warning"),
    [case[1:] for case in CHARACTERS],
    ids=[case[0] for case in CHARACTERS],
)
def test_characters(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    text: str,
    terms: list[str],
    sentence: str | None,
    warning: str | None,
) -> None:
    path = post(tmp_path, "# Title\n\n" + text + "\n")
    code, notes, err = export_json(capsys, path)
    assert code == 0
    assert [n["term"] for n in notes] == terms
    if sentence is not None:
        assert notes[0]["sentence"] == sentence
    if warning is None:
        assert "warning" not in err
    else:
        assert re.search(
            rf"warning: .*post\.md:3: (removed|replaced) .*{re.escape(warning)}", err
        ), err
    for name, value in all_fields(path, capsys):
        assert not markup_problems(value), (name, value)
        assert not re.search(r"[\u200b\u2060\ufeff\u00ad\u202a-\u202e\u2066-\u2069]", value)


def test_nul_and_surrogates_through_the_library(tmp_path: Path) -> None:
    from ankidigest import write_package

    doc = walk("A **n\x00ul** and **\ud800x** and \udfff.\n", "lib.md")
    assert [t.text for s in doc.sentences for t in s.terms] == ["n ul", "\ufffdx"]
    assert any("U+0000" in w for w in doc.warnings)
    assert any("U+D800" in w for w in doc.warnings)
    notes = build_notes([doc])
    out = tmp_path / "lib.apkg"
    write_package(notes, str(out))
    assert len(read_apkg_guids(str(out))) == 2


def test_control_characters_in_file_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = post(tmp_path, "The **term** here.\n", name="bad\x1fname\x07.md")
    code, notes, _ = export_json(capsys, path)
    assert code == 0 and notes[0]["deck"] == "bad name"
    fields = dict(all_fields(path, capsys))
    assert fields["Post"] == fields["Source"] == "bad name"
    assert "\x1f" not in fields["Key"] and "\x07" not in fields["Key"]


# -- markup edge cases -------------------------------------------------------

MARKUP = [
    # id, post text, [(term, sentence)], [skip reason parts]
    ("unclosed-bold", "An **unclosed bold here.", [], []),
    (
        "unclosed-then-bold",
        "An ** open and **real** one.",
        [("real", "An ** open and real one.")],
        [],
    ),
    ("empty-bold-comment", "Empty **<!-- -->** here.", [], ["empty bold"]),
    ("empty-bold-stars", "Four **** stars and ** ** here.", [], ["empty bold", "empty bold"]),
    ("bold-across-lines", "A **two\nline** term.", [("two line", "A two line term.")], []),
    ("bold-in-link", "See [**linked** word](https://x.org).", [("linked", "See linked word.")], []),
    (
        "link-in-bold",
        "A **[bold link](https://x.org)** here.",
        [("bold link", "A bold link here.")],
        [],
    ),
    ("nested-emphasis", "A ***adamant*** man.", [("adamant", "A adamant man.")], []),
    ("emphasis-in-bold", "A **big *red* dog** ran.", [("big red dog", "A big red dog ran.")], []),
    ("underscores", "An __under__ score.", [("under", "An under score.")], []),
    ("code-in-bold", "Use **`rm -rf`** never.", [("rm -rf", "Use rm -rf never.")], []),
    ("escaped-stars", r"Not \*\*bold\*\* at all.", [], []),
    ("emoji", "I **love ❤️** 🐍 code.", [("love ❤️", "I love ❤️ 🐍 code.")], []),
    ("emoji-only-bold", "I **❤️** 🐍 code.", [], ["empty bold"]),
    # bold in another script is no English term (LABELLING.md): reported, not carded
    ("cjk", "我们**坚决**反对。他说。", [], ["another script"]),
    ("rtl", "هذا **كتاب** جميل.", [], ["another script"]),
    ("cjk-in-english", "A **resolute** 坚决 man.", [("resolute", "A resolute 坚决 man.")], []),
    (
        "rtl-in-english",
        "The **book** هذا كتاب is on the shelf.",
        [("book", "The book هذا كتاب is on the shelf.")],
        [],
    ),
    ("combining", "A **cafe\u0301** here.", [("cafe\u0301", "A cafe\u0301 here.")], []),
    ("hangul-jamo", "A **\u1100\u1161** b.", [], ["another script"]),
    ("hangul-jamo-in-english", "A **b** \u1100\u1161 c d.", [("b", "A b \u1100\u1161 c d.")], []),
    ("bold-in-heading", "# A **head** word\n\nText.", [], ["heading"]),
    ("term-too-long", "A **" + "x" * 400 + "** b.", [], ["bold longer than 300"]),
    ("sentence-too-long", "word " * 1000 + "**x** y.", [], ["sentence is longer than 3000"]),
    ("deep-quotes", ">" * 5000 + " **x** y.", [], ["sentence is longer"]),
    ("deep-quotes-spaced", "> " * 3000 + "**x** y.", [], ["sentence is longer"]),
    (
        "deep-list",
        "".join("  " * i + "- a\n" for i in range(2000)) + "\n**x** y.",
        [("x", "x y.")],
        [],
    ),
    ("deep-list-dashes", "- " * 3000 + "**x** y.", [], ["sentence is longer"]),
    ("deep-brackets", "[" * 3000 + "**x**" + "]" * 3000, [], []),  # a [[wikilink]]: no bold
    (
        "deep-brackets-spaced",
        "[ " * 3000 + "**adamant** man." + " ]" * 3000,
        [],
        ["skipped 'adamant'"],
    ),
    (
        "nested-emphasis-bomb",
        "*a **a " * 2000 + "**b**" + " a** a*" * 2000,
        [],
        [limits.TOO_NESTED],
    ),
    (
        "html-entities",
        "A **&lt;b&gt;** &amp; &#x7b;&#x7b;c1::x}} z.",
        [("<b>", "A <b> & {{c1::x}} z.")],
        [],
    ),
]


@pytest.mark.parametrize(
    ("text", "expected", "skips"),
    [case[1:] for case in MARKUP],
    ids=[case[0] for case in MARKUP],
)
def test_markup(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    text: str,
    expected: list[tuple[str, str]],
    skips: list[str],
) -> None:
    path = post(tmp_path, text + "\n")
    code, notes, err = export_json(capsys, path)
    assert code == 0
    assert [(n["term"], n["sentence"]) for n in notes] == expected
    skipped = [line for line in err.splitlines() if ": skipped " in line]
    assert len(skipped) == len(skips), skipped
    for line, reason in zip(skipped, skips, strict=True):
        assert reason in line and line.startswith(str(path) + ":")
    for name, value in all_fields(path, capsys) if expected else ():
        assert not markup_problems(value), (name, value)


# -- no executable markup ------------------------------------------------------

ATTACKS = {
    "script-inline": "Hi <script>alert(1)</script> the **term** here.",
    "script-block": "<script>\nalert(1)\n</script>\n\nThe **term** here.",
    "img-onerror": "The **<img src=x onerror=alert(1)>term** here.",
    "svg-onload-block": '<svg onload="alert(1)">\n\nThe **term** here.',
    "a-javascript": 'The **term** <a href="javascript:alert(1)">x</a>.',
    "link-javascript": "The **[term](javascript:alert(1))** here.",
    "autolink-javascript": "The **term** <javascript:alert(1)>.",
    "entity-script": "The **term** &lt;script&gt;alert(1)&lt;/script&gt;.",
    "style-attr": 'The **<span style="x:expression(alert(1))">term</span>** here.',
    "iframe": "The **term** <iframe src=https://evil.example></iframe>.",
    "heading-javascript": "## [Title](javascript:alert(1))\n\nThe **term** here.",
    "heading-data": "## [Title](data:text/html;base64,PHNjcmlwdD4=)\n\nThe **term** here.",
    "heading-vbscript": "## [Title](VBScript:msgbox)\n\nThe **term** here.",
    "heading-quote-break": '## [Ti"tle](https://ok.example/a"onmouseover="alert(1))\n\nThe **term** x.',
    "heading-html-title": "## [<img src=x onerror=alert(1)>](https://ok.example)\n\nThe **term** x.",
    "front-matter-title": '---\ntitle: "<script>alert(1)</script>"\n---\n\nThe **term** here.',
    "section-title": "# <b onclick=alert(1)>Sec</b>\n\nThe **term** here.",
    "mathjax-href": r"The **term** \\(\href{javascript:alert(1)}{x}\\) \\[y\\].",
    "anki-sound": "Play [sound:evil.mp3] the **term** [anki:tts lang=en]x[/anki:tts].",
    "anki-latex": "The **term** [latex]\\input{/etc/passwd}[/latex] [$]x[/$].",
}


@pytest.mark.parametrize("text", ATTACKS.values(), ids=ATTACKS.keys())
def test_no_executable_markup_in_fields(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    path = post(tmp_path, text + "\n")
    _, notes, _ = export_json(capsys, path)
    assert [n["term"] for n in notes] == ["term"]
    assert notes[0]["source"] in (
        None,
        "https://ok.example",
        "https://ok.example/a%22onmouseover=%22alert(1)",
    )
    fields = all_fields(path, capsys)
    for name, value in fields:
        assert not markup_problems(value), (name, value)
        if name != "Key":  # the identity key is text, never a link
            assert "javascript:" not in value.lower() or name in ("Text", "Context")
    url = dict(fields)["URL"]
    assert url == "" or url.startswith("https://")


def test_templates_hold_no_script() -> None:
    for template in (FRONT, BACK):
        assert "<script" not in template.lower()
        assert not re.search(r"\son\w+\s*=", template, re.I)
        assert "javascript:" not in template.lower() and "data:" not in template.lower()
        # the only attribute holding a field is href, and URL is http(s) or empty
        assert re.findall(r'(\w+)="\{\{', template) == ["href"] * template.count('href="{{')


@pytest.mark.anki
def test_rendered_cards_run_nothing(
    tmp_path: Path, anki: Anki, capsys: pytest.CaptureFixture[str]
) -> None:
    path = post(tmp_path, "\n\n".join(ATTACKS.values()) + "\n")
    apkg = tmp_path / "attacks.apkg"
    assert cli(capsys, str(path), "-o", str(apkg), "-q")[0] == 0
    assert anki.import_apkg(apkg).new == len(ATTACKS)
    for card in anki.cards():
        for side in (card.question(), card.answer()):
            body = side.split("</style>", 1)[1]
            parser = _Markup()
            parser.feed(body)
            assert set(parser.tags) <= {"div", "span", "b", "br", "a"}, parser.tags
            for name, value in parser.attrs:
                assert name in ("class", "href", "data-cloze", "data-ordinal"), name
                if name == "href":
                    assert value is not None and value.startswith("https://")
            assert "\\(" not in body and "\\[" not in body  # no MathJax
        assert card.question_av_tags() == [] and card.answer_av_tags() == []
        assert "<img" not in card.answer()


# -- tags ----------------------------------------------------------------------


@pytest.mark.anki
def test_tags_are_sanitised_to_what_anki_keeps(
    tmp_path: Path, anki: Anki, capsys: pytest.CaptureFixture[str]
) -> None:
    header = (
        "---\ntags: ['a b', '<script>', 'x\x1fy', '::', 'p::::q', '', 7, true, {k: v},"
        " 'tab\tbed', '\u3000wide\u3000space', '\"quoted\"', 'emoji🐍', '中文']\n"
        "categories: 'one two'\n---\n"
    )
    path = post(tmp_path, header + "\n## Sec tion\n\nThe **term** here.\n")
    code, notes, _ = export_json(capsys, path, "--tag", "cli tag", "--tag", "on<b>x", "--no-enrich")
    assert code == 0
    expected = [
        "a_b", "script", "x_y", "p::q", "7", "tab_bed", "wide_space", "quoted",
        "emoji🐍", "中文", "one", "two", "cli_tag", "on_b_x", "Sec_tion",
    ]  # fmt: skip
    assert notes[0]["tags"] == expected
    apkg = tmp_path / "t.apkg"
    assert (
        cli(
            capsys,
            str(path),
            "-o",
            str(apkg),
            "-q",
            "--tag",
            "cli tag",
            "--tag",
            "on<b>x",
            "--no-enrich",
        )[0]
        == 0
    )
    anki.import_apkg(apkg)
    (note,) = anki.notes()
    assert sorted(note.tags) == sorted(expected)  # Anki kept every tag exactly as written


# -- cloze safety, proven in a real Anki ---------------------------------------

CLOZES = [
    # id, post sentence, group, cards
    ("cloze-in-sentence", "Use {{c1::this}} and **term** now.", "term", 1),
    ("cloze-c2-in-sentence", "Use {{c2::this}} and **term** now.", "term", 1),
    ("closing-braces", "A }} closing and **term** here.", "term", 1),
    ("opening-braces", "A {{ opening and **term** here.", "term", 1),
    ("double-colon", "Ratio a::b and **term**::hint.", "term", 1),
    ("cloze-as-term", "The **{{c2::x}}** term.", "term", 1),
    ("colons-in-term", "The **a::b:c** term.", "term", 1),
    ("braces-in-term", "The **x}}** and **{{y** terms.", "term", 2),
    ("hint-like-term", "The **c1::hint** term.", "term", 1),
    ("template-syntax", "The {{#Text}}{{/Text}} {{Key}} and **term**.", "term", 1),
    ("sentence-group", "{{c1::a}} **adamant** and **wary** }}.", "sentence", 2),
    ("triple-brace-term", "The **{{{x}}}** term.", "sentence", 1),
]


def _visible(html_text: str) -> str:
    """The text a learner sees in the card's sentence (tags dropped, entities decoded)."""
    import html

    m = re.search(r'<div class="ad-text">(.*?)</div>', html_text, re.S)
    assert m, html_text
    inner = re.sub(r'<span class="cloze"[^>]*>(.*?)</span>', r"⟦\1⟧", m.group(1), flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", inner)).replace("\u2060", "")


@pytest.mark.anki
@pytest.mark.parametrize(
    ("sentence", "group", "cards"), [c[1:] for c in CLOZES], ids=[c[0] for c in CLOZES]
)
def test_cloze_syntax_in_posts_is_inert(
    tmp_path: Path,
    anki: Anki,
    capsys: pytest.CaptureFixture[str],
    sentence: str,
    group: str,
    cards: int,
) -> None:
    path = post(tmp_path, sentence + "\n")
    code, notes, _ = export_json(capsys, path, "--group", group)
    assert code == 0
    apkg = tmp_path / "c.apkg"
    assert cli(capsys, str(path), "-o", str(apkg), "-q", "--group", group)[0] == 0
    log = anki.import_apkg(apkg)
    assert log.new == len(notes)
    rendered = sorted(anki.cards(), key=lambda c: (c.nid, c.ord))
    assert len(rendered) == cards
    terms = [t for n in notes for t in n["terms"]]
    plain = notes[0]["sentence"]
    for card, term in zip(rendered, terms, strict=True):
        question, answer = _visible(card.question()), _visible(card.answer())
        assert answer.count("⟦") == 1 and f"⟦{term}⟧" in answer
        assert question.count("⟦[...]⟧") == 1
        # Other terms of the same note show as text; the rest is the sentence itself.
        assert answer.replace(f"⟦{term}⟧", term, 1) == plain
        assert question.replace("⟦[...]⟧", term, 1) == plain


# -- front matter --------------------------------------------------------------

FRONT_MATTER = [
    # id, header body, warning part (None: no warning), title expected
    (
        "aliases",
        "a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\ntitle: T",
        "aliases",
        "post",
    ),
    (
        "python-object",
        "title: !!python/object/apply:os.system ['echo pwned']",
        "not valid YAML",
        "post",
    ),
    ("python-name", "title: !!python/name:os.system", "not valid YAML", "post"),
    ("huge", "title: T\nx: '" + "y" * 70_000 + "'", "larger than", "post"),
    ("deep-nesting", "x: " + "[" * 20_000 + "]" * 20_000, "nested too deeply", "post"),
    ("deep-flow-map", "x: " + "{a: " * 5_000 + "1" + "}" * 5_000, "nested too deeply", "post"),
    ("not-a-mapping", "- a\n- b", "not a mapping", "post"),
    ("bad-yaml", "title: [unclosed", "not valid YAML", "post"),
    ("tab-indent", "title: T\n\tbad: 1", "not valid YAML", "post"),
    ("binary-tag", "title: !!binary aGVsbG8=", None, "b'hello'"),
    (
        "impossible-date",
        "title: Fine\ndate: 2024-02-30",
        "cannot read (day is out of range",
        "post",
    ),
    ("ok", "title: Fine\ndate: 2024-02-29", None, "Fine"),
]


@pytest.mark.parametrize(
    ("header", "warning", "title"),
    [c[1:] for c in FRONT_MATTER],
    ids=[c[0] for c in FRONT_MATTER],
)
def test_front_matter(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    header: str,
    warning: str | None,
    title: str,
) -> None:
    path = post(tmp_path, f"---\n{header}\n---\n\nThe **term** here.\n")
    code, notes, err = export_json(capsys, path)
    assert code == 0
    assert [n["term"] for n in notes] == ["term"]  # the post still exports
    assert notes[0]["line"] == header.count("\n") + 5
    assert notes[0]["title"] == title
    if warning is None:
        assert "warning" not in err
    else:
        (line,) = [x for x in err.splitlines() if x.startswith("warning:")]
        assert line.startswith(f"warning: {path}:1: ") and warning in line


# -- no data loss --------------------------------------------------------------


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


@pytest.fixture
def existing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path]:
    """A folder with a post and the packages made from it, before the hostile run."""
    out = tmp_path / "out"
    out.mkdir()
    src = post(tmp_path, "The **primal** word.\n")
    for name in ("deck.apkg", "deck.json"):
        assert cli(capsys, str(src), "-o", str(out / name), "-q")[0] == 0
    src.write_text("The **second** word and **third**.\n", encoding="utf-8")
    return src, out


def _fail_with(exc: BaseException) -> Any:
    def fail(*args: object, **kwargs: object) -> None:
        raise exc

    return fail


FAILURES = [
    ("ctrl-c-apkg", "deck.apkg", "ankidigest.write.apkg._fill", KeyboardInterrupt(), 130, "interrupted"),
    ("ctrl-c-zip", "deck.apkg", "ankidigest.write.apkg.write_zip", KeyboardInterrupt(), 130, "interrupted"),
    ("disk-full-apkg", "deck.apkg", "ankidigest.write.apkg.write_zip", OSError(28, "No space left on device"), 1, "No space left"),
    ("sqlite-full", "deck.apkg", "ankidigest.write.apkg._fill", __import__("sqlite3").OperationalError("database or disk is full"), 1, "disk is full"),
    ("ctrl-c-json", "deck.json", "ankidigest.write.jsonout.dumps", KeyboardInterrupt(), 130, "interrupted"),
    ("disk-full-json", "deck.json", "json.dump", None, 1, "No space left"),
    ("ctrl-c-rename", "deck.apkg", "os.replace", KeyboardInterrupt(), 130, "interrupted"),
    ("rename-fails", "deck.json", "os.replace", OSError(13, "Permission denied"), 1, "Permission denied"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("target", "name", "exc", "code", "message"),
    [c[1:] for c in FAILURES],
    ids=[c[0] for c in FAILURES],
)
def test_failed_run_leaves_package_untouched(
    existing: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    target: str,
    exc: BaseException | None,
    code: int,
    message: str,
) -> None:
    import tempfile

    src, out = existing
    scratch = out.parent / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    before = _snapshot(out)
    if exc is None:  # the disk fills while the JSON text is written
        import builtins

        real_open = builtins.open

        class Full:
            def __init__(self, fh: Any) -> None:
                self.fh = fh

            def __enter__(self) -> Full:
                return self

            def __exit__(self, *a: object) -> None:
                self.fh.close()

            def write(self, text: str) -> int:
                self.fh.write(text[:10])
                raise OSError(28, "No space left on device")

        def fake_open(path: Any, mode: str = "r", *a: Any, **k: Any) -> Any:
            fh = real_open(path, mode, *a, **k)
            return Full(fh) if "w" in mode and str(path).endswith(".tmp") else fh

        monkeypatch.setattr(builtins, "open", fake_open)
    else:
        monkeypatch.setattr(name, _fail_with(exc))
    got, _, err = cli(capsys, str(src), "-o", str(out / target))
    monkeypatch.undo()
    assert got == code and message in err and len(err.strip().splitlines()) == 1, err
    assert _snapshot(out) == before  # byte-identical, and no temporary file left beside it
    assert list(scratch.iterdir()) == []  # no temporary folder left behind


def test_bad_input_never_touches_the_package(
    existing: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    src, out = existing
    before = _snapshot(out)
    src.write_bytes(b"caf\xe9 **x**.")
    assert cli(capsys, str(src), "-o", str(out / "deck.apkg"))[0] == 1
    assert cli(capsys, str(src), str(out / "missing.md"), "-o", str(out / "deck.json"))[0] == 1
    assert _snapshot(out) == before


def test_unsafe_field_is_never_written(existing: tuple[Path, Path]) -> None:
    import dataclasses

    from ankidigest import OutputError, read_posts, write_package

    src, out = existing
    before = _snapshot(out)
    (note, *_rest) = build_notes(read_posts([str(src)]))
    fields = list(note.fields)
    fields[FIELD_NAMES.index("Source")] = '<img src=x onerror="alert(1)">'
    bad = dataclasses.replace(note, fields=tuple(fields))
    with pytest.raises(OutputError, match="field Source would hold '<img"):
        write_package([bad], str(out / "deck.apkg"))
    fields[FIELD_NAMES.index("Source")] = "a\x1fb"
    with pytest.raises(OutputError, match="U\\+001F"):
        write_package([dataclasses.replace(note, fields=tuple(fields))], str(out / "deck.json"))
    assert _snapshot(out) == before


# -- big inputs: a subprocess with a hang guard -----------------------------------

BIG = {
    # id: (post text, expected exit code, expected note count); exit 1 with no note:
    # "nothing to export", written as one line
    "2mb-line-no-full-stop": ("word " * 400_000 + "**x** y.\n", 1, 0),
    "half-mb-line-of-sentences": ("A **b** c. " * 50_000 + "\n", 0, 50_000),
    "30000-bolds-one-sentence": (" ".join(f"**w{i}**" for i in range(30_000)) + "\n", 1, 0),
    "30000-bolds-one-paragraph": (" ".join(f"The **w{i}** is." for i in range(30_000)), 0, 30_000),
    "1mb-nested-emphasis": (("*a **a " * 300 + "b" + " a** a*" * 300 + "\n\n") * 240, 1, 0),
    "1mb-unclosed-links": ("[a](<b" * 170_000 + " **x**.\n", 1, 0),
    "1mb-deep-quotes": (">" * 1_000_000 + " **x** y.\n", 1, 0),
}


@pytest.mark.slow
@pytest.mark.parametrize(("text", "code", "count"), BIG.values(), ids=BIG.keys())
def test_big_inputs_finish(tmp_path: Path, text: str, code: int, count: int) -> None:
    path = post(tmp_path, text)
    out = tmp_path / "big.json"
    proc = subprocess.run(
        [sys.executable, "-m", "ankidigest", str(path), "-o", str(out), "-q"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr
    if code == 1:
        assert ": nothing to export: " in proc.stderr and not out.exists()
    else:
        assert len(json.loads(out.read_text(encoding="utf-8"))) == count


def test_hostile_previous_export_comes_back_as_text(
    existing: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    import dataclasses

    from ankidigest import read_posts
    from ankidigest.write.apkg import write_apkg

    src, out = existing
    (note,) = build_notes(read_posts([str(src)]))[:1]
    fields = list(note.fields)
    fields[FIELD_NAMES.index("Source")] = "<script>alert(1)</script>"
    crafted = out / "crafted.apkg"  # written around the gate, as another tool could
    write_apkg([dataclasses.replace(note, fields=tuple(fields))], str(crafted))
    src.write_text("Only **other** words now.\n", encoding="utf-8")
    target = str(out / "deck.apkg")
    args = (str(src), "-o", target, "--previous", str(crafted), "--mark-removed")
    code, _, err = cli(capsys, *args)
    # Sanitised as a post's text is (issue 16): the markup shows as text.
    assert code == 0, err
    (_mod, flds), *_ = [v for v in read_apkg_guids(target).values() if "script" in v[1]]
    source = flds.split("\x1f")[FIELD_NAMES.index("Source")]
    assert source == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert all(markup_problems(f) == [] for f in flds.split("\x1f"))


def test_parser_recursion_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ankidigest.read import markdown

    def deep(text: str) -> list[dict[str, Any]]:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(markdown, "parse", deep)  # as an older mistune could
    path = post(tmp_path, "> " * 50 + "**x** y.\n")
    code, _, err = cli(capsys, str(path), "-o", str(tmp_path / "o.json"))
    assert (
        code == 1
        and err.strip() == f"ankidigest: error: {path}: markdown nested too deeply to parse"
    )
