"""The re-export cycle in a real Anki: each test imports v1, then v2, into one collection.

Posts are written here (tmp_path) and their mtimes set with touch(), so "newer" is
deterministic. Counts are (new, updated, duplicate, conflicting) as Anki logs them.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from ankidigest.cli import main

from conftest import Anki, ImportLog, touch

T1 = 1_700_000_000
T2 = T1 + 86_400
T3 = T2 + 86_400

POST = """---
title: Week one
date: 2025-01-05
---

## Korea

### [2024-10-16 Troops for Russia](https://example.com/news/troops)

The economy is **fragile** after the floods. Officials were **dispersed** to the regions.

Seoul could provide **lethal** weapons.

### [2024-10-18 Seoul reacts](https://example.com/news/seoul)

A spokesperson **dismissed** the claims.
"""
TERMS = 4


def write(path: Path, text: str, mtime: int) -> Path:
    path.write_text(text, encoding="utf-8")
    touch(path, mtime)
    return path


def export(*args: object) -> None:
    assert main([*(str(a) for a in args), "-q", "--no-enrich"]) == 0  # (see test_cards.py)


def counts(log: ImportLog) -> tuple[int, int, int, int]:
    return (log.new, log.updated, log.duplicate, log.conflicting)


def note_for(anki: Anki, term: str) -> Any:
    found = [n for n in anki.notes() if n["Term"] == term]
    assert len(found) == 1, f"{len(found)} notes for {term!r}"
    return found[0]


def history(anki: Anki, card_id: int) -> tuple[Any, ...]:
    """Everything an import must not touch on a card: scheduling, deck, review log."""
    card = anki.col.get_card(card_id)
    revlog = anki.col.db.all(
        "select id, ease, ivl, lastIvl, factor, type from revlog where cid = ?", card_id
    )
    return (card.reps, card.lapses, card.ivl, card.due, card.type, card.queue, card.did, revlog)


def study(anki: Anki, term: str) -> dict[int, tuple[Any, ...]]:
    """Answer every card of the note for ``term``; return their histories by card id."""
    note = note_for(anki, term)
    ids = [card.id for card in note.cards()]
    # Anki answers only the card at the top of its queue: study their deck, with the
    # other cards buried for the moment.
    did = note.cards()[0].did
    anki.col.decks.select(did)
    others = [cid for cid in anki.col.find_cards("") if cid not in ids]
    anki.col.sched.bury_cards(others)
    config = anki.col.decks.config_dict_for_deck_id(did)
    config["new"]["bury"] = False  # siblings (cards of one sentence note) stay in the queue
    config["new"]["perDay"] = 9999  # more than 20 new cards a day
    anki.col.decks.update_config(config)
    for cid in ids:
        top = anki.col.sched.get_queued_cards().cards[0].card.id
        assert top == cid
        anki.answer(anki.col.get_card(cid))
    anki.col.sched.unbury_deck(did)
    out = {card.id: history(anki, card.id) for card in note.cards()}
    assert all(h[0] == 1 and len(h[-1]) == 1 for h in out.values())  # studied once
    return out


def guids_unique(anki: Anki) -> None:
    rows = anki.col.db.all("select guid, count(*) from notes group by guid having count(*) > 1")
    assert rows == []


# 1 -------------------------------------------------------------------------
def test_same_file_twice_changes_nothing(tmp_path: Path, anki: Anki) -> None:
    post = write(tmp_path / "week.md", POST, T1)
    out = tmp_path / "week.apkg"
    export(post, "-o", out)
    assert counts(anki.import_apkg(out)) == (TERMS, 0, 0, 0)
    first = out.read_bytes()
    touch(post, T2)  # saved again without a change: still nothing to update
    export(post, "-o", out)
    assert out.read_bytes() == first
    assert counts(anki.import_apkg(out)) == (0, 0, TERMS, 0)
    assert anki.col.note_count() == TERMS


# 2 -------------------------------------------------------------------------
def test_typo_fix_updates_one_note_and_keeps_history(tmp_path: Path, anki: Anki) -> None:
    post = write(tmp_path / "week.md", POST.replace("provide", "provdie"), T1)
    out = tmp_path / "week.apkg"
    export(post, "-o", out)
    anki.import_apkg(out)
    studied = study(anki, "lethal")
    write(post, POST, T2)
    export(post, "-o", out)
    assert counts(anki.import_apkg(out)) == (0, 1, TERMS - 1, 0)
    assert "provide" in note_for(anki, "lethal")["Text"]
    assert {cid: history(anki, cid) for cid in studied} == studied
    assert anki.col.note_count() == TERMS


# 3 -------------------------------------------------------------------------
def test_new_articles_appended_are_the_only_new_notes(tmp_path: Path, anki: Anki) -> None:
    post = write(tmp_path / "week.md", POST, T1)
    out = tmp_path / "week.apkg"
    export(post, "-o", out)
    anki.import_apkg(out)
    more = (
        "\n### [2024-10-22 Aid debated](https://example.com/news/aid)\n\n"
        "The move **underscores** the risk. Both sides are **entangled** now.\n\n"
        "### [2024-10-23 Fair game](https://example.com/news/fair)\n\n"
        "Troops were **dispersed** to camps.\n"
    )
    write(post, POST + more, T2)
    export(post, "-o", out)
    assert counts(anki.import_apkg(out)) == (3, 0, TERMS, 0)
    assert anki.col.note_count() == TERMS + 3
    guids_unique(anki)


# 4 -------------------------------------------------------------------------
def test_bold_added_to_a_sentence_adds_one_note_only(tmp_path: Path, anki: Anki) -> None:
    post = write(tmp_path / "week.md", POST, T1)
    out = tmp_path / "week.apkg"
    export(post, "-o", out)
    anki.import_apkg(out)
    before = {n["Term"]: (n.mod, n["Text"], n["Context"]) for n in anki.notes()}
    # "fragile" and "dispersed" share the paragraph, "floods" joins "fragile"'s sentence.
    write(post, POST.replace("after the floods", "after the **floods**"), T2)
    export(post, "-o", out)
    assert counts(anki.import_apkg(out)) == (1, 0, TERMS, 0)
    after = {n["Term"]: (n.mod, n["Text"], n["Context"]) for n in anki.notes()}
    assert set(after) == {*before, "floods"}
    assert {t: after[t] for t in before} == before
    assert "<b>floods</b>" in after["floods"][2] and "<b>fragile</b>" not in after["floods"][2]


# 5 -------------------------------------------------------------------------
def test_bold_removed_then_marked(tmp_path: Path, anki: Anki) -> None:
    post = write(tmp_path / "week.md", POST, T1)
    out = tmp_path / "week.apkg"
    export(post, "-o", out)
    anki.import_apkg(out)
    studied = study(anki, "dispersed")
    write(post, POST.replace("**dispersed**", "dispersed"), T2)
    export(post, "-o", out)
    assert counts(anki.import_apkg(out)) == (0, 0, TERMS - 1, 0)
    assert anki.col.note_count() == TERMS  # Anki never deletes on import
    # Marking later still works: the package recorded the removed note.
    export(post, "-o", out, "--mark-removed")
    assert counts(anki.import_apkg(out)) == (0, 1, TERMS - 1, 0)
    gone = note_for(anki, "dispersed")
    assert sorted(gone.tags) == ["Korea", "ankidigest::removed"]
    assert "{{c1::dispersed}}" in gone["Text"]
    assert {cid: history(anki, cid) for cid in studied} == studied
    # A note is marked once: deleted in Anki, it does not come back.
    anki.col.remove_notes([gone.id])
    export(post, "-o", out, "--mark-removed")
    assert counts(anki.import_apkg(out)) == (0, 0, TERMS - 1, 0)
    assert anki.col.note_count() == TERMS - 1
    # The bold put back: the note returns, without the tag.
    write(post, POST, T3)
    export(post, "-o", out)
    assert counts(anki.import_apkg(out)) == (1, 0, TERMS - 1, 0)
    assert note_for(anki, "dispersed").tags == ["Korea"]


# 6 -------------------------------------------------------------------------
REORDERED = """---
title: Week one
date: 2025-01-05
---

## Korea

### [2024-10-18 Seoul reacts](https://example.com/news/seoul)

A spokesperson **dismissed** the claims.

### [2024-10-16 Troops for Russia](https://example.com/news/troops)

The economy is **fragile** after the floods. Officials were **dispersed** to the regions.

Seoul could provide **lethal** weapons.
"""


def test_reorder_rename_retitle_never_duplicates(tmp_path: Path, anki: Anki) -> None:
    post = write(tmp_path / "week.md", POST, T1)
    out = tmp_path / "week.apkg"
    export(post, "-o", out)
    anki.import_apkg(out)
    studied = study(anki, "fragile")
    old_deck = anki.col.decks.id_for_name("Week one")
    write(post, REORDERED, T2)  # articles reordered only: nothing a card shows changed
    export(post, "-o", out)
    assert counts(anki.import_apkg(out)) == (0, 0, TERMS, 0)
    renamed = REORDERED.replace("## Korea", "## Korean peninsula").replace("Week one", "Week 1")
    write(post, renamed, T3)
    export(post, "-o", out)
    # Post title (Post field) and section (tag, Section field) changed: every note updated.
    assert counts(anki.import_apkg(out)) == (0, TERMS, 0, 0)
    assert anki.col.note_count() == TERMS
    guids_unique(anki)
    assert all("Korean_peninsula" in n.tags and "Korea" not in n.tags for n in anki.notes())
    assert all(n["Post"] == "Week 1" for n in anki.notes())
    # Anki never moves existing cards: they stay in the deck named after the old title.
    assert {c.did for c in anki.cards()} == {old_deck}
    assert {cid: history(anki, cid) for cid in studied} == studied


# 7 -------------------------------------------------------------------------
TWICE = """---
title: Twice
---

### [Same story](https://example.com/news/same)

The economy is **fragile** after the floods.

The peace is **fragile** too.

### [Another story](https://example.com/news/other)

The peace is **fragile** too.
"""

OTHER_POST = """---
title: Second post
---

### [Same story](https://example.com/news/same)

Markets stay **fragile**, analysts say.
"""


def test_repeated_terms_quotes_and_two_posts(tmp_path: Path, anki: Anki) -> None:
    post = write(tmp_path / "twice.md", TWICE, T1)
    other = write(tmp_path / "second.md", OTHER_POST, T1)
    out = tmp_path / "both.apkg"
    export(post, other, "-o", out)
    # Twice in one article, one quote under two articles, the term again in post 2.
    assert counts(anki.import_apkg(out)) == (4, 0, 0, 0)
    guids_unique(anki)
    texts = sorted(n["Text"] for n in anki.notes())
    assert texts.count("The peace is {{c1::fragile}} too.") == 2
    # A third occurrence appended to the first article, the quote edited under the
    # second article only, and a typo fixed in post 2.
    v2 = TWICE.replace("too.\n\n### [Another", "too.\n\nIt stays **fragile**.\n\n### [Another")
    write(post, v2[: v2.rindex("too.")] + "too, they say.\n", T2)
    write(other, OTHER_POST.replace("analysts say", "analysts said"), T2)
    export(post, other, "-o", out)
    assert counts(anki.import_apkg(out)) == (1, 2, 2, 0)
    assert anki.col.note_count() == 5
    guids_unique(anki)
    texts = sorted(n["Text"] for n in anki.notes())
    assert "The peace is {{c1::fragile}} too." in texts
    assert "The peace is {{c1::fragile}} too, they say." in texts


# 8 -------------------------------------------------------------------------
def test_user_edits_survive_until_the_post_changes(
    tmp_path: Path, anki: Anki, monkeypatch: pytest.MonkeyPatch
) -> None:
    post = write(tmp_path / "week.md", POST, T1)
    out = tmp_path / "week.apkg"
    export(post, "-o", out)
    anki.import_apkg(out)
    note = note_for(anki, "lethal")
    note["Definition"] = "able to kill"
    note.add_tag("mine")
    anki.col.update_note(note)
    touch(post, T2)  # the post saved again, unchanged
    export(post, "-o", out)
    assert counts(anki.import_apkg(out)) == (0, 0, TERMS, 0)
    kept = note_for(anki, "lethal")
    assert (kept["Definition"], "mine" in kept.tags) == ("able to kill", True)
    # The sentence edited in the post after the edit in Anki (so its mtime is later
    # than the note's own mod, which Anki set to the wall clock): the post wins.
    later = int(time.time()) + 1000
    write(post, POST.replace("could provide", "may provide"), later)
    # ...and exported later too: a changed note carries the export time, and Anki's edit
    # stamped the note with this second (an export in the same second would tie with it).
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(later))
    export(post, "-o", out)
    assert counts(anki.import_apkg(out)) == (0, 1, TERMS - 1, 0)
    won = note_for(anki, "lethal")
    assert "may provide" in won["Text"]
    assert (won["Definition"], "mine" in won.tags) == ("", False)


# 9 -------------------------------------------------------------------------
def test_no_prior_package_still_no_duplicates(tmp_path: Path, anki: Anki) -> None:
    post = write(tmp_path / "week.md", POST.replace("provide", "provdie"), T1)
    first = tmp_path / "first.apkg"
    export(post, "-o", first)
    anki.import_apkg(first)
    studied = study(anki, "lethal")
    more = "\n### [Aid](https://example.com/news/aid)\n\nThe move **underscores** the risk.\n"
    write(post, POST + more, T2)
    (tmp_path / "elsewhere").mkdir()
    second = tmp_path / "elsewhere" / "week.apkg"
    export(post, "-o", second)
    # Without a prior state every note carries the post's new mtime: all are updated.
    assert counts(anki.import_apkg(second)) == (1, TERMS, 0, 0)
    assert anki.col.note_count() == TERMS + 1
    guids_unique(anki)
    assert {cid: history(anki, cid) for cid in studied} == studied


# 10 ------------------------------------------------------------------------
SENTENCES = """---
title: Sentences
---

### [Floods](https://example.com/news/floods)

The **fragile** economy was hit by **floods** and **drought** last yaer.

Seoul could provide **lethal** weapons.
"""


def _numbers(text: str) -> dict[str, int]:
    import re

    return {t: int(n) for n, t in re.findall(r"\{\{c(\d+)::(.*?)\}\}", text)}


def test_sentence_notes_keep_numbers_and_history(tmp_path: Path, anki: Anki) -> None:
    post = write(tmp_path / "s.md", SENTENCES, T1)
    out = tmp_path / "s.apkg"
    export(post, "-o", out, "--group", "sentence")
    assert counts(anki.import_apkg(out)) == (2, 0, 0, 0)
    studied = study(anki, "fragile, floods, drought")
    assert len(studied) == 3
    # A typo fix and a bold added before the first term.
    v2 = SENTENCES.replace("The **fragile**", "The newly **weakened** and **fragile**")
    write(post, v2.replace("yaer", "year"), T2)
    export(post, "-o", out, "--group", "sentence")
    assert counts(anki.import_apkg(out)) == (0, 1, 1, 0)
    note = note_for(anki, "weakened, fragile, floods, drought")
    assert _numbers(note["Text"]) == {"fragile": 1, "floods": 2, "drought": 3, "weakened": 4}
    assert {cid: history(anki, cid) for cid in studied} == studied
    assert len(note.cards()) == 4
    # A bold removed and another added: the new term never takes the removed number.
    v3 = v2.replace("yaer", "year").replace("hit by **floods**", "**hit** by floods")
    write(post, v3, T3)
    export(post, "-o", out, "--group", "sentence")
    assert counts(anki.import_apkg(out)) == (0, 1, 1, 0)
    note = note_for(anki, "weakened, fragile, hit, drought")
    assert _numbers(note["Text"]) == {"weakened": 4, "fragile": 1, "hit": 5, "drought": 3}
    assert {cid: history(anki, cid) for cid in studied} == studied  # c2's card stays
    touch(post, T3 + 10)
    export(post, "-o", out, "--group", "sentence")  # from the rewritten package
    assert counts(anki.import_apkg(out)) == (0, 0, 2, 0)
    write(post, v3.replace("The newly", "The newly **battered**,"), T3 + 20)
    export(post, "-o", out, "--group", "sentence")
    assert counts(anki.import_apkg(out)) == (0, 1, 1, 0)
    assert (
        _numbers(note_for(anki, "battered, weakened, fragile, hit, drought")["Text"])["battered"]
        == 6
    )
    assert anki.col.note_count() == 2
    assert {cid: history(anki, cid) for cid in studied} == studied


def test_sentence_notes_without_prior_follow_the_first_term(tmp_path: Path, anki: Anki) -> None:
    """Documented limit: with no prior package, a bold before the first term is a new note."""
    post = write(tmp_path / "s.md", SENTENCES, T1)
    export(post, "-o", tmp_path / "a.apkg", "--group", "sentence")
    anki.import_apkg(tmp_path / "a.apkg")
    write(post, SENTENCES.replace("The **fragile**", "The newly **weakened** and **fragile**"), T2)
    export(post, "-o", tmp_path / "b.apkg", "--group", "sentence")
    assert counts(anki.import_apkg(tmp_path / "b.apkg")) == (1, 1, 0, 0)
    assert anki.col.note_count() == 3


# Done when: a realistic week of edits to the user's post ----------------------
WEEK_EDITS = (
    # typo fixes: one note each ("prowess", "to date")...
    ("That meants to demonstrate", "That means to demonstrate"),
    ("the presidential official was signalling", "The presidential official was signalling"),
    # ...and one in a two-sentence paragraph: "bleak" (its sentence) and "dwindle"
    # (whose Context shows the paragraph) are both updated.
    ("Ukraine could get more **bleak**", "Ukraine could get even more **bleak**"),
    # one bold added in a three-bold paragraph: its neighbours do not change
    ("the country it has long propped up", "the country it has long **propped up**"),
    # one bold removed
    ("It’s a **rodeo** with", "It’s a rodeo with"),
)
NEW_ARTICLE = """
#### [2025-01-20 Ukraine war briefing: talks stall](https://www.theguardian.com/world/2025/jan/20/ukraine-war-briefing-talks-stall)

Negotiators described the talks as **fraught** and the mood as **sombre**.

Both sides remain **entrenched** along the front.
"""


def test_a_week_of_edits_on_the_users_post(tmp_path: Path, anki: Anki, corpus: Path) -> None:
    text = corpus.read_text(encoding="utf-8")
    post = write(tmp_path / "war-news.md", text, T1)
    out = tmp_path / "war.apkg"
    export(post, "-o", out)
    assert counts(anki.import_apkg(out)) == (211, 0, 0, 0)
    # Study the notes the week will touch, and every 10th other one.
    studied: dict[int, tuple[Any, ...]] = {}
    touched = ["prowess", "to date", "bleak", "dwindle", "thrilled", "bargaining", "rodeo"]
    others = sorted(n["Term"] for n in anki.notes() if n["Term"] not in touched)[::10]
    for term in touched + others:
        studied.update(study(anki, term))
    assert len(studied) == 7 + 21
    for old, new in WEEK_EDITS:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    write(post, text + NEW_ARTICLE, T2)
    assert (
        main([str(post), "-o", str(out), "--dry-run", "--no-enrich"]) == 0
    )  # reports, writes nothing
    export(post, "-o", out)
    log = anki.import_apkg(out)
    # new: fraught, sombre, entrenched, propped up; updated: prowess, to date, bleak,
    # dwindle; rodeo is no longer in the package (Anki keeps it untouched).
    assert counts(log) == (4, 4, 211 - 4 - 1, 0)
    assert anki.col.note_count() == 215
    guids_unique(anki)
    assert {cid: history(anki, cid) for cid in studied} == studied
    assert "means to demonstrate" in note_for(anki, "prowess")["Text"]
    assert "<b>propped up</b>" not in note_for(anki, "thrilled")["Context"]


def test_sentence_inserted_before_with_the_same_first_term(tmp_path: Path, anki: Anki) -> None:
    """Without a prior package the new sentence would take the old one's guid (and history)."""
    post = write(tmp_path / "s.md", SENTENCES, T1)
    out = tmp_path / "s.apkg"
    export(post, "-o", out, "--group", "sentence")
    anki.import_apkg(out)
    studied = study(anki, "fragile, floods, drought")
    inserted = SENTENCES.replace("The **fragile**", "A **fragile** truce held.\n\nThe **fragile**")
    write(post, inserted, T2)
    export(post, "-o", out, "--group", "sentence")
    assert counts(anki.import_apkg(out)) == (1, 0, 2, 0)
    assert {cid: history(anki, cid) for cid in studied} == studied
    old = note_for(anki, "fragile, floods, drought")
    assert old["Text"].startswith("The {{c1::fragile}}")
    assert note_for(anki, "fragile")["Key"].endswith("#s#fragile#2")
