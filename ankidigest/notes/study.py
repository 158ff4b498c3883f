"""What a term is to study: its lemma, frequency rank and exam levels (``lemma_of``), and
the new-card order (``--order``) that follows from them (``with_positions``).

``lemma_of`` is the one place that asks: the note's Lemma field when it is filled, else
the offline engine (``ankidigest.enrich``, one ``Enricher`` per run); frequency and
levels always come from the engine. Anki shows new cards by their ``due`` (lowest
first) and an import keeps the ``due`` of a new card as the package gives it and never
changes an existing card (measured: tests/test_study.py). So each order is an
*absolute* key, a pure function of the note (its date, its word), never a rank among
the notes of this export: a re-export gives every note the same position as before,
and a new note lands between its neighbours without moving any of them. Every
position stays below 1,000,000 (Check Database warns about new cards at or above it).
"""

from __future__ import annotations

import datetime
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ankidigest.errors import UsageError
from ankidigest.identity import normalize_term
from ankidigest.model import NoteSpec
from ankidigest.notes.notetype import FIELD_INDEX

if TYPE_CHECKING:
    from ankidigest.enrich import Enricher

ORDERS = ("post", "date", "date-newest", "frequency", "level")
# The exams from the first a Chinese learner meets to the last (enrich/levels.py names).
EXAMS = ("zhongkao", "gaokao", "cet4", "cet6", "kaoyan", "ielts", "toefl", "gre")
LAST = 900_000  # the position of a note the order knows nothing about (no date, no rank)
_LEVEL_STEP = 100_000  # level i: 1 + i * _LEVEL_STEP + rank (rank below _LEVEL_STEP)
_EPOCH = datetime.date(1970, 1, 1)
_MAX_DAYS = 99_999  # 2243-10-16: dates after it count as that day
_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})")


@dataclass(frozen=True)
class Study:
    """A note's word: lemma (normalised), frequency rank (1: most common; None: unranked)
    and exam levels (in EXAMS order)."""

    lemma: str
    frequency: int | None
    levels: tuple[str, ...]


def new_enricher() -> Enricher:
    """The engine for one run (its data is read on the first look-up)."""
    from ankidigest.enrich import Enricher

    return Enricher()


def lemma_of(note: NoteSpec, enricher: Enricher) -> Study:
    """The word of ``note`` (its first term): the Lemma field when filled, else the
    engine's lemma, else the term itself; the engine's frequency and levels."""
    term = note.terms[0] if note.terms else ""
    sentence = note.sentence
    start = sentence.find(term)
    if start < 0:
        sentence, start = term, 0
    found = enricher.enrich(term, sentence, start, start + len(term)) if term else None
    filled = html.unescape(note.fields[FIELD_INDEX["Lemma"]]).strip()
    lemma = filled or (found.lemma if found is not None else term)
    if found is None:
        return Study(normalize_term(lemma), None, ())
    return Study(normalize_term(lemma), found.frequency, found.levels)


def with_positions(
    notes: Sequence[NoteSpec], order: str, enricher: Enricher | None
) -> list[NoteSpec]:
    """``notes`` with the new-card position of ``order`` (``post``: as they are, each at
    its place in the package). ``enricher``: needed for ``frequency`` and ``level``."""
    if order not in ORDERS:
        raise UsageError(f"--order must be one of {', '.join(ORDERS)}, not {order!r}")
    if order == "post":
        return list(notes)
    if order in ("date", "date-newest"):
        newest = order == "date-newest"
        return [replace(n, due=date_position(n.date, newest)) for n in notes]
    assert enricher is not None
    out = []
    for note in notes:
        # A sentence note (several terms) is as far down as its hardest word.
        several = note.terms if len(note.terms) > 1 else ()
        words = [lemma_of(replace(note, terms=(t,)), enricher) for t in several]
        words = words or [lemma_of(note, enricher)]
        if order == "frequency":
            due = max(frequency_position(w.frequency) for w in words)
        else:
            due = max(level_position(w) for w in words)
        out.append(replace(note, due=due))
    return out


def day_of(date: str | None) -> int | None:
    """Days since 1970-01-01 of a date that starts YYYY-MM-DD, else None."""
    m = _DATE.match(date or "")
    if m is None:
        return None
    try:
        day = datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    return min(max((day - _EPOCH).days, 0), _MAX_DAYS)


def date_position(date: str | None, newest: bool = False) -> int:
    """Oldest first: 1 + days since 1970; newest first: 1 + days before 2243-10-16.
    Undated notes come last (LAST)."""
    day = day_of(date)
    if day is None:
        return LAST
    return 1 + (_MAX_DAYS - day if newest else day)


def frequency_position(rank: int | None) -> int:
    """Common words first: the rank itself (at most LAST - 1); unranked words LAST."""
    return LAST if rank is None else min(max(rank, 1), LAST - 1)


def level_position(study: Study) -> int:
    """By the first exam that lists the word (zhongkao first, gre last, none after),
    common words first within an exam."""
    level = min((EXAMS.index(x) for x in study.levels if x in EXAMS), default=len(EXAMS))
    rank = min(study.frequency or _LEVEL_STEP - 1, _LEVEL_STEP - 1)
    return 1 + level * _LEVEL_STEP + rank
