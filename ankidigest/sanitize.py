"""Hostile characters and markup: what may reach a post's text, a field, a tag or a deck.

- ``clean_text`` runs on every post before parsing: control characters (NUL,
  Anki's field separator U+001F, C1 controls) become spaces, invisible
  zero-width characters and bidirectional overrides are removed, lone
  surrogates become U+FFFD. Each kind found is reported once, with its line.
  Zero-width joiners (U+200C, U+200D) stay: emoji and several scripts need them.
- ``clean_field`` is the last step of every field: no control character survives.
- ``tag`` / ``deck`` make a name Anki accepts and no template can execute.
- ``unsafe_markup`` is the gate before writing: a field may hold only the tags
  ankidigest itself emits (``<b>``, ``</b>``, ``<br>``, and an ``<a href>`` is
  never emitted into a field at all).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

# C0 controls except tab and newline, DEL, C1 controls.
_CONTROL_CHARS = r"\x00-\x08\x0b-\x1f\x7f-\x9f"
_SURROGATE_CHARS = r"\ud800-\udfff"
_CONTROL = re.compile(f"[{_CONTROL_CHARS}]")
# Zero-width space, word joiner, zero-width no-break space (BOM), soft hyphen,
# Mongolian vowel separator, invisible operators; bidirectional embeddings,
# overrides and isolates (they can hide or reorder text, "Trojan Source").
_INVISIBLE_CHARS = r"\u200b\u2060\ufeff\u00ad\u180e\u2061-\u2064\u202a-\u202e\u2066-\u2069"
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")
_SURROGATE = re.compile(f"[{_SURROGATE_CHARS}]")
# What clean_field changes (_CONTROL or _SURROGATE): text without any comes out as it went in.
_UNCLEAN = re.compile(f"[{_CONTROL_CHARS}{_SURROGATE_CHARS}]")
# Typora indents a line with a zero-width space and a tab: an indent, not a code block.
_INDENT = re.compile(r"^(?:[ \t]*[\u200b\u2060\ufeff]+[ \t]*)+", re.MULTILINE)
_KINDS = (
    (_CONTROL, " ", "control character"),
    (_SURROGATE, "\ufffd", "unpaired surrogate"),
    (_INVISIBLE, "", "invisible or text-direction character"),
)
# Any character of the _KINDS: text without one needs none of their three scans.
_ANY_KIND = re.compile(f"[{_CONTROL_CHARS}{_SURROGATE_CHARS}{_INVISIBLE_CHARS}]")

# Tags: Anki splits on white space and rejects control characters and '"';
# we also drop what a template could turn into markup.
_TAG_BAD = re.compile(r"[\s\x00-\x1f\x7f-\x9f\"'<>&`{}]+")
_ALLOWED_TAG = re.compile(r"<(?:b|/b|br)>")
# The one media reference ankidigest writes, and only in the Audio field (its index in
# the frozen field list; a test pins it to notetype.FIELD_INDEX["Audio"]).
AUDIO_FIELD = 6
AUDIO_REF = re.compile(r"\[sound:ankidigest-tts-[0-9a-f]{20}\.mp3\]")


def clean_text(text: str) -> tuple[str, list[str]]:
    """Return (cleaned text, one note per kind of character removed: 'LINE: ...')."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\u200b" in text or "\u2060" in text or "\ufeff" in text:
        text = _INDENT.sub("", text)
    notes: list[str] = []
    if _ANY_KIND.search(text) is None:  # the usual post
        return text, notes
    for pattern, replacement, kind in _KINDS:
        first = pattern.search(text)
        if first is None:
            continue
        count = len(pattern.findall(text))
        line = text.count("\n", 0, first.start()) + 1
        code = f"U+{ord(first.group()):04X}"
        more = f" (and {count - 1} more)" if count > 1 else ""
        action = "removed" if replacement == "" else "replaced"
        notes.append(f"{line}: {action} {kind} {code}{more}")
        text = pattern.sub(replacement, text)
    return text, notes


def no_surrogates(text: str) -> str:
    """``text`` with each lone surrogate (a file name that is not UTF-8, say) as U+FFFD:
    what UTF-8 can hold."""
    return _SURROGATE.sub("\ufffd", text)


def is_clean(value: str) -> bool:
    """Whether ``value`` is its own clean_field (and so is every slice of it)."""
    if value.isprintable():  # no control character (Cc) nor surrogate (Cs), so clean
        return True
    return _UNCLEAN.search(value) is None  # one scan instead of two for clean non-ASCII text


def clean_field(value: str) -> str:
    """No control character (Anki's field separator U+001F above all) reaches a field."""
    if is_clean(value):
        return value
    value = no_surrogates(value)
    return _CONTROL.sub(" ", value) if _CONTROL.search(value) else value


def tag(raw: str) -> str:
    """A tag Anki stores as given: no spaces, controls, quotes or markup; no empty '::' parts."""
    clean = _TAG_BAD.sub("_", _INVISIBLE.sub("", raw))
    parts = [p.strip("_:") for p in clean.split("::")]
    return "::".join(p for p in parts if p)


def tags(raw: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for item in raw:
        clean = tag(item)
        if clean and clean not in out:
            out.append(clean)
    return tuple(out)


def deck(name: str) -> str:
    """A deck name without control or invisible characters (Anki uses U+001F inside names)."""
    return " ".join(_INVISIBLE.sub("", _CONTROL.sub(" ", name)).split())


def fields_safe(fields: Sequence[str]) -> bool:
    """True when no field holds markup ``unsafe_markup`` reports, in one scan of them
    all ("\n" keeps a '<' at the end of a field from reading on into the next one
    as an allowed tag)."""
    joined = "\n".join(fields)
    if "[" in joined and not sound_ok(fields):
        return False
    return unsafe_markup(joined) is None


def sound_ok(fields: Sequence[str]) -> bool:
    """The Audio field is empty or exactly one of our ``[sound:...]`` references, and no
    other field holds a '[sound:' (escaped text never does: '[' is written '&#91;')."""
    for i, value in enumerate(fields):
        if i == AUDIO_FIELD:
            if value and AUDIO_REF.fullmatch(value) is None:
                return False
        elif "[sound:" in value:
            return False
    return True


def unsafe_markup(field: str) -> str | None:
    """The first markup in ``field`` that ankidigest never emits, else None."""
    start = field.find("<")
    while start != -1:
        m = _ALLOWED_TAG.match(field, start)
        if m is None:
            return field[start : start + 40]
        start = field.find("<", m.end())
    control = _CONTROL.search(field)
    if control is not None:
        return f"control character U+{ord(control.group()):04X}"
    return None
