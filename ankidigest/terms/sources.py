"""Links that stand for a sentence's own source (not look-up links, which inline.py drops).

Learners cite where a sentence came from in a few ways:

- at the end of the sentence's line: ``… adamant. ([BBC](https://…))``, ``— [FT](…)``;
- on a line of its own after the sentences (an attribution): ``> — [Title](https://…)``;
- as a block of its own before them: ``- [Why cities shrink](https://…)`` with the examples
  nested under it, or ``Source: [Title](https://…)``.

``find_sources`` reports the first two per line of a flattened block, and whether the
whole block is a source line (the walker then keeps it for the blocks that follow).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

_PREFIX = re.compile(
    r"^[\s\-–—>*•(（\[]*(?:(?:source|src|from|via|read|article|link|出处|来源|原文)\s*[:：]?\s*)?",
    re.I,
)
_SUFFIX = re.compile(r"[\s)）\].,;]*$")
_BEFORE_TRAILING = re.compile(
    r"""[.!?…。！？]["'”’)\]]*(?P<cut>\s*(?:[(（\[]|[-–—]+|via|source\s*[:：]?|from)?\s*)$""",
    re.I,
)
_CITED = re.compile(r"\w\s*[(（]$")
_CITED_AFTER = re.compile(r"[)）][.!?。！？]?\s*")
_WEB = re.compile(r"^https?://", re.I)


@dataclass
class Sources:
    """Per line of a block: the (url, title) its sentences come from, if a link says so."""

    by_line: dict[int, tuple[str, str]] = field(default_factory=dict)
    standalone: tuple[str, str] | None = None  # the block is nothing but a source line
    cuts: list[tuple[int, int]] = field(default_factory=list)  # source text, not sentences
    starts: list[int] = field(default_factory=list)  # where each line of the block starts

    def for_offset(self, offset: int) -> tuple[str, str] | None:
        """The source of the line holding ``offset``, if a link gives one."""
        if not self.by_line:
            return None
        return self.by_line.get(bisect_right(self.starts, offset) - 1)


def find_sources(text: str, links: list[tuple[int, int, str]]) -> Sources:
    out = Sources()
    web = [(s, e, url) for s, e, url in links if _WEB.match(url)]
    if not web:
        return out
    starts = out.starts = _line_starts(text)
    lines = text.split("\n")
    prose_lines: list[int] = []
    k = 0  # links are in text order: walk them along with the lines
    for index, line in enumerate(lines):
        base = starts[index]
        on_line = []
        while k < len(web) and web[k][0] < base + len(line):
            s, e, url = web[k]
            if s >= base:
                on_line.append((s - base, e - base, url))
            k += 1
        if not line.strip():
            continue
        if len(on_line) == 1:
            s, e, url = on_line[0]
            title = " ".join(line[s:e].split())
            if _only_link(line, s, e):
                if prose_lines:  # an attribution under the sentences it cites
                    for earlier in prose_lines:
                        out.by_line.setdefault(earlier, (url, title))
                    out.cuts.append((base, base + len(line)))
                elif all(not other.strip() for other in lines[index + 1 :]):
                    out.standalone = (url, title)
                continue
            trailing = _BEFORE_TRAILING.search(line[:s]) if _SUFFIX.fullmatch(line[e:]) else None
            if trailing:
                out.by_line[index] = (url, title)
                out.cuts.append((base + trailing.start("cut"), base + len(line)))
            elif _CITED.search(line[:s]) and _CITED_AFTER.fullmatch(line[e:]):
                out.by_line[index] = (url, title)  # "... towns ([BBC](https://...))."
        prose_lines.append(index)
    return out


def _only_link(line: str, start: int, end: int) -> bool:
    before = line[:start]
    return _PREFIX.fullmatch(before) is not None and _SUFFIX.fullmatch(line[end:]) is not None


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for i, ch in enumerate(text):
        if ch == "\n":
            starts.append(i + 1)
    return starts
