"""A previous package is untrusted input, like a post: anyone can craft one.

What is read from it is checked before it is used: the values of each row (a note
whose guid, ``mod``, fields or tags are not what Anki and ankidigest write is not a
prior note), numbers bounded (a ``mod`` near 2**63 would overflow sqlite once made
newer), and what it brings back into a new package (a removed note exported again
by ``--mark-removed``) passes the same sanitising as a post: ``clean_fields`` keeps
only the markup ankidigest writes (``<b>``, ``</b>``, ``<br>``, and in Text the cloze
deletions) and writes every other character as ``notes/cloze.escape_text`` would,
so no ``[sound:…]``, ``[anki:tts]``, MathJax, cloze syntax or tag can come back; the
URL is kept only when it is http(s). On a field ankidigest wrote, it is the identity.
"""

from __future__ import annotations

import html
import json
import re
import sqlite3
import zipfile
from collections.abc import Sequence
from typing import Any

from ankidigest import sanitize
from ankidigest.errors import InputError
from ankidigest.limits import NotRegularFile
from ankidigest.notes.notetype import FIELD_INDEX, FIELD_NAMES

MAX_MOD = 1 << 53  # Anki's mod is seconds; anything above is no time we wrote
MAX_CLOZE = 10_000
_TEXT = FIELD_INDEX["Text"]
_URL = FIELD_INDEX["URL"]
_MARKUP = re.compile(r"<b>|</b>|<br>")
_CLOZE_MARKUP = re.compile(r"<b>|</b>|<br>|\{\{c([1-9][0-9]{0,3})::|\}\}")
# A backslash MathJax could read as \( \) \[ \]: before a bracket, at a piece's end
# (a deletion may follow), or already followed by our word joiner (kept, not doubled).
_MATHJAX = re.compile("\\\\(?:\u2060|(?=[()\\[\\]]|$))")
_NEUTRAL = str.maketrans({"{": "&#123;", "}": "&#125;", "[": "&#91;"})
_DECK_ID = re.compile(r"-?[0-9]{1,18}")
_SAFE_URL = re.compile(r"^https?://", re.I)
_HTML_SPECIAL = re.compile(r"[&<>\"']")


def reason(exc: BaseException) -> str | None:
    """Why a package cannot be read, from the exception reading it raised; None for an
    exception that is no reading failure (Ctrl-C, memory)."""
    if isinstance(exc, InputError):
        return exc.reason
    if isinstance(exc, FileNotFoundError):
        return "no such file"
    if isinstance(exc, IsADirectoryError):
        return "is a folder, not an Anki package"
    if isinstance(exc, NotRegularFile):
        return f"is {exc.strerror}"
    if isinstance(exc, (zipfile.BadZipFile, sqlite3.DatabaseError, ValueError, KeyError)):
        return f"not a readable Anki package ({exc})"
    if isinstance(exc, (TypeError, AttributeError, OverflowError, IndexError)):
        return f"not a readable Anki package ({type(exc).__name__}: {exc})"
    if isinstance(exc, OSError):
        return f"cannot read: {exc.strerror or exc}"
    return None


def deck_names(row: Sequence[Any] | None) -> dict[int, str]:
    """Deck id -> name from the ``col`` row's ``decks`` JSON; ValueError when there is
    no such row or it is no object of decks. Decks without a usable name are left out
    (their notes go to the deck "ankidigest")."""
    if row is None:
        raise ValueError("its col table is empty")
    try:
        decks = json.loads(row[0]) if isinstance(row[0], (str, bytes)) else None
    except (ValueError, RecursionError):
        decks = None
    if not isinstance(decks, dict):
        raise ValueError("its decks are not an object")
    out: dict[int, str] = {}
    for key, value in decks.items():
        name = value.get("name") if isinstance(value, dict) else None
        if isinstance(name, str) and _DECK_ID.fullmatch(key) and sanitize.deck(name):
            out[int(key)] = name
    return out


def number(value: Any, high: int) -> int | None:
    """An integer of a row in 0..high, else None (text, NULL, a float, too big)."""
    if type(value) is int and 0 <= value <= high:
        return value
    return None


def tag_text(value: Any) -> str:
    """A row's tags as text ('' for NULL or anything not text)."""
    return value if isinstance(value, str) else ""


def good_note(guid: Any, mod: Any, flds: Any) -> bool:
    """Whether a row's guid, mod and fields are what a note of ours holds."""
    return (
        isinstance(guid, str)
        and 0 < len(guid) <= 64
        and guid.isprintable()
        and number(mod, MAX_MOD) is not None
        and isinstance(flds, str)
    )


def clean_fields(fields: Sequence[str]) -> tuple[str, ...]:
    """The fields of a prior note as a post's would be (see the module's docstring)."""
    out = []
    for i, value in enumerate(fields):
        if i == _URL:
            out.append(_url(value))
        else:
            out.append(_markup(value, cloze=i == _TEXT))
    return tuple(out)


def clean_deck(name: str) -> str:
    parts = [p.strip() for p in sanitize.deck(name).split("::")]
    return "::".join(p for p in parts if p) or "ankidigest"


def _url(value: str) -> str:
    url = sanitize.clean_field(html.unescape(value)).strip()
    if not _SAFE_URL.match(url) or any(c.isspace() for c in url):
        return ""
    return html.escape(url, quote=True) if _HTML_SPECIAL.search(url) else url


def _markup(value: str, cloze: bool) -> str:
    out: list[str] = []
    start = 0
    inside = False  # in a deletion
    for m in (_CLOZE_MARKUP if cloze else _MARKUP).finditer(value):
        token = m.group()
        opens, closes = token.startswith("{{"), token == "}}"
        if (opens and inside) or (closes and not inside):
            continue  # text, escaped below
        out.append(_text(value[start : m.start()], inside))
        out.append(f"{{{{c{int(m.group(1))}::" if opens else token)
        inside = opens or (inside and not closes)
        start = m.end()
    out.append(_text(value[start:], inside))
    if inside:
        out.append("}}")
    return "".join(out)


def _text(piece: str, answer: bool) -> str:
    """Markup-free field text, decoded, then escaped as escape_text (escape_answer in a
    deletion) does it."""
    if not piece:
        return piece
    text = sanitize.clean_field(html.unescape(piece))
    lines = []
    for line in text.split("\n"):
        line = _MATHJAX.sub("\\\\&#8288;", html.escape(line, quote=False)).translate(_NEUTRAL)
        lines.append(line.replace(":", "&#58;") if answer else line.replace("::", "&#58;&#58;"))
    return "<br>".join(lines)


def field_count_ok(parts: Sequence[str]) -> bool:
    return len(parts) == len(FIELD_NAMES)
