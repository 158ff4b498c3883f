"""The exported decks in a real Anki collection (the `anki` package from PyPI)."""

from __future__ import annotations

import json
from pathlib import Path

from ankidigest.cli import main

from conftest import EXAMPLE, Anki


def _bold_count(path: Path) -> int:
    text = path.read_text(encoding="utf-8")
    return text.count("**") // 2


def test_example_imports_one_card_per_bold(tmp_path: Path, anki: Anki) -> None:
    out = tmp_path / "science.apkg"
    assert main([str(EXAMPLE), "-o", str(out), "-q"]) == 0
    log = anki.import_apkg(out)
    bolds = _bold_count(EXAMPLE)
    assert (log.new, log.updated, log.conflicting) == (bolds, 0, 0)
    cards = anki.cards()
    assert len(cards) == bolds == anki.col.note_count()
    assert all(card.question().strip() and card.answer().strip() for card in cards)
    again = anki.import_apkg(out)
    assert (again.new, again.updated, again.duplicate, again.conflicting) == (0, 0, bolds, 0)
    assert anki.col.card_count() == bolds


def test_user_post_gives_211_cards(tmp_path: Path, anki: Anki, corpus: Path) -> None:
    apkg = tmp_path / "war.apkg"
    js = tmp_path / "war.json"
    assert main([str(corpus), "-o", str(apkg), "-q"]) == 0
    assert main([str(corpus), "-o", str(js), "-q"]) == 0
    log = anki.import_apkg(apkg)
    assert (log.new, log.conflicting) == (211, 0)
    cards = anki.cards()
    assert len(cards) == 211
    exported = {n["guid"]: n for n in json.loads(js.read_text(encoding="utf-8"))}
    assert len(exported) == 211
    url_field = anki.col.models.field_names(anki.col.models.by_name("ankidigest cloze"))
    assert "URL" in url_field
    for card in cards:
        note = card.note()
        item = exported[note.guid]
        # The cloze answer is the bolded text, as written in the post.
        answer_html = card.answer()
        assert f'<span class="cloze" data-ordinal="1">{item["term"]}</span>' in answer_html
        assert note["URL"].startswith("https://www.theguardian.com/")
        assert note["URL"] in answer_html and note["Date"] in answer_html
        assert note["Date"] == item["date"] and len(note["Date"]) == 10
    tags = set(anki.col.tags.all())
    assert {"朝鲜参战", "战争简报"} <= tags
    again = anki.import_apkg(apkg)
    assert (again.new, again.updated, again.duplicate) == (0, 0, 211)
