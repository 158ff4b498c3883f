"""Split a paragraph's plain text into sentences.

Works on text the walker already flattened (no markdown left), so plain
character rules are enough. A boundary is sentence punctuation, optional
closing quotes or brackets, then white space and a character that can start a
sentence. Abbreviations, initials, dotted acronyms and decimals do not end a
sentence; CJK full stops always do, and so does a hard line break ("\n").
"""

from __future__ import annotations

import re

# Words that are almost never the last word of a sentence when followed by a period.
_TITLES = frozenset(
    """mr mrs ms dr prof gen lt col capt cpt sgt maj adm cmdr sen rep gov pres st jr sr rev
    hon messrs mt ft fr sec atty supt insp det gens brig cdr""".split()
)
# Abbreviations that end a sentence only if the next word looks like a new one; we
# keep them together when a number follows ("No. 10", "Fig. 3", "pp. 4").
_BEFORE_NUMBER = frozenset("no nos vol vols fig figs pp p art ch sec op".split())
_MISC = frozenset(
    """vs etc approx est dept inc ltd co corp jan feb mar apr jun jul aug sep sept oct nov dec
    cf al viz ca""".split()
)

# The lookahead changes no match (both branches start with one of its characters) but
# lets re skip to the next candidate character instead of trying both branches at each.
_END = re.compile(
    r"""(?=[.!?…。！？])(?P<punct>[.!?…]+|[。！？]+)(?P<close>["'”’»)\]」』）]*)(?P<space>\s*)""",
)


def _word_before(text: str, dot: int) -> str:
    """The run of word characters and dots just before ``text[dot]``, at most 64 long
    (bounded: no quadratic scan): what ``re.search(r"([\\w.]+)$", text, dot - 64, dot)``
    finds, including its "$" also matching before a "\\n" ending the searched text.
    A loop back from the dot, since the search tried each of the 64 offsets."""
    low = max(0, dot - 64)
    end = dot - 1 if dot > low and text[dot - 1] == "\n" else dot
    # Most words run back to a space (or to ``low``) with letters and digits only: then the
    # loop below would stop just there, so one rfind does its work.
    word = text[text.rfind(" ", low, end) + 1 or low : end]
    if word.isalnum():
        return word
    start = end
    while start > low and (text[start - 1].isalnum() or text[start - 1] in "_."):
        start -= 1  # str.isalnum is the "\\w" of re, but for "_"
    return text[start:end]


def _is_abbreviation(text: str, dot: int, following: str) -> bool:
    """True when the '.' at index ``dot`` belongs to an abbreviation."""
    word = _word_before(text, dot)
    if not word:
        return False
    bare = word.rstrip(".").lower()
    if "." in word.strip("."):  # U.S., e.g., a.m.: dotted acronyms
        return True
    if len(bare) == 1 and bare.isalpha() and word[0].isupper():  # initials: J. Smith
        return True
    if bare in _TITLES:
        return True
    if bare in _BEFORE_NUMBER and following[:1].isdigit():
        return True
    return bare in _MISC and not following[:1].isupper()


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Return (start, end) offsets of the sentences of ``text``, white space trimmed."""
    spans: list[tuple[int, int]] = []
    start = 0
    n = len(text)
    for line_start, line_end in _lines(text):
        start = line_start
        for m in _END.finditer(text, line_start, line_end):
            punct, _, space = m.groups()
            nxt = m.end()
            if punct[0] not in "。！？":  # CJK full stops always end a sentence
                if nxt < line_end:
                    if not space:
                        continue  # 3.5, U.S.-led, "word.Word": no break without space
                    following = text[nxt]  # the rules below read only its first character
                    if "a" <= following <= "z":
                        continue
                else:
                    following = ""
                if punct == "." and _is_abbreviation(text, m.start(), following):
                    continue
            end = m.end(2)
            _add(spans, text, start, end)
            start = nxt
        _add(spans, text, start, line_end)
    if not spans and n:
        _add(spans, text, 0, n)
    return spans


def _lines(text: str) -> list[tuple[int, int]]:
    if "\n" not in text:
        return [(0, len(text))]
    out = []
    pos = 0
    for part in text.split("\n"):
        out.append((pos, pos + len(part)))
        pos += len(part) + 1
    return out


def _add(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))
