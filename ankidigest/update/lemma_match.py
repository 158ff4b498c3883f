"""``--group lemma``: each lemma note to its prior note.

A lemma note's key is its deck and word (``identity.lemma_key``), so a sentence added or
removed keeps it: the guid alone matches. What changes the key is the deck's name (a
retitled post whose title is the deck, ``--deck`` changed): a note whose own guid is
new then takes the prior note of the same word in another deck that no note of this
export holds, when exactly one such note exists (never a guess between two decks).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from ankidigest.identity import lemma_of_key
from ankidigest.model import NoteSpec
from ankidigest.notes.notetype import FIELD_INDEX
from ankidigest.update.prior import PriorNote

_KEY = FIELD_INDEX["Key"]


def match_lemmas(notes: Sequence[NoteSpec], prior: Mapping[str, PriorNote]) -> list[NoteSpec]:
    """``notes`` with a renamed deck's notes given back their prior guid and key."""
    taken = {n.guid for n in notes}
    free: dict[str, list[PriorNote]] = {}
    for old in sorted(prior.values(), key=lambda p: (p.key, p.guid)):
        word = lemma_of_key(old.key)
        if word is not None and old.guid not in taken:
            free.setdefault(word, []).append(old)
    out = []
    for note in notes:
        word = lemma_of_key(note.key)
        candidates = free.get(word, []) if word is not None and note.guid not in prior else []
        if len(candidates) == 1:
            old = candidates.pop()
            fields = list(note.fields)
            fields[_KEY] = old.fields[_KEY]
            note = replace(note, guid=old.guid, key=old.key, fields=tuple(fields), built=note.key)
        out.append(note)
    return out
