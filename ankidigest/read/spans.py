"""Marked spans of a flattened block: where a mark starts, nesting merged, spans to sentences."""

from __future__ import annotations

import re
from collections.abc import Sequence


def after_mark(source: str, at: int, begin: int) -> bool:
    """Whether ``source[at:]`` follows a mark ("**", "__", "==", ">" or "*") that starts at
    ``begin`` or later. By characters, not a loop over the marks: this runs per term."""
    mark = source[at - 1] if at > begin else ""
    if mark in ("*", ">"):  # "*" covers "**"
        return True
    return mark in ("_", "=") and at - 2 >= begin and source[at - 2] == mark


def outermost(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with any span nested in (or overlapping) an earlier one merged into it."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def group_by_sentence(
    spans: list[tuple[int, int]], terms: list[tuple[int, int]]
) -> list[tuple[int, int, list[tuple[int, int]]]]:
    """Assign each term to its sentence; a term crossing a boundary joins the sentences."""
    out: list[tuple[int, int, list[tuple[int, int]]]] = []
    ti = 0
    si = 0
    while ti < len(terms) and si < len(spans):
        start, end = spans[si]
        if terms[ti][0] >= end:
            si += 1
            continue
        start = min(start, terms[ti][0])
        inside: list[tuple[int, int]] = []
        while ti < len(terms) and terms[ti][0] < end:
            while terms[ti][1] > end and si + 1 < len(spans):
                si += 1
                end = spans[si][1]
            end = max(end, terms[ti][1])
            inside.append(terms[ti])
            ti += 1
        out.append((start, end, inside))
        si += 1
    return out


# "****" or "** **" in prose is an empty bold mistune leaves as text (CommonMark: no
# emphasis without content). "____" is not: learners write it for a blank to fill in.
_EMPTY_BOLD = re.compile(r"(?<![*\\])\*\*[ \t]*\*\*(?!\*)")
_CODE_SPAN = re.compile(r"(`+).*?\1")


def empty_bolds(text: str, line: int, lines: Sequence[str]) -> list[tuple[int, str]]:
    """(line, "****") for each empty bold left as text in a flattened block that starts
    on ``line``. The source line must hold it outside code spans and unescaped
    (flattened text has lost both)."""
    if "**" not in text:
        return []
    out: list[tuple[int, str]] = []
    found: dict[int, int] = {}
    for m in _EMPTY_BOLD.finditer(text):
        where = line + text.count("\n", 0, m.start())
        if where > len(lines):
            continue
        if where not in found:
            found[where] = len(_EMPTY_BOLD.findall(_CODE_SPAN.sub("", lines[where - 1])))
        if found[where]:
            found[where] -= 1
            out.append((where, m.group()))
    return out


def cut_out(
    text: str, start: int, end: int, cuts: list[tuple[int, int]], terms: list[tuple[int, int]]
) -> tuple[str, list[tuple[int, int]]]:
    """``text[start:end]`` without the ``cuts`` stretches inside it (a bold gloss after
    a term), and each of ``terms`` (offsets in ``text``, none inside a cut) as offsets
    in the result."""
    pieces: list[str] = []
    pos = start
    removed: list[tuple[int, int]] = []  # (where a cut ends, characters cut up to there)
    for s, e in sorted(cuts):
        s, e = max(s, pos), min(e, end)
        if e > s:
            pieces.append(text[pos:s])
            removed.append((e, (removed[-1][1] if removed else 0) + e - s))
            pos = e
    pieces.append(text[pos:end])

    def moved(offset: int) -> int:
        gone = next((n for stop, n in reversed(removed) if offset >= stop), 0)
        return offset - start - gone

    return "".join(pieces), [(moved(s), moved(e)) for s, e in terms]
