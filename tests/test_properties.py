"""Property tests (hypothesis) for the walker, the cloze builder and the tag cleaner.

A bounded, derandomised run by default (CI). For a longer fuzz run:
    ANKIDIGEST_FUZZ=5000 python -m pytest tests/test_properties.py
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ankidigest.notes.build import BuildOptions, build_notes
from ankidigest.notes.cloze import build_cloze
from ankidigest.notes.notetype import FIELD_INDEX, FIELD_NAMES
from ankidigest.read.walker import walk
from ankidigest.sanitize import tag

from conftest import FUZZ, Anki, fuzz_settings

CHECKS = fuzz_settings(150)

# Markdown-ish pieces, including everything that has broken parsers and cards.
PIECES = st.sampled_from(
    [
        "**", "__", "*", "_", "`", "[", "]", "(", ")", "<", ">", "&", "&amp;", "#", "- ", "> ",
        "1. ", "\n", "\n\n", " ", "  \n", ".", "!", "?", "。", ":", "::", "{{", "}}", "{{c1::",
        "\\", "\\(", "[sound:a.mp3]", "<b>", "<script>", "<br>", "https://x.org", "|", "---\n",
        "\x1f", "\x00", "\u200b", "\u202e", "\u200d", "\ufeff", "e\u0301", "👨\u200d👩", "中文",
        "كتاب", "word", "Word", "Mr.", "U.S.", "3.5", "\t", "\r\n", "\r", '"', "'", "”",
    ]
)  # fmt: skip
MARKDOWN = st.lists(st.one_of(PIECES, st.text(max_size=4)), max_size=60).map("".join)
# Mostly well-formed posts: sentences with bold words.
WORD = st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=8)
SENTENCE = st.lists(
    st.one_of(WORD, WORD.map(lambda w: f"**{w}**"), PIECES), min_size=1, max_size=12
).map(lambda parts: " ".join(parts) + ".")
POST = st.lists(SENTENCE, min_size=1, max_size=8).map("\n\n".join)
DELETION = re.compile(r"\{\{c(\d+)::(.*?)\}\}", re.S)


def _check_document(text: str, group: str) -> None:
    doc = walk(text, "fuzz.md")
    for sentence in doc.sentences:
        assert sentence.terms, "a sentence without a term"
        for term in sentence.terms:
            # every term appears in its own sentence, at its offsets
            assert sentence.text[term.start : term.end] == term.text
            assert term.text == term.text.strip() and term.text
    notes = build_notes([doc], BuildOptions(group=group))
    assert len({n.guid for n in notes}) == len(notes)  # guids unique within a package
    for note in notes:
        assert len(note.fields) == len(FIELD_NAMES)
        assert all("\x1f" not in f for f in note.fields)
        cloze = note.fields[FIELD_INDEX["Text"]]
        found = DELETION.findall(cloze)
        assert [html.unescape(a).replace("\u2060", "") for _, a in found] == list(note.terms)
        # the cloze text with each deletion applied is the (escaped) sentence
        applied = DELETION.sub(lambda m: m.group(2), cloze)
        assert html.unescape(applied.replace("<br>", "\n")).replace("\u2060", "") == note.sentence


@CHECKS
@given(MARKDOWN, st.sampled_from(["term", "sentence"]))
def test_walker_never_crashes_on_markdown_soup(text: str, group: str) -> None:
    _check_document(text, group)


@pytest.mark.slow
@CHECKS
@given(POST, st.sampled_from(["term", "sentence"]))
def test_posts_give_consistent_notes(text: str, group: str) -> None:
    _check_document(text, group)


@st.composite
def sentence_and_spans(draw: st.DrawFn) -> tuple[str, list[tuple[int, int, int]]]:
    text = draw(st.lists(st.one_of(PIECES, st.characters()), min_size=1, max_size=40).map("".join))
    cuts = sorted(draw(st.sets(st.integers(0, len(text)), max_size=8)))
    pairs = [(a, b) for a, b in zip(cuts[::2], cuts[1::2], strict=False) if b > a]
    return text, [(a, b, i) for i, (a, b) in enumerate(pairs, 1)]


@CHECKS
@given(sentence_and_spans())
def test_cloze_builder(case: tuple[str, list[tuple[int, int, int]]]) -> None:
    text, spans = case
    cloze = build_cloze(text, spans)
    found = DELETION.findall(cloze)
    assert [int(n) for n, _ in found] == [n for _, _, n in spans]
    answers = [html.unescape(a).replace("\u2060", "") for _, a in found]
    assert answers == [text[a:b] for a, b, _ in spans]
    applied = DELETION.sub(lambda m: m.group(2), cloze)
    assert html.unescape(applied.replace("<br>", "\n")).replace("\u2060", "") == text
    # Outside our own deletions nothing looks like cloze, media or MathJax syntax.
    rest = DELETION.sub("", cloze)
    assert not re.search(r"\{\{|\}\}|::|\[|\\[()\[\]]", rest)


@CHECKS
@given(st.text(max_size=30))
def test_tags_are_clean_and_stable(raw: str) -> None:
    clean = tag(raw)
    assert tag(clean) == clean
    assert not re.search(r"[\s\x00-\x1f\x7f-\x9f\"'<>&`{}]", clean)
    assert "::::" not in clean and not clean.startswith(":") and not clean.endswith(":")


# -- rendered in a real Anki -----------------------------------------------------


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Anki]:
    from ankidigest.api import write_package

    folder = tmp_path_factory.mktemp("anki")
    apkg = folder / "seed.apkg"
    write_package(build_notes([walk("The **seed** word.\n", "seed.md")]), str(apkg))
    anki = Anki(Path(folder / "collection.anki2"))
    anki.import_apkg(apkg)
    try:
        yield anki
    finally:
        anki.close()


def _visible(side: str) -> str:
    m = re.search(r'<div class="ad-text">(.*?)</div>', side, re.S)
    assert m, side
    inner = re.sub(r'<span class="cloze"[^>]*>(.*?)</span>', "\x02\\1\x03", m.group(1), flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", inner)).replace("\u2060", "")


@pytest.mark.anki
@settings(CHECKS, max_examples=FUZZ or 60)
@given(POST)
def test_rendered_cards_show_exactly_the_sentence(collection: Anki, text: str) -> None:
    col = collection.col
    model = col.models.by_name("ankidigest cloze")
    notes = build_notes([walk(text, "fuzz.md")])
    added = []
    try:
        for spec in notes:
            note = col.new_note(model)
            for name, value in zip(FIELD_NAMES, spec.fields, strict=True):
                note[name] = value
            col.add_note(note, col.decks.id("fuzz"))
            added.append(note.id)
            (card,) = note.cards()  # one term, one cloze, one card: nothing else opened one
            # Anki stores fields in NFC (e + U+0301 becomes é, U+2F800 becomes U+4E3D)
            sentence = " ".join(unicodedata.normalize("NFC", spec.sentence).split())
            answer = " ".join(_visible(card.answer()).split())
            question = " ".join(_visible(card.question()).split())
            assert answer.replace("\x02", "").replace("\x03", "") == sentence
            assert answer.count("\x02") == 1 and question.count("\x02[...]\x03") == 1
            assert card.question_av_tags() == [] and card.answer_av_tags() == []
    finally:
        if added:
            col.remove_notes(added)
