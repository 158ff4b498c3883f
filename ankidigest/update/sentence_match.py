"""``--group sentence`` against a prior package: an edited sentence keeps its note.

Without a prior package a sentence note's identity is its scope, its first term
and that term's occurrence (docs/DESIGN.md), and its cloze numbers are the terms'
positions: bolding a word before the first term makes a new note, and any added
or removed bold shifts the numbers, so a card's history would move to another
term. With a prior package each sentence is matched to the prior note that
clearly is the same sentence of the same scope: an unchanged text first, then
its own guid when at least ``RELATED`` similar, then greedily by similarity:

- at least ``RELATED`` similar (difflib ratio of the plain texts) and sharing a
  term, or at least ``SIMILAR`` similar, or the same guid and a shared term;
- the match takes back the prior guid and key, each term its prior cloze number,
  and a new term the next number never used (a removed term's number is not
  reused: the package records the highest number each note has used);
- moved (a corrected article URL): a sentence still unmatched takes a prior note left
  over from another scope of the same post with the same or an at least ``SIMILAR``
  similar sentence;
- a sentence that matches nothing, and whose own guid belongs to a prior note,
  takes the next free occurrence number of its first term instead.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from difflib import SequenceMatcher

from ankidigest.identity import guid_for
from ankidigest.model import NoteSpec
from ankidigest.notes.cloze import escape_text
from ankidigest.notes.notetype import FIELD_INDEX
from ankidigest.update.prior import PriorNote, cloze_terms, plain_text
from ankidigest.update.untrusted import clean_fields

SIMILAR = 0.85
RELATED = 0.6
_NUMBER = re.compile(r"\{\{c(\d+)::")
_TEXT = FIELD_INDEX["Text"]
_KEY = FIELD_INDEX["Key"]
_POST = FIELD_INDEX["Post"]


def sentence_scope(key: str) -> str | None:
    """The scope of a ``scope#s#term#occurrence`` key, None for a term note's key."""
    scope, sep, rest = key.partition("#s#")
    return scope if sep and "#" in rest else None


def match_sentences(
    notes: Sequence[NoteSpec], prior: Mapping[str, PriorNote]
) -> tuple[list[NoteSpec], set[int]]:
    """Give each sentence note the guid and cloze numbers of its prior note, if any; and
    the indexes of the notes that moved (matched across scopes, see ``_moved``)."""
    prior_by_scope: dict[str, list[PriorNote]] = {}
    for old in sorted(prior.values(), key=lambda p: (p.key, p.guid)):
        scope = sentence_scope(old.built or old.key)  # a moved note: where it is now
        if scope is not None:
            prior_by_scope.setdefault(scope, []).append(old)
    by_scope: dict[str, list[int]] = {}
    for index, note in enumerate(notes):
        scope = sentence_scope(note.key)
        if scope is not None:
            by_scope.setdefault(scope, []).append(index)
    matched: dict[int, PriorNote] = {}
    for scope, indexes in by_scope.items():
        matched.update(_pair(notes, indexes, prior_by_scope.get(scope, [])))
    moved = _moved(notes, by_scope, prior_by_scope, matched)
    matched.update(moved)
    reserved = set(prior)
    taken = reserved | {n.guid for i, n in enumerate(notes) if i not in matched}
    out = list(notes)
    for index, note in enumerate(notes):
        before = matched.get(index)
        if before is not None:
            out[index] = _take(note, before)
        elif note.guid in reserved:
            out[index] = rekey(note, taken)
    return out, set(moved)


def _moved(
    notes: Sequence[NoteSpec],
    by_scope: Mapping[str, list[int]],
    prior_by_scope: Mapping[str, list[PriorNote]],
    matched: Mapping[int, PriorNote],
) -> dict[int, PriorNote]:
    """A corrected article URL: the notes no prior note of their scope took, matched to
    the prior notes of another scope left over, in the same post (the Post field), by the
    same sentence or one at least ``SIMILAR`` similar (as ``term_match``'s pass 5)."""
    from ankidigest.update.term_match import pair_similar

    taken = {p.guid for p in matched.values()}
    fresh: dict[str, list[int]] = {}
    for indexes in by_scope.values():
        for i in indexes:
            if i not in matched:
                fresh.setdefault(notes[i].fields[_POST], []).append(i)
    if not fresh:
        return {}
    olds: dict[str, list[PriorNote]] = {}
    for candidates in prior_by_scope.values():
        for old in candidates:
            if old.guid not in taken and old.fields[_POST] in fresh:
                olds.setdefault(old.fields[_POST], []).append(old)
    found: dict[int, PriorNote] = {}
    for post, indexes in fresh.items():
        if olds.get(post):
            found.update(pair_similar(notes, indexes, olds[post]))
    return found


def _pair(
    notes: Sequence[NoteSpec], indexes: list[int], candidates: list[PriorNote]
) -> dict[int, PriorNote]:
    """Unchanged sentences pair by their text; the rest greedily, most similar first."""
    result: dict[int, PriorNote] = {}
    if not candidates:
        return result
    olds = [(plain_text(p.text), Counter(t for _, t in cloze_terms(p.text))) for p in candidates]
    by_text: dict[str, list[int]] = {}
    for j, (old_text, _) in enumerate(olds):
        by_text.setdefault(old_text, []).append(j)
    by_guid = {p.guid: j for j, p in enumerate(candidates)}
    used: set[int] = set()
    rest: list[tuple[int, str, Counter[str]]] = []
    matcher = SequenceMatcher(autojunk=False)
    for i in indexes:
        text = plain_text(notes[i].fields[_TEXT])
        terms = Counter(t for _, t in cloze_terms(notes[i].fields[_TEXT]))
        same_text = by_text.get(text)
        j = by_guid.get(notes[i].guid, -1)
        if same_text:
            j = same_text.pop(0)
        elif j < 0 or j in used or not terms & olds[j][1]:
            rest.append((i, text, terms))
            continue
        else:  # its own guid: the same first term, the same occurrence of it
            matcher.set_seqs(text, olds[j][0])
            if matcher.ratio() < RELATED:
                rest.append((i, text, terms))
                continue
        result[i] = candidates[j]
        used.add(j)
    pairs: list[tuple[float, int, bool, int, int]] = []
    for j, (old_text, old_terms) in enumerate(olds):
        if j in used:
            continue
        matcher.set_seq2(old_text)  # difflib caches its index of the second sequence
        for i, text, terms in rest:
            shared = sum((terms & old_terms).values())
            same = notes[i].guid == candidates[j].guid and shared > 0
            floor = RELATED if shared else SIMILAR
            matcher.set_seq1(text)
            if not same and (matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor):
                continue
            ratio = matcher.ratio()
            if same or ratio >= floor:
                pairs.append((-ratio, -shared, not same, i, j))
    pairs.sort()
    for _, _, _, i, j in pairs:
        if i not in result and j not in used:
            result[i] = candidates[j]
            used.add(j)
    return result


def _take(note: NoteSpec, before: PriorNote) -> NoteSpec:
    """``note`` under the prior guid and key, each term with its prior cloze number; the
    package records the key it is built under (``built_under``)."""
    free: dict[str, list[int]] = {}
    for number, term in cloze_terms(before.text):
        free.setdefault(term, []).append(number)
    high = before.cloze_max
    numbers: list[int] = []
    for _, term in cloze_terms(note.fields[_TEXT]):
        if free.get(term):
            numbers.append(free[term].pop(0))
        else:
            high += 1
            numbers.append(high)
    given = iter(numbers)
    text = _NUMBER.sub(lambda _: f"{{{{c{next(given)}::", note.fields[_TEXT])
    fields = list(note.fields)
    fields[_TEXT] = text
    fields[_KEY] = clean_fields(before.fields)[_KEY]  # read from a package: untrusted
    return replace(
        note,
        guid=before.guid,
        key=before.key,
        fields=tuple(fields),
        cloze_max=max([high, *numbers]),
        built=built_under(note, before),
    )


def built_under(note: NoteSpec, old: PriorNote) -> str:
    """``NoteSpec.built`` of ``note`` once it takes ``old``'s key: the key it was built
    under, or "" when that is ``old``'s key."""
    built = note.built or note.key
    return "" if built == old.key else built


def rekey(note: NoteSpec, taken: set[str]) -> NoteSpec:
    """``note`` under the next occurrence number of its first term whose guid is free."""
    head, _, occurrence = note.key.rpartition("#")
    number = int(occurrence) if occurrence.isdigit() else 1
    while True:
        number += 1
        key = f"{head}#{number}"
        guid = guid_for(key)
        if guid not in taken:
            break
    taken.add(guid)
    fields = list(note.fields)
    fields[_KEY] = escape_text(key)
    return replace(note, guid=guid, key=key, fields=tuple(fields))
