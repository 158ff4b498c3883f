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


def _large_post(articles: int) -> str:
    """A post in the user's shape: sections, dated article links, 1-3 bolds a sentence."""
    words = ["adamant", "wary", "bleak", "truce", "salvo", "brink", "quest", "sway", "stoke"]
    lines = ["---", "title: Large case", "date: 2025-01-01", "---", ""]
    for a in range(articles):
        if a % 10 == 0:
            lines += [f"### Section {a // 10}", ""]
        lines += [f"#### [2024-10-{a % 28 + 1:02d} Story {a}](https://example.com/s/{a})", ""]
        for s in range(3):
            bolds = " and ".join(f"**{words[(a + s + k) % len(words)]}**" for k in range(s + 1))
            lines += [f"Sentence {s} of story {a} has {bolds} in it. It ends here.", ""]
    return "\n".join(lines)


def test_larger_case_one_card_per_bold_in_both_groupings(tmp_path: Path, anki: Anki) -> None:
    post = tmp_path / "large.md"
    post.write_text(_large_post(120), encoding="utf-8")
    bolds = _bold_count(post)
    assert bolds == 120 * 6
    for group, notes in (("term", bolds), ("sentence", 120 * 3)):
        out = tmp_path / f"{group}.apkg"
        assert main([str(post), "-o", str(out), "-q", "--group", group]) == 0
        log = anki.import_apkg(out)
        assert (log.new, log.conflicting) == (notes, 0), group
    cards = anki.cards()
    assert len(cards) == 2 * bolds  # both groupings: one card per bolded span each
    assert all(card.question().strip() for card in cards)
    without_cards = anki.col.db.scalar(
        "select count() from notes where id not in (select nid from cards)"
    )
    assert without_cards == 0
    sentence_notes = [n for n in anki.notes() if "#s#" in n["Key"]]
    assert sorted({len(n.cards()) for n in sentence_notes}) == [1, 2, 3]


def test_users_template_edits_survive_reimport(tmp_path: Path, anki: Anki) -> None:
    import time

    from ankidigest.notes.notetype import NOTETYPE_MOD

    assert time.time() >= NOTETYPE_MOD, "a note type stamped in the future overwrites user edits"
    out = tmp_path / "science.apkg"
    assert main([str(EXAMPLE), "-o", str(out), "-q"]) == 0
    anki.import_apkg(out)
    model = anki.col.models.by_name("ankidigest cloze")
    assert model is not None
    model["css"] += "\n.card { font-size: 30px; }"
    anki.col.models.update_dict(model)
    anki.import_apkg(out)
    model = anki.col.models.by_name("ankidigest cloze")
    assert model is not None and model["css"].endswith(".card { font-size: 30px; }")
    assert len(anki.col.models.all_names_and_ids()) == len(
        {m.name for m in anki.col.models.all_names_and_ids()}
    )
