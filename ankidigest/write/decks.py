"""Deck names as Anki compares them: without regard to case.

Anki holds one deck per name compared case-insensitively (each ``::`` level), so two
posts titled "Reading" and "reading" must not make two decks in one package: Anki's
importer would keep one and rename the other "reading_". Every name is written with
the spelling of each level first seen in the package ("Reading"), so both posts' cards
go to one deck. Names that differ only in case are rare; for all others this is the
identity and the package is unchanged.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping


def _fold(name: str) -> str:
    return name.casefold()


def spellings(names: Iterable[str]) -> dict[str, str]:
    """Each name -> the name Anki keeps for it: every level spelled as it was first
    seen (a parent level included: "A::b" then "a::c" gives "A::c")."""
    first: dict[str, str] = {}  # folded path of a level -> its first spelling
    out: dict[str, str] = {}
    for name in names:
        if name in out:
            continue
        parts = name.split("::")
        spelled = []
        for depth in range(len(parts)):
            path = "::".join(parts[: depth + 1])
            kept = first.setdefault(_fold(path), path)
            spelled.append(kept.split("::")[-1])
        out[name] = "::".join(spelled)
    return out


def fix_copied_cards(cursor: sqlite3.Cursor, decks: Mapping[str, int]) -> None:
    """Cards copied from the previous package keep its deck ids; one whose deck this
    package spells otherwise (a name that differed only in case) moves to that deck."""
    known = set(decks.values())
    stray = [d for (d,) in cursor.execute("SELECT DISTINCT did FROM cards") if d not in known]
    if not stray:
        return
    try:
        old = json.loads(cursor.execute("SELECT decks FROM old.col").fetchone()[0])
    except (TypeError, ValueError):
        old = {}
    by_fold = {_fold(name): did for name, did in decks.items()}
    fallback = next(iter(decks.values()))
    for did in stray:
        entry = old.get(str(did)) if isinstance(old, dict) else None
        name = entry.get("name") if isinstance(entry, dict) else None
        target = by_fold.get(_fold(name), fallback) if isinstance(name, str) else fallback
        cursor.execute("UPDATE cards SET did = ? WHERE did = ?", (target, did))
