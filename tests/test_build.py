"""Build: fields, cloze text, identity (guids), decks and tags."""

from __future__ import annotations

import pytest

from ankidigest import BuildOptions, OutputError, build_notes, walk
from ankidigest.notes.build import check_unique
from ankidigest.notes.notetype import FIELD_INDEX, FIELD_NAMES

ARTICLE = "#### [2024-10-16 Talks stall](https://www.example.com/a/?utm_source=x)\n\n"


def _notes(text: str, **options: object) -> list:
    return build_notes([walk(text, "post.md", 1000)], BuildOptions(**options))  # type: ignore[arg-type]


def _field(note: object, name: str) -> str:
    return note.fields[FIELD_INDEX[name]]  # type: ignore[attr-defined]


def test_field_list_is_frozen() -> None:
    # Changing this list breaks every user's notes (see docs/DESIGN.md): never edit the
    # expectation to make a failing test pass.
    assert FIELD_NAMES == (
        "Text", "Term", "Lemma", "Definition", "Translation", "Pronunciation", "Audio",
        "Image", "Context", "Source", "URL", "Date", "Section", "Post", "Key",
    )  # fmt: skip


def test_typo_fix_keeps_guid_but_term_change_does_not() -> None:
    before = _notes(ARTICLE + "The envoy was **adamant** about teh talks.\n")
    fixed = _notes(ARTICLE + "The envoy was **adamant** about the talks.\n")
    other = _notes(ARTICLE + "The envoy was **resolute** about the talks.\n")
    assert before[0].guid == fixed[0].guid
    assert before[0].fields != fixed[0].fields
    assert other[0].guid != fixed[0].guid


def test_identity_ignores_url_noise_title_and_section() -> None:
    a = _notes("### One\n\n" + ARTICLE + "A **word** here.\n")
    b = _notes(
        "### Two\n\n#### [2024-10-17 New title](http://example.com/a#frag)\n\nA **Word** there.\n"
    )
    assert a[0].guid == b[0].guid
    assert a[0].key == "example.com/a#word#1"


def test_repeated_term_gets_occurrence_numbers_and_unique_guids() -> None:
    notes = _notes(ARTICLE + "A **word**, a **word** and a **WORD**.\n")
    assert [n.key.rsplit("#", 1)[1] for n in notes] == ["1", "2", "3"]
    assert len({n.guid for n in notes}) == 3


def test_same_article_in_two_posts_exported_together_is_not_a_duplicate() -> None:
    one = walk(ARTICLE + "A **word**.\n", "one.md", 1)
    two = walk(ARTICLE + "Another **word**.\n", "two.md", 2)
    notes = build_notes([one, two])
    assert [n.key for n in notes] == ["example.com/a#word#1", "example.com/a#word#2"]


def test_duplicate_guid_is_an_error_and_names_both_places() -> None:
    notes = _notes(ARTICLE + "A **word**.\n")
    with pytest.raises(OutputError, match=r"post.md:3: note would share its identity"):
        check_unique(notes + notes)


def test_cloze_escapes_html_and_cloze_syntax() -> None:
    notes = _notes(ARTICLE + "Braces {{c1::x}} and a::b with <i>tags</i> & the **odd::one}}**.\n")
    text = _field(notes[0], "Text")
    assert text.count("{{c") == 1 and text.count("}}") == 1
    assert "{{c1::odd&#58;&#58;one&#125;&#125;}}" in text
    assert "&#123;&#123;c1&#58;&#58;x&#125;&#125;" in text
    assert "with tags &amp; the" in text and "<i>" not in text  # raw HTML tags dropped


def test_other_bold_words_stay_readable_and_context_highlights() -> None:
    notes = _notes(ARTICLE + "He was **weary**. The army was **overstretched** and **tired**.\n")
    assert _field(notes[1], "Text") == "The army was {{c1::overstretched}} and tired."
    context = _field(notes[1], "Context")
    # Only the note's own term: bolding another word must not change this note.
    assert context == "He was weary. The army was <b>overstretched</b> and tired."
    assert _field(notes[0], "URL") == "https://www.example.com/a/?utm_source=x"
    assert _field(notes[0], "Source") == "Talks stall" and _field(notes[0], "Date") == "2024-10-16"


def test_sentence_without_article_uses_post_title_and_section_identity() -> None:
    notes = _notes("---\ntitle: My notes\n---\n\n### Words\n\nA **lone** term.\n")
    assert notes[0].key == "post:post/words#lone#1"
    assert _field(notes[0], "URL") == "" and _field(notes[0], "Source") == "My notes"
    assert notes[0].deck == "My notes" and notes[0].tags == ("Words",)


def test_only_http_links_reach_the_url_field() -> None:
    notes = _notes("#### [Bad](javascript:alert(1))\n\nA **word**.\n")
    assert _field(notes[0], "URL") == ""


def test_tags_from_front_matter_sections_and_options_are_anki_safe() -> None:
    text = (
        '---\ntags: [news, "two words"]\ncategories: reading\n---\n### A b\n#### C d\n\nA **w**.\n'
    )
    notes = _notes(text, tags=("extra tag",))
    assert notes[0].tags == ("news", "two_words", "reading", "extra_tag", "A_b::C_d")
