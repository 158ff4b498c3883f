"""``--group term`` against a prior package: each sentence keeps its own note.

A term note's guid hashes ``scope#term#occurrence`` (docs/DESIGN.md). Matching only
by guid, unbolding the first of two occurrences hands the first note (and its
review history) to the second sentence, and a corrected article URL makes every
note of the article new. So each freshly built note is matched to a prior note,
sentence first, occurrence second, in these passes (each on what is left):

1. the prior note built under the same key, with the same Text (the usual case);
2. in the same scope and with the same term: the same sentence (plain text);
3. there, the most similar sentence first, at least ``RELATED`` similar;
4. there, the prior note built under the same key (same occurrence): an edit;
5. moved: a prior note of another scope in the same post (the Post field) with the
   same term and the same or an at least ``SIMILAR`` similar sentence.

A matched note takes the prior guid and key and records the key it was built under
(``NoteSpec.built``; the package keeps it, so the next export's pass 1 finds the
note). An unmatched note whose own guid belongs to a prior note (whose history is
another sentence's) takes the next free occurrence number of its term. Prior notes
recorded as removed take part, so a term that comes back keeps its history.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from difflib import SequenceMatcher

from ankidigest.identity import normalize_term
from ankidigest.model import NoteSpec
from ankidigest.notes.notetype import FIELD_INDEX
from ankidigest.update.prior import PriorNote, plain_text
from ankidigest.update.sentence_match import RELATED, SIMILAR, built_under, rekey

_TEXT = FIELD_INDEX["Text"]
_TERM = FIELD_INDEX["Term"]
_POST = FIELD_INDEX["Post"]
_KEY = FIELD_INDEX["Key"]


def built_key(prior: PriorNote) -> str:
    """The key ``prior`` was built under (its own key unless it kept another's)."""
    return prior.built or prior.key


def _place(key: str, term: str) -> str | None:
    """The scope of a term note's ``scope#term#occurrence`` key, None if it is not one."""
    head, _, occurrence = key.rpartition("#")
    suffix = "#" + term
    if not occurrence.isdigit() or not head.endswith(suffix):
        return None
    return head[: -len(suffix)]


def _prior_term(prior: PriorNote) -> str:
    return normalize_term(html.unescape(prior.fields[_TERM]))


def match_terms(
    notes: Sequence[NoteSpec], prior: Mapping[str, PriorNote]
) -> tuple[list[NoteSpec], set[int]]:
    """``notes`` with each matched note under its prior guid and key, and the indexes
    of the notes that moved (matched in pass 5)."""
    out = list(notes)
    if not prior:
        return out, set()
    # Pass 1. A prior note in the package wins over a removed one built under one key.
    by_built: dict[str, PriorNote] = {}
    for each in prior.values():
        key = built_key(each)
        if key not in by_built or by_built[key].gone:
            by_built[key] = each
    used: set[str] = set()  # prior guids taken
    pairs: dict[int, PriorNote] = {}
    rest: list[int] = []
    for i, note in enumerate(notes):
        old = by_built.get(note.key)
        if old is not None and old.fields[_TEXT] == note.fields[_TEXT] and len(note.terms) == 1:
            pairs[i] = old
            used.add(old.guid)
        else:
            rest.append(i)
    moved: set[int] = set()
    if rest:
        left = [p for p in prior.values() if p.guid not in used]
        left.sort(key=lambda p: (p.gone, p.key, p.guid))
        moved = _match_rest(notes, rest, left, pairs)
    reserved = set(prior)
    taken = reserved | {n.guid for i, n in enumerate(notes) if i not in pairs}
    for i, note in enumerate(notes):
        old = pairs.get(i)
        if old is not None:
            out[i] = take(note, old)
        elif note.guid in reserved:
            out[i] = replace(rekey(note, taken), built=note.key)
    return out, moved


def _match_rest(
    notes: Sequence[NoteSpec],
    rest: list[int],
    left: list[PriorNote],
    pairs: dict[int, PriorNote],
) -> set[int]:
    """Passes 2 to 5 for the notes ``rest`` and the prior notes ``left``; the indexes
    of the notes matched in pass 5 (moved)."""
    groups: dict[tuple[str, str], tuple[list[int], list[PriorNote]]] = {}
    terms = {i: normalize_term(notes[i].terms[0]) for i in rest if len(notes[i].terms) == 1}
    for i in rest:
        if i in terms:
            scope = _place(notes[i].key, terms[i])
            if scope is not None:
                groups.setdefault((scope, terms[i]), ([], []))[0].append(i)
    for old in left:
        term = _prior_term(old)
        scope = _place(built_key(old), term)
        group = groups.get((scope, term)) if scope is not None else None
        if group is not None:
            group[1].append(old)
    texts: dict[int, str] = {}
    used: set[str] = set()
    for fresh, olds in groups.values():
        if not olds:
            continue
        found = _pair(notes, fresh, olds, texts, RELATED, same_key=_same_key(notes))
        for i, old in found.items():
            pairs[i] = old
            used.add(old.guid)
    # Pass 5: what is left, by post and term, across scopes.
    movers: dict[tuple[str, str], tuple[list[int], list[PriorNote]]] = {}
    for i in rest:
        if i not in pairs and i in terms:
            movers.setdefault((notes[i].fields[_POST], terms[i]), ([], []))[0].append(i)
    for old in left:
        if old.guid not in used:
            group = movers.get((old.fields[_POST], _prior_term(old)))
            if group is not None:
                group[1].append(old)
    moved: set[int] = set()
    for fresh, olds in movers.values():
        if olds:
            found = _pair(notes, fresh, olds, texts, SIMILAR, same_key=None)
            pairs.update(found)
            moved.update(found)
    return moved


SameKey = Callable[[int, PriorNote], bool]


def pair_similar(
    notes: Sequence[NoteSpec], fresh: list[int], olds: list[PriorNote]
) -> dict[int, PriorNote]:
    """The notes ``fresh`` paired with ``olds`` by the same sentence, then by the most
    similar one (at least ``SIMILAR``): the rule of a moved note."""
    return _pair(notes, fresh, olds, {}, SIMILAR, same_key=None)


def _same_key(notes: Sequence[NoteSpec]) -> SameKey:
    """Whether the prior note was built under the key the i-th note is built under."""
    return lambda i, old: built_key(old) == notes[i].key


def _pair(
    notes: Sequence[NoteSpec],
    fresh: list[int],
    olds: list[PriorNote],
    texts: dict[int, str],
    floor: float,
    same_key: SameKey | None,
) -> dict[int, PriorNote]:
    """Same text first; then most similar first (at least ``floor``); then, when
    ``same_key`` (a test of a note and a prior note) is given, the same key."""
    result: dict[int, PriorNote] = {}
    olds_text = [plain_text(p.text) for p in olds]
    by_text: dict[str, list[int]] = {}
    for j, text in enumerate(olds_text):
        by_text.setdefault(text, []).append(j)
    done: set[int] = set()
    for i in fresh:
        if i not in texts:
            texts[i] = plain_text(notes[i].fields[_TEXT])
        same = [j for j in by_text.get(texts[i], ()) if j not in done]
        if same:
            if same_key is not None:  # prefer the note built under this key
                same.sort(key=lambda j: not same_key(i, olds[j]))
            result[i] = olds[same[0]]
            done.add(same[0])
    open_fresh = [i for i in fresh if i not in result]
    open_olds = [j for j in range(len(olds)) if j not in done]
    if not open_fresh or not open_olds:
        return result
    matcher = SequenceMatcher(autojunk=False)
    ranked: list[tuple[float, bool, int, int]] = []
    for j in open_olds:
        matcher.set_seq2(olds_text[j])
        for i in open_fresh:
            matcher.set_seq1(texts[i])
            if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
                continue
            ratio = matcher.ratio()
            if ratio >= floor:
                key = same_key is not None and same_key(i, olds[j])
                ranked.append((-ratio, not key, i, j))
    ranked.sort()
    for _, _, i, j in ranked:
        if i not in result and j not in done:
            result[i] = olds[j]
            done.add(j)
    if same_key is not None:
        for i in open_fresh:
            if i in result:
                continue
            for j in open_olds:
                if j not in done and same_key(i, olds[j]):
                    result[i] = olds[j]
                    done.add(j)
                    break
    return result


def take(note: NoteSpec, old: PriorNote) -> NoteSpec:
    """``note`` under the guid and key of ``old``, recording the key it was built under."""
    if old.key == note.key and old.guid == note.guid:
        return note
    fields = list(note.fields)
    fields[_KEY] = old.fields[_KEY]
    return replace(
        note, guid=old.guid, key=old.key, fields=tuple(fields), built=built_under(note, old)
    )
