"""Unwrap container syntax that mistune does not know, keeping every line where it was.

Notebook tools wrap prose in containers whose bodies are indented, which
CommonMark would read as code: mkdocs admonitions (``!!! note``, ``??? tip``) and
content tabs (``=== "Tab"``),
VitePress/VuePress ``::: details`` blocks, Obsidian callouts (``> [!note]``).
This step blanks the container's own marker lines and dedents its body, so the
body parses as the prose it is, while fenced code inside stays fenced code. It
fences Obsidian_to_Anki card blocks (``START``...``END``: they are cards already),
blanks their ``TARGET DECK``/``FILE TAGS`` lines and strips Typora's zero-width-space
indentation. The result has exactly as many lines as the input, so line numbers
stay true to the file.
"""

from __future__ import annotations

import re

# mkdocs admonitions (!!! note, ??? tip, ???+ example) and content tabs (=== "Tab").
_ADMONITION = re.compile(
    r"^(?:(?:!!!|\?\?\?\+?)[ \t]*[\w-]*(?:[ \t]+.*)?|===\+?[ \t]+\".*\"[ \t]*)$"
)
_DIV_OPEN = re.compile(r"^:{3,}[ \t]*\S.*$")
_DIV_CLOSE = re.compile(r"^:{3,}[ \t]*$")
_CALLOUT = re.compile(r"^((?:[ \t]*>)+)[ \t]*\[![\w-]+\][+-]?.*$")
_QUOTE_PREFIX = re.compile(r"^((?:[ \t]*>)+)(.*)$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# An Obsidian_to_Anki START...END block becomes a fenced block of this kind: its
# bold is already on a card, so the walker reports it and makes no card.
CARD_BLOCK = "ankidigest-card-block"
CARD_BLOCK_OPEN = "~~~~~~~~~~~~ " + CARD_BLOCK
CARD_BLOCK_CLOSE = "~~~~~~~~~~~~"
_ANKI_HEADER = re.compile(r"^(?:TARGET DECK|FILE TAGS)(?::.*)?[ \t]*$")
_ZERO_WIDTH = re.compile(r"^(?:[ \t]*[\u200b\u2060\ufeff]+[ \t]*)+", re.MULTILINE)
_MAX_PASSES = 16
_TRIGGERS = ("!!!", "???", "===", ":::", "[!", "START", "TARGET", "FILE")


def unwrap(text: str) -> str:
    """Return ``text`` with container markers blanked and container bodies dedented."""
    if not any(mark in text for mark in _TRIGGERS):
        return _ZERO_WIDTH.sub("", text) if "\u200b" in text or "\u2060" in text else text
    lines = [_ZERO_WIDTH.sub("", line) for line in text.split("\n")]
    _obsidian_to_anki(lines)
    for _ in range(_MAX_PASSES):
        if not _one_pass(lines):
            break
    return "\n".join(lines)


def _obsidian_to_anki(lines: list[str]) -> None:
    """Fence START...END card blocks (already cards) and blank TARGET DECK / FILE TAGS."""
    fenced = _Fences()
    i = 0
    while i < len(lines):
        line = lines[i]
        if fenced.inside(line):
            i += 1
            continue
        header = _ANKI_HEADER.match(line)
        if line.strip() == "START":
            end = next((j for j in range(i + 1, len(lines)) if lines[j].strip() == "END"), None)
            if end is not None:
                lines[i] = CARD_BLOCK_OPEN
                lines[end] = CARD_BLOCK_CLOSE
                i = end + 1
                continue
            lines[i] = ""
        elif header and ":" not in line:
            lines[i] = ""
            if i + 1 < len(lines) and lines[i + 1].strip() and len(lines[i + 1].split()) <= 4:
                lines[i + 1] = ""  # the deck or the tags
                i += 1
        elif header or line.strip() == "END":
            lines[i] = ""
        i += 1


def _one_pass(lines: list[str]) -> bool:
    """Unwrap every outermost container once; True if anything changed."""
    changed = False
    fenced = _Fences()
    i = 0
    while i < len(lines):
        line = lines[i]
        if fenced.inside(line):
            i += 1
            continue
        if _ADMONITION.match(line):
            end = i + 1
            while end < len(lines) and (not lines[end].strip() or _indent(lines[end]) > 0):
                end += 1
            lines[i] = ""
            _dedent(lines, i + 1, end)
            changed = True
            i = end
        elif _DIV_OPEN.match(line):
            end = _div_end(lines, i)
            lines[i] = ""
            if end < len(lines):
                lines[end] = ""
            _dedent(lines, i + 1, end)
            changed = True
            i = end + 1
        elif _CALLOUT.match(line):
            i = _callout(lines, i)
            changed = True
        else:
            i += 1
    return changed


def _div_end(lines: list[str], start: int) -> int:
    """Index of the ':::' closing the div opened at ``start`` (or len(lines))."""
    depth = 1
    for j in range(start + 1, len(lines)):
        stripped = lines[j].strip()
        if _DIV_CLOSE.match(stripped):
            depth -= 1
            if depth == 0:
                return j
        elif _DIV_OPEN.match(stripped):
            depth += 1
    return len(lines)


def _callout(lines: list[str], start: int) -> int:
    """Blank a callout's marker (keeping the quote) and dedent its quoted body."""
    m = _CALLOUT.match(lines[start])
    assert m is not None
    prefix = m.group(1)
    depth = prefix.count(">")
    lines[start] = prefix
    body: list[tuple[int, str, str]] = []
    j = start + 1
    while j < len(lines):
        q = _QUOTE_PREFIX.match(lines[j])
        if q is None or q.group(1).count(">") < depth:
            break
        rest = q.group(2)
        body.append((j, q.group(1), rest[1:] if rest.startswith(" ") else rest))
        j += 1
    widths = [_indent(rest) for _, _, rest in body if rest.strip()]
    cut = min(widths) if widths else 0
    for index, quote, rest in body:
        if cut and quote.count(">") == depth:
            lines[index] = f"{quote} {_strip_columns(rest, cut)}"
    return j


def _dedent(lines: list[str], start: int, end: int) -> None:
    widths = [_indent(lines[k]) for k in range(start, end) if lines[k].strip()]
    if not widths:
        return
    cut = min(widths)
    for k in range(start, end):
        lines[k] = _strip_columns(lines[k], cut) if lines[k].strip() else ""


def _indent(line: str) -> int:
    width = 0
    for ch in line:
        if ch == " ":
            width += 1
        elif ch == "\t":
            width += 4 - width % 4
        else:
            break
    return width


def _strip_columns(line: str, columns: int) -> str:
    """Remove ``columns`` columns of leading white space (tabs count to the next stop)."""
    width = 0
    i = 0
    while i < len(line) and width < columns and line[i] in " \t":
        width += 1 if line[i] == " " else 4 - width % 4
        i += 1
    return " " * max(0, width - columns) + line[i:]


class _Fences:
    """Tracks whether a line is inside a fenced code block (at this nesting level)."""

    def __init__(self) -> None:
        self.open: str | None = None

    def inside(self, line: str) -> bool:
        m = _FENCE.match(line)
        if self.open is None:
            if m:
                self.open = m.group(1)
                return True
            return False
        fence = m.group(1) if m else ""
        closes = fence[:1] == self.open[0] and len(fence) >= len(self.open)
        if closes and not line.strip()[len(fence) :].strip():
            self.open = None
        return True
