"""A note's cards as Anki renders them: our templates applied to our fields.

A renderer for the subset of Anki's template language that ``notetype.py`` uses and
nothing more: ``{{Field}}``, ``{{#Field}}…{{/Field}}``, ``{{^Field}}…{{/Field}}`` and
``{{cloze:Field}}``. Anything else in a template is an error, so a template change
that needs more cannot go unnoticed (tests/test_preview.py also compares every card
with the one the real Anki renders). Why our own and not the ``anki`` package's: that
needs a collection on disk and an 11 MB backend, a test dependency only.

Field values are inserted as they are (they are HTML, as in Anki); the cloze filter
produces the same spans as Anki 26: ``[...]`` (or ``[hint]``) on the front, the answer
on the back, the other deletions as their text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache
from typing import NamedTuple

from ankidigest.notes.notetype import BACK, FIELD_NAMES, FRONT

_TOKEN = re.compile(r"\{\{(.*?)\}\}", re.S)
_CLOZE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.S)
_EMPTY = re.compile(r"^(?:\s|<br\s*/?>|<div>|</div>)*$", re.I)

# A parsed template: text, a field, a cloze field, or a section (name, inverted, body).
Node = tuple[str, str] | tuple[str, str, bool, "list[Node]"]


class Card(NamedTuple):
    ordinal: int  # the cloze number (card N of the note)
    front: str
    back: str


def parse(template: str) -> list[Node]:
    root: list[Node] = []
    stack: list[tuple[str, list[Node]]] = [("", root)]
    at = 0
    for m in _TOKEN.finditer(template):
        if m.start() > at:
            stack[-1][1].append(("text", template[at : m.start()]))
        at = m.end()
        tag = m.group(1).strip()
        if tag[:1] in "#^":
            body: list[Node] = []
            stack[-1][1].append(("section", tag[1:].strip(), tag[0] == "^", body))
            stack.append((tag[1:].strip(), body))
        elif tag.startswith("/"):
            if len(stack) == 1 or stack[-1][0] != tag[1:].strip():
                raise ValueError(f"template: unexpected {{{{{tag}}}}}")
            stack.pop()
        elif tag.startswith("cloze:"):
            stack[-1][1].append(("cloze", _field_name(tag[len("cloze:") :])))
        else:
            stack[-1][1].append(("field", _field_name(tag)))
    if len(stack) != 1:
        raise ValueError(f"template: {{{{#{stack[-1][0]}}}}} is never closed")
    if at < len(template):
        root.append(("text", template[at:]))
    return root


def _field_name(name: str) -> str:
    name = name.strip()
    if name not in FIELD_NAMES:
        raise ValueError(f"template: {{{{{name}}}}} is not a field this renderer knows")
    return name


@cache
def _parsed(template: str) -> list[Node]:
    return parse(template)


def is_empty(value: str) -> bool:
    """Whether Anki counts a field as empty (for ``{{#Field}}`` sections)."""
    return _EMPTY.match(value) is not None


_NAMED = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}


def attribute(value: str) -> str:
    """``value`` in an attribute as Anki 26 writes ``data-cloze``: ASCII letters and
    digits and characters above U+00FF as they are, ``&<>"`` as named references,
    any other character as a hexadecimal one (checked against the real Anki)."""
    return "".join(
        c
        if ord(c) > 0xFF or (c.isascii() and c.isalnum())
        else _NAMED.get(c) or f"&#x{ord(c):02X};"
        for c in value
    )


def cloze(text: str, ordinal: int, front: bool) -> str:
    """Anki's ``{{cloze:...}}`` for card ``ordinal``."""

    def one(m: re.Match[str]) -> str:
        number, answer, hint = int(m.group(1)), m.group(2), m.group(3)
        if number != ordinal:
            return f'<span class="cloze-inactive" data-ordinal="{number}">{answer}</span>'
        if not front:
            return f'<span class="cloze" data-ordinal="{number}">{answer}</span>'
        shown = f"[{hint}]" if hint is not None else "[...]"
        return (
            f'<span class="cloze" data-cloze="{attribute(answer)}" '
            f'data-ordinal="{number}">{shown}</span>'
        )

    return _CLOZE.sub(one, text)


def render(template: str, fields: Mapping[str, str], ordinal: int, front: bool) -> str:
    out: list[str] = []
    todo: list[Node] = list(reversed(_parsed(template)))
    while todo:  # explicit stack: no recursion
        node = todo.pop()
        kind = node[0]
        if kind == "text":
            out.append(node[1])
        elif kind == "field":
            out.append(fields[node[1]])
        elif kind == "cloze":
            out.append(cloze(fields[node[1]], ordinal, front))
        else:
            _, name, inverted, body = node  # type: ignore[misc]
            if is_empty(fields[name]) == inverted:
                todo.extend(reversed(body))
    return "".join(out)


def ordinals(text: str) -> list[int]:
    """The cloze numbers in ``text``, in order: one card each."""
    return sorted({int(m.group(1)) for m in _CLOZE.finditer(text)})


def cards(fields: Sequence[str]) -> list[Card]:
    """Every card of a note with these fields (in note-type order), front and back."""
    named = dict(zip(FIELD_NAMES, fields, strict=True))
    return [
        Card(n, render(FRONT, named, n, True), render(BACK, named, n, False))
        for n in ordinals(named["Text"])
    ]
