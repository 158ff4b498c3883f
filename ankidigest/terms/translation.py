"""Find translations in a flattened paragraph: lines (or line ends) in another script.

Learners put a translation on the line after the English sentence, or glue it to
the sentence (``…it.（如果…）``). Such text is never part of an English sentence.
A paragraph's text is cut into parts; a foreign part that follows an English part
on the same or the next line ``translates`` it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_OPENERS = '（【「『《("“'
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]{2,}")
_FOREIGN_SENTENCE = re.compile(r"[^。！？!?]+[。！？!?]*[」』”）)]*")
# Speed (the same results as a loop over every character): runs of word characters
# from U+0370 on but digits and "_" (a superset of the letters there: str.isalpha is
# never a digit or "_", so a line of Chinese is one match, not one per character),
# the letters below U+0250, and what may start a glued translation.
_HIGH_WORD = re.compile(r"[^\W\d_\x00-\u036f]+")
_LATIN_LETTER = re.compile(
    "[" + re.escape("".join(chr(c) for c in range(0x250) if chr(c).isalpha())) + "]"
)
_CANDIDATE = re.compile("[" + re.escape(_OPENERS) + r"]|[^\x00-\u036f]")


@dataclass(frozen=True)
class Part:
    """A stretch of one line: English prose, or a foreign one (a translation)."""

    start: int
    end: int
    foreign: bool
    translates: int | None = None  # index of the English part this one translates


def latin_share(text: str) -> float:
    """Share of Latin letters among the letters of ``text`` (1.0 when it has none)."""
    other = _other_letters(text)
    if not other:
        return 1.0  # no "other" letter: the share is 1.0 whatever the Latin count
    latin = len(_LATIN_LETTER.findall(text))
    return latin / (latin + other)


def _other_letters(text: str) -> int:
    """How many letters from U+0370 on ``text`` holds."""
    other = 0
    for run in _HIGH_WORD.findall(text):  # runs holding every letter from U+0370 on
        other += len(run) if run.isalpha() else sum(1 for ch in run if ch.isalpha())
    return other


def is_foreign(text: str) -> bool:
    """Text mostly in another script than Latin (Chinese, Japanese, Russian, ...)."""
    return latin_share(text) < 0.5


def split_parts(text: str) -> list[Part]:
    """Cut ``text`` (lines separated by "\\n") into English and foreign parts."""
    if text.isascii() and "\n" not in text:  # the loop below, for one ASCII line
        return [Part(0, len(text), False)] if text.strip() else []
    parts: list[Part] = []
    pos = 0
    last_english: int | None = None
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        if not line.strip():
            continue
        if line.isascii() or not _other_letters(line):
            # No letter of another script: not foreign, and nothing glued (a glued
            # translation is foreign, so it holds one).
            parts.append(Part(start, end, False))
            last_english = len(parts) - 1
            continue
        if is_foreign(line):
            parts.append(Part(start, end, True, last_english))
            continue
        cut = _glued_translation(line)
        parts.append(Part(start, start + cut, False))
        last_english = len(parts) - 1
        if cut < len(line):
            parts.append(Part(start + cut, end, True, last_english))
    return parts


def _glued_translation(line: str) -> int:
    """Where a translation glued to the end of an English line starts (or len(line))."""
    for m in _CANDIDATE.finditer(line):  # the only characters the test below can pass
        i, ch = m.start(), m.group()
        if not (ch in _OPENERS or (ch.isalpha() and ord(ch) >= 0x370)):
            continue
        if ch in '("“' and (i + 1 >= len(line) or not is_foreign(line[i + 1 : i + 2])):
            continue
        head, tail = line[:i], line[i:]
        if len(_LATIN_WORD.findall(head)) >= 2 and is_foreign(tail):
            return i
    return len(line)


def translation_for(
    english: list[tuple[int, int]], foreign_text: str
) -> list[tuple[tuple[int, int], str]]:
    """Pair a foreign text with the English sentences it translates, when that is clear.

    One English sentence: the whole foreign text. Several: one foreign sentence
    each, if the counts match. Otherwise nothing.
    """
    clean = _unwrap_brackets(foreign_text.strip())
    if not clean or not english:
        return []
    if len(english) == 1:
        return [(english[0], clean)]
    pieces = [p.strip() for p in _FOREIGN_SENTENCE.findall(clean) if p.strip()]
    if len(pieces) == len(english):
        return list(zip(english, pieces, strict=True))
    return []


def _unwrap_brackets(text: str) -> str:
    pairs = {"（": "）", "(": ")", "【": "】", "「": "」"}
    if len(text) >= 2 and pairs.get(text[0]) == text[-1]:
        return text[1:-1].strip()
    return text
