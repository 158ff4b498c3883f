"""The fast paths of the build stage give exactly what the plain code gave.

Each ``_slow_*`` function below is the code as it was before the fast paths (kept
here, not in the library, as the reference): build_notes with every field
escaped and cleaned per note, clean_field with two scans, guid_for digit by
digit, build_cloze and highlight escaping every piece. The tests compare them
on hostile input: control characters, lone surrogates, HTML, cloze markers,
MathJax, very long text, shared articles and sections, posts that differ.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ankidigest import sanitize
from ankidigest.errors import AnkidigestError
from ankidigest.identity import _BASE91, article_scope, base91, guid_for, normalize_term
from ankidigest.limits import MAX_CONTEXT_CHARS
from ankidigest.model import Article, Document, NoteSpec, Paragraph, Post, Sentence, Term
from ankidigest.notes.build import BuildOptions, build_notes, check_unique, deck_name
from ankidigest.notes.cloze import build_cloze, escape_answer, escape_text, highlight, is_plain
from ankidigest.notes.notetype import FIELD_NAMES
from ankidigest.read.walker import walk

from conftest import EXAMPLE, fuzz_settings

CHECKS = fuzz_settings(300)

# -- the reference: the code before the fast paths ---------------------------------


def _slow_clean_field(value: str) -> str:
    if value.isascii() and value.isprintable():
        return value
    value = re.sub(r"[\ud800-\udfff]", "\ufffd", value)
    control = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
    return control.sub(" ", value) if control.search(value) else value


def _slow_guid_for(key: str) -> str:
    number = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big")
    return _slow_base91(number)


def _slow_base91(number: int) -> str:
    chars = []
    while number:
        number, digit = divmod(number, len(_BASE91))
        chars.append(_BASE91[digit])
    return "".join(reversed(chars)) or _BASE91[0]


def _slow_build_cloze(sentence: str, spans: Sequence[tuple[int, int, int]]) -> str:
    out: list[str] = []
    pos = 0
    for start, end, number in spans:
        out.append(escape_text(sentence[pos:start]))
        out.append(f"{{{{c{number}::{escape_answer(sentence[start:end])}}}}}")
        pos = end
    out.append(escape_text(sentence[pos:]))
    return "".join(out)


def _slow_highlight(text: str, spans: Sequence[tuple[int, int]]) -> str:
    out: list[str] = []
    pos = 0
    for start, end in spans:
        out.append(escape_text(text[pos:start]))
        out.append("<b>" + escape_text(text[start:end]) + "</b>")
        pos = end
    out.append(escape_text(text[pos:]))
    return "".join(out)


def _slow_build_notes(documents: Sequence[Document], options: BuildOptions) -> list[NoteSpec]:
    notes: list[NoteSpec] = []
    earlier: dict[tuple[str, str], int] = {}
    for doc in documents:
        deck = deck_name(doc, options.deck, several=len(documents) > 1)
        base_tags = sanitize.tags(doc.post.tags + doc.post.categories + options.tags)
        counted: dict[tuple[str, str], int] = {}
        for sentence in doc.sentences:
            scope = article_scope(sentence.article, doc.post.path, sentence.section)
            numbered = []
            for term in sentence.terms:
                key = (scope, normalize_term(term.text))
                counted[key] = max(counted.get(key, 0), term.occurrence)
                numbered.append((term, term.occurrence + earlier.get(key, 0)))
            section_tag = ("::".join(sentence.section),) if sentence.section else ()
            tags = base_tags + sanitize.tags(section_tag)
            if options.group == "term":
                for term, occurrence in numbered:
                    ident = f"{scope}#{normalize_term(term.text)}#{occurrence}"
                    notes.append(_slow_note(sentence, (term,), ident, deck, tags))
            else:
                first, occurrence = numbered[0]
                ident = f"{scope}#s#{normalize_term(first.text)}#{occurrence}"
                notes.append(_slow_note(sentence, sentence.terms, ident, deck, tags))
        for key, count in counted.items():
            earlier[key] = earlier.get(key, 0) + count
    check_unique(notes)
    return notes


def _slow_context(sentence: Sentence, terms: tuple[Term, ...]) -> str:
    para = sentence.paragraph
    if para.text.strip() == sentence.text or len(para.text) > MAX_CONTEXT_CHARS:
        return ""
    bold = set(para.bold)
    at = para.text.find(sentence.text)
    while at >= 0:
        spans = [(at + t.start, at + t.end) for t in terms]
        if all(span in bold for span in spans):
            return _slow_highlight(para.text, spans)
        at = para.text.find(sentence.text, at + 1)
    return _slow_highlight(para.text, para.bold)


def _slow_note(
    sentence: Sentence, terms: tuple[Term, ...], ident: str, deck: str, tags: tuple[str, ...]
) -> NoteSpec:
    spans = [(t.start, t.end, i) for i, t in enumerate(terms, 1)]
    article = sentence.article
    post = sentence.post
    url = article.url if article and re.match(r"^https?://", article.url, re.I) else ""
    title = article.title if article else post.title
    date = (article.date if article else None) or post.date
    section = " › ".join(sentence.section)
    fields = dict.fromkeys(FIELD_NAMES, "")
    fields.update(
        Text=_slow_build_cloze(sentence.text, spans),
        Term=escape_text(", ".join(t.text for t in terms)),
        Context=_slow_context(sentence, terms),
        Source=escape_text(title),
        URL=html.escape(url, quote=True),
        Date=date or "",
        Section=escape_text(section),
        Post=escape_text(post.title),
        Key=escape_text(ident),
        Translation=escape_text(sentence.translation),
    )
    return NoteSpec(
        guid=_slow_guid_for(ident),
        key=ident,
        fields=tuple(map(_slow_clean_field, fields.values())),
        tags=tags,
        deck=deck,
        mod=post.mtime,
        terms=tuple(t.text for t in terms),
        sentence=sentence.text,
        source=url or None,
        title=title,
        date=date,
        section=section,
        path=post.path,
        line=terms[0].line,
        cloze_max=len(spans),
    )


# -- hostile text --------------------------------------------------------------------

HOSTILE = [
    "\x00", "\x01", "\x08", "\x0b", "\x1f", "\x7f", "\x85", "\x9f", "\t", "\n", "\r",
    "\ud800", "\udfff", "\ud83d", "\ufffd", "\u200b", "\u2060", "\u202e",
    "<", ">", "&", "&amp;", "<b>", "</b>", "<br>", "<script>", "<b", "br>", '"', "'",
    "{{c1::", "}}", "{{", "::", ":", "[", "]", "[sound:a.mp3]", "\\", "\\(", "\\[", "#", "/",
    " ", "  ", "。", "中文", "كتاب", "é", "e\u0301", "👨\u200d👩", "›", "word", "Word",
]  # fmt: skip
# Mostly text without anything to escape (the fast paths), now and then a hostile piece.
PLAIN = st.text(st.sampled_from("abcdefgh XYZ,.;:!?-'0123中文é"), max_size=12)
TEXT = st.lists(
    st.one_of(PLAIN, PLAIN, PLAIN, st.sampled_from(HOSTILE), st.text(max_size=3)), max_size=12
).map("".join)
SHORT = st.one_of(st.sampled_from(["", "x", "A b", "Noticias"]), TEXT)
URLS = st.sampled_from(
    [
        "", "https://www.example.com/a/?utm_source=x&b=1#frag", "http://example.com/a",
        "HTTPS://Example.COM:8080/a/b/", "javascript:alert(1)", "https://x.org/<b>&\"'",
        "https://x.org/a::b{{c1::x}}", "https://x.org/\x1f\ud800", "ftp://x.org/a", "x.org/a",
    ]
)  # fmt: skip


@st.composite
def sentences(draw: st.DrawFn, post: Post, articles: list[Article | None]) -> Sentence:
    pieces = draw(st.lists(st.tuples(TEXT, TEXT), min_size=1, max_size=4))
    text = ""
    spans: list[tuple[int, int]] = []
    for before, term in pieces:
        text += before + " "
        term = term.strip() or "t"
        spans.append((len(text), len(text) + len(term)))
        text += term
    text += draw(TEXT)
    terms = tuple(
        Term(text[a:b], a, b, draw(st.integers(1, 3)), draw(st.integers(1, 9))) for a, b in spans
    )
    shape = draw(st.sampled_from(["alone", "padded", "inside", "long", "no-bold"]))
    if shape == "alone":
        para = Paragraph(text, tuple(spans), 1)
    elif shape == "padded":
        para = Paragraph(f"  {text}\n", tuple((a + 2, b + 2) for a, b in spans), 1)
    elif shape == "long":
        para = Paragraph(text + "x" * MAX_CONTEXT_CHARS, (), 1)
    else:
        before = draw(TEXT) + " " + text + " "  # the sentence twice: the second is bolded
        bold = (
            ()
            if shape == "no-bold"
            else tuple((a + len(before), b + len(before)) for a, b in spans)
        )
        para = Paragraph(before + text + draw(TEXT), ((0, 1), *bold), 1)
    return Sentence(
        text=text,
        terms=terms,
        paragraph=para,
        article=draw(st.sampled_from(articles)),
        section=draw(st.sampled_from([(), ("A",), ("A", "b"), (draw(SHORT),), ("::", "\x1f")])),
        post=post if draw(st.integers(0, 5)) else Post("other.md", draw(SHORT)),
        line=1,
        translation=draw(st.one_of(st.just(""), TEXT)),
    )


@st.composite
def documents(draw: st.DrawFn) -> Document:
    post = Post(
        path=draw(st.sampled_from(["post.md", "dir/2024 news.md", "a\x1fb.md"])),
        title=draw(SHORT),
        date=draw(st.sampled_from([None, "2024-10-16", "2024\x01<b>"])),
        tags=tuple(draw(st.lists(SHORT, max_size=2))),
        mtime=7,
    )
    articles: list[Article | None] = [None]
    for _ in range(draw(st.integers(0, 3))):
        articles.append(Article(draw(URLS), draw(SHORT), draw(st.sampled_from([None, "x"])), 2))
    found = draw(st.lists(sentences(post, articles), min_size=1, max_size=8))
    return Document(post=post, sentences=tuple(found), articles=len(articles) - 1)


def _both(docs: list[Document], options: BuildOptions) -> None:
    # A lone surrogate in a key cannot be hashed (UnicodeEncodeError); the walker never
    # lets one into a term, but both builds must still fail alike.
    try:
        expected: object = _slow_build_notes(docs, options)
    except (AnkidigestError, UnicodeError) as exc:
        expected = (type(exc), str(exc))
    try:
        got: object = build_notes(docs, options)
    except (AnkidigestError, UnicodeError) as exc:
        got = (type(exc), str(exc))
    assert got == expected


# -- the tests -----------------------------------------------------------------------


@pytest.mark.slow
@CHECKS
@given(st.lists(documents(), min_size=1, max_size=3), st.sampled_from(["term", "sentence"]))
def test_build_notes_equals_the_plain_build(docs: list[Document], group: str) -> None:
    _both(docs, BuildOptions(group=group))
    _both(docs, BuildOptions(group=group, deck="D::{title}", tags=("x y",)))


@pytest.mark.slow
@CHECKS
@given(
    st.lists(TEXT, min_size=1, max_size=6).map("\n\n".join), st.sampled_from(["term", "sentence"])
)
def test_walked_posts_build_as_before(body: str, group: str) -> None:
    text = "---\ntitle: T <b>\n---\n#### [2024-10-16 A {{c1::x}}](https://www.x.org/a?utm_source=1)\n\n"
    doc = walk(text + body.replace("a", "**a**"), "post.md", 3)
    _both([doc], BuildOptions(group=group))


@pytest.mark.parametrize("group", ["term", "sentence"])
def test_the_example_builds_as_before(group: str) -> None:
    doc = walk(EXAMPLE.read_text(encoding="utf-8"), str(EXAMPLE), 5)
    assert doc.sentences
    _both([doc], BuildOptions(group=group))


@pytest.mark.parametrize("group", ["term", "sentence"])
def test_the_corpus_builds_as_before(corpus: Path, group: str) -> None:
    doc = walk(corpus.read_text(encoding="utf-8"), str(corpus), 5)
    assert doc.sentences
    _both([doc], BuildOptions(group=group))


def test_fields_are_in_field_name_order() -> None:
    text = "# T\n\n### Sec\n\n#### [2024-10-16 S](https://x.org/a)\n\nOne **word** here. Two.\n"
    (note,) = build_notes([walk(text, "p.md")])
    assert dict(zip(FIELD_NAMES, note.fields, strict=True)) == {
        "Text": "One {{c1::word}} here.",
        "Term": "word",
        "Lemma": "",
        "Definition": "",
        "Translation": "",
        "Pronunciation": "",
        "Audio": "",
        "Image": "",
        "Context": "One <b>word</b> here. Two.",
        "Source": "S",
        "URL": "https://x.org/a",
        "Date": "2024-10-16",
        "Section": "Sec",
        "Post": "T",
        "Key": "x.org/a#word#1",
    }


@CHECKS
@given(st.one_of(TEXT, st.text(), st.text(max_size=5).map(lambda t: t * 5000)))
def test_clean_field_equals_the_two_scans(value: str) -> None:
    assert sanitize.clean_field(value) == _slow_clean_field(value)


@pytest.mark.parametrize(
    "value", ["", "a", "a\x1fb", "\ud800", "中\x85文", "中文", "\t\n", "x" * 10**5]
)
def test_clean_field_cases(value: str) -> None:
    assert sanitize.clean_field(value) == _slow_clean_field(value)


@CHECKS
@given(st.one_of(TEXT, st.text(), st.lists(st.sampled_from(HOSTILE)).map("".join)))
def test_plain_and_clean_say_what_the_escapes_change(value: str) -> None:
    # The build skips escape_text and clean_field on slices of a sentence (and on its
    # cloze) that both tests pass: the one regular expression it stood for, the slow scans.
    assert is_plain(value) == (re.search(r"[&<>{}\[\\\n]|::", value) is None)
    assert sanitize.is_clean(value) == (_slow_clean_field(value) == value)
    if is_plain(value):
        assert escape_text(value) == value
        assert escape_answer(value) == value.replace(":", "&#58;")


@CHECKS
@given(st.one_of(st.integers(0, 2**64 - 1), st.integers(0, 91**3), st.sampled_from([0, 1, 90, 91])))
def test_base91_equals_digit_by_digit(number: int) -> None:
    assert base91(number) == _slow_base91(number)


def test_base91_edges_and_guids() -> None:
    for number in (0, 1, 90, 91, 91**2 - 1, 91**2, 91**5, 91**9, 2**63, 2**64 - 1):
        assert base91(number) == _slow_base91(number)
    for key in ("", "a", "example.com/a#word#1", "\ud800", "中文#s#x#2"):
        key = key.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
        assert guid_for(key) == _slow_guid_for(key)


@st.composite
def text_and_spans(draw: st.DrawFn) -> tuple[str, list[tuple[int, int]]]:
    text = draw(st.one_of(PLAIN, TEXT, TEXT.map(lambda t: t * 300)))
    cuts = sorted(draw(st.sets(st.integers(0, len(text)), max_size=8)))
    return text, [(a, b) for a, b in zip(cuts[::2], cuts[1::2], strict=False) if b > a]


@pytest.mark.slow
@CHECKS
@given(text_and_spans())
def test_cloze_and_highlight_equal_escaping_every_piece(
    case: tuple[str, list[tuple[int, int]]],
) -> None:
    text, spans = case
    numbered = [(a, b, i) for i, (a, b) in enumerate(spans, 1)]
    assert build_cloze(text, numbered) == _slow_build_cloze(text, numbered)
    assert build_cloze(text, numbered[:1]) == _slow_build_cloze(text, numbered[:1])
    assert highlight(text, spans) == _slow_highlight(text, spans)


def test_plain_text_takes_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    # Text with a single ':' and no other special character: the answer still escapes it.
    assert build_cloze("a b: c", [(2, 4, 1)]) == "a {{c1::b&#58;}} c"
    assert highlight("a b: c", [(2, 4)]) == "a <b>b:</b> c"
    # ... and a '::', '\\' or '<' anywhere takes the slow path, even outside the spans.
    for text in ("a b c::", "\\a b c", "a b c<"):
        assert build_cloze(text, [(2, 3, 1)]) == _slow_build_cloze(text, [(2, 3, 1)])


def test_shared_place_is_rebuilt_for_another_post() -> None:
    post, other = Post("p.md", "Mine"), Post("p.md", "Other")
    article = Article("https://x.org/a", "A", None, 1)

    def sentence(of: Post, word: str, occurrence: int) -> Sentence:
        text = f"The {word} here."
        term = Term(word, 4, 4 + len(word), occurrence, 3)
        return Sentence(
            text, (term,), Paragraph(text, ((4, 4 + len(word)),), 3), article, (), of, 3
        )

    doc = Document(
        post, (sentence(post, "a", 1), sentence(other, "b", 1), sentence(post, "c", 1)), 1
    )
    notes = build_notes([doc])
    assert [n.fields[FIELD_NAMES.index("Post")] for n in notes] == ["Mine", "Other", "Mine"]
    assert notes == _slow_build_notes([doc], BuildOptions())


@CHECKS
@given(st.one_of(st.text(st.characters(max_codepoint=127)), TEXT, st.text()))
def test_normalize_term_equals_the_full_normalisation(term: str) -> None:
    # ASCII terms skip NFKC and the quote table (they change no ASCII character).
    import unicodedata

    from ankidigest.identity import _QUOTES

    full = unicodedata.normalize("NFKC", term).translate(_QUOTES).casefold()
    assert normalize_term(term) == " ".join(full.split())
