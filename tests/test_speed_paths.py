"""The fast paths of check_fields and read_prior give the verdicts of the slow ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from ankidigest import export
from ankidigest.errors import OutputError
from ankidigest.model import NoteSpec
from ankidigest.notes.build import BuildOptions
from ankidigest.notes.notetype import FIELD_NAMES
from ankidigest.update.prior import read_prior
from ankidigest.write.formats import check_fields


def _note(fields: tuple[str, ...]) -> NoteSpec:
    return NoteSpec(
        guid="g",
        key="k",
        fields=fields,
        tags=(),
        deck="d",
        mod=1,
        terms=("w",),
        sentence="s",
        source=None,
        title="t",
        date=None,
        section="",
        path="post.md",
        line=3,
    )


@pytest.mark.parametrize(
    ("first", "second"),
    [("a <", "b> c"), ("a <", "br> c"), ("a </", "b> c"), ("ok", "x <script>"), ("\x07", "")],
)
def test_a_tag_split_over_two_fields_is_still_refused(first: str, second: str) -> None:
    empty = ("",) * (len(FIELD_NAMES) - 2)
    with pytest.raises(OutputError, match=r"post\.md:3: field (Text|Term)"):
        check_fields([_note((first, second, *empty))])


def test_allowed_tags_in_every_field_pass() -> None:
    check_fields([_note(("a <b>w</b><br>",) * len(FIELD_NAMES))])


def test_prior_deck_is_the_first_cards_deck(tmp_path: Path) -> None:
    post = tmp_path / "post.md"
    post.write_text("# Post\n\nThe **first** and the **second** word.\n", encoding="utf-8")
    out = tmp_path / "out.apkg"
    notes = export([str(post)], str(out), BuildOptions(deck="Deck A")).notes
    prior = read_prior(str(out))
    assert {guid: p.deck for guid, p in prior.items()} == {n.guid: "Deck A" for n in notes}
    assert {guid: p.fields for guid, p in prior.items()} == {n.guid: n.fields for n in notes}


def test_unsafe_fields_are_refused_from_the_cache_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ankidigest.notes import build

    monkeypatch.setattr(build, "escape_text", lambda text: text)  # a bug that lets markup in
    post = tmp_path / "post.md"
    post.write_text("---\ntitle: A <img src=x>\n---\n\nThe **word** here.\n", encoding="utf-8")
    cache = tmp_path / "cache"
    for _ in range(2):  # built, then taken from the cache
        with pytest.raises(OutputError, match="field Source would hold '<img"):
            export([str(post)], str(tmp_path / "out.apkg"), cache_dir=str(cache), jobs=1)
        assert any(cache.rglob("*.pickle"))
    assert not (tmp_path / "out.apkg").exists()


def test_checked_notes_skip_the_check_only_by_their_very_fields() -> None:
    bad = _note(("<i>x</i>",) * len(FIELD_NAMES))
    equal_copy = tuple("".join(["<i>x", "</i>"]) for _ in FIELD_NAMES)
    with pytest.raises(OutputError):
        check_fields([bad], {id(equal_copy): equal_copy})
    check_fields([bad], {id(bad.fields): bad.fields})  # the caller vouches for this tuple
