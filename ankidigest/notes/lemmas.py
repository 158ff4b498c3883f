"""``--group lemma``: one note per word (its lemma) within a deck, from the term notes.

The posts are built per term as usual (``build.py``, cached); then the term notes of
one lemma in one deck become one note with ONE card: the newest sentence (by article
date, then the later one in the posts) is the cloze, the word's other sentences go to
the Context field, newest first, each with the title, date and URL of its article as
plain text (a field may hold only ``<b>`` and ``<br>``: no link). One card, not one per
sentence: the learner studies the word once and sees all its uses on the back; a card
per sentence would review one word many times, and a removed sentence would leave its
card behind, empty (ANKI-FACTS). The key is ``identity.lemma_key(deck, lemma)``, so
adding or removing a sentence changes the note (updated in place) and keeps its guid.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from ankidigest import sanitize
from ankidigest.identity import guid_for, lemma_key, normalize_term
from ankidigest.limits import MAX_CONTEXT_CHARS
from ankidigest.model import NoteSpec
from ankidigest.notes.build import BuildOptions, check_unique
from ankidigest.notes.cloze import escape_text
from ankidigest.notes.notetype import FIELD_INDEX
from ankidigest.notes.study import day_of, lemma_of

if TYPE_CHECKING:
    from ankidigest.enrich import Enricher

# The deck of every note when several posts are exported without --deck: a word met in
# several posts is one note (with one deck per post it would be one note per post).
LEMMA_DECK = "ankidigest"
_CLOZE = re.compile(r"\{\{c\d+::(.*?)(?:::(?:(?!\}\}).)*)?\}\}", re.S)
_TEXT, _TERM, _CONTEXT, _KEY = (FIELD_INDEX[n] for n in ("Text", "Term", "Context", "Key"))
_SOURCE, _DATE, _URL = (FIELD_INDEX[n] for n in ("Source", "Date", "URL"))


def per_term_options(options: BuildOptions, several: bool) -> BuildOptions:
    """The options ``--group lemma``'s notes are first built with, one per term: the
    shared deck when ``several`` posts are exported without ``--deck``."""
    deck = options.deck or (LEMMA_DECK if several else None)
    return replace(options, group="term", deck=deck)


def group_by_lemma(notes: Sequence[NoteSpec], enricher: Enricher) -> list[NoteSpec]:
    """One note per (deck, lemma) of the term ``notes``, in order of first appearance."""
    groups: dict[tuple[str, str], list[NoteSpec]] = {}
    for note in notes:
        word = lemma_of(note, enricher).lemma
        groups.setdefault((note.deck, word), []).append(note)
    out = [lemma_note(deck, word, members) for (deck, word), members in groups.items()]
    check_unique(out)
    return out


def newest_first(members: Sequence[NoteSpec]) -> list[NoteSpec]:
    """By the article's (or post's) date, newest first; undated ones last; on one date,
    the later one in the posts first."""
    order = sorted(
        range(len(members)),
        key=lambda i: (day_of(members[i].date) or -1, i),
        reverse=True,
    )
    return [members[i] for i in order]


def lemma_note(deck: str, word: str, members: Sequence[NoteSpec]) -> NoteSpec:
    """The note of ``word``: the newest member's fields, all the forms in Term, the other
    sentences in Context."""
    ordered = newest_first(members)
    base = ordered[0]
    seen: dict[str, str] = {}  # each form once, as first written
    for note in members:
        for term in note.terms:
            seen.setdefault(normalize_term(term), term)
    forms = tuple(seen.values())
    key = lemma_key(deck, word)
    fields = list(base.fields)
    fields[_TERM] = sanitize.clean_field(escape_text(", ".join(forms)))
    fields[_CONTEXT] = contexts(base, ordered[1:])
    fields[_KEY] = sanitize.clean_field(escape_text(key))
    tags = tuple(dict.fromkeys(t for n in members for t in n.tags))
    return replace(
        base,
        guid=guid_for(key),
        key=key,
        fields=tuple(fields),
        tags=tags,
        mod=max(n.mod for n in members),
        terms=forms,
        cloze_max=1,
        built="",
    )


def contexts(base: NoteSpec, others: Sequence[NoteSpec]) -> str:
    """The Context field: the newest sentence's paragraph (when it adds to the sentence),
    then each other sentence with its word in bold and its article as text, until the
    field would pass MAX_CONTEXT_CHARS ("+ N more" then)."""
    parts = [base.fields[_CONTEXT]] if base.fields[_CONTEXT] else []
    size = len(parts[0]) if parts else 0
    for shown, note in enumerate(others):
        where = " · ".join(x for x in (note.fields[_SOURCE], note.fields[_DATE]) if x)
        url = note.fields[_URL]
        line = f"{bolded(note.fields[_TEXT])}<br>— {where}" + (f"<br>{url}" if url else "")
        if size + len(line) > MAX_CONTEXT_CHARS and parts:
            parts.append(f"+ {len(others) - shown} more")
            break
        parts.append(line)
        size += len(line)
    return sanitize.clean_field("<br><br>".join(parts))


def bolded(cloze: str) -> str:
    """A Text field (escaped, with cloze deletions) with each deletion in bold instead."""
    return _CLOZE.sub(lambda m: f"<b>{m.group(1)}</b>", cloze)
