"""Bold that is not a term although it sits in prose: explanations, other scripts, demos.

LABELLING.md: bold that emphasises keywords of a definition, of a grammar or usage
explanation, of a teacher's or chatbot's explanation, or of the note-taker's own
commentary is not a card; neither is bold in (or inside text in) another script.
Each rule reads one span in its sentence and is cheap: a character test or an
anchored match decides before any search.

- ``**跳伞**``, ``<b>in</b>`` inside a Chinese line: FOREIGN;
- ``**kind** means showing goodness``, ``- **tilting** means to incline``,
  ``**Action verbs** express what is happening``: DEFINED (the word is explained);
- ``Nouns represent **people** (teacher, John)``: CATEGORY;
- ``the **new!!** reason``: EXCLAIMED;
- ``In order to **bold** text, add two ** before and after``: SYNTAX.

``glosses`` finds a bold gloss in another script right after a bold term
(``the **oven** **烤箱** was hot``): not a term, and not part of the sentence.
``entry_line`` finds a ``phrase: definition`` line whose phrase is not marked.
"""

from __future__ import annotations

import re
from itertools import pairwise

from ankidigest.terms.reasons import CATEGORY, DEFINED, EXCLAIMED, FOREIGN, SYNTAX
from ankidigest.terms.translation import Part, is_foreign

# What follows the word a definition is about: "**x** means ...", "**x** refers to".
_DEFINING = re.compile(
    r"\s+(?:means|meant|mean|refers? to|is used (?:to|for|when|with|in|as)|are used (?:to|for|"
    r"when|with|in|as)|is defined as|stands? for|signif(?:y|ies)|denotes?|describes?|"
    r"express(?:es)?|represents?|indicates?|impl(?:y|ies))\b",
    re.I,
)
# The first three letters of _DEFINING's verbs, lower case ("is "/"are": "is used", "are
# used"). A head with white space or a non-ASCII letter (re.I folds "ſ", "ı", "İ" onto
# ASCII) is left to the match.
_DEFINING_HEADS = frozenset(
    ["mea", "ref", "is ", "are", "sta", "sig", "den", "des", "exp", "rep", "ind", "imp"]
)
# What may come before that word: only markers from its sentence's start, or (within
# _NEAR characters) a " - ", ":" or ";" that ends what it explains.
_ONLY_MARKERS = re.compile(r"[\s\-–—•*\"'“”‘’(]*$")
_AFTER_DASH = re.compile(r".*(?:\s[-–—]|[:;])\s*[\"'“‘]?$", re.S)
# How far the rules look from the span: every rule reads a bounded window, so thousands
# of spans in one long sentence stay linear (benchmarks/bench_shapes.py).
_NEAR = 80
# "(teacher, John)": a bracket of at least two short items right after the span.
_EXAMPLES = re.compile(
    r"\s?[(（]\s*[^\W\d_][\w'’ -]{0,20}(?:\s*[,，、]\s*[^\W\d_][\w'’ -]{0,20})+[)）]"
)
# A markdown mark named as a thing: "add two ** before", "type ** on both sides", "wrap it
# in _ or __" (a stray "**" of an unclosed bold is not: "An ** open and **real** one").
_SHOWN_MARK = re.compile(
    r"\b(?:one|two|three|four|single|double|triple|add|adding|type|typing|put|use|using|with|"
    r"wrap|in|or|and|between|enclose)\s+[*_~`#]{1,3}(?=[\s.,;:)]|$)",
    re.I,
)
_MARK = re.compile(r"[*_~`#]")
_GLOSS_OPEN = " \t（(【["
_BRACKETS = frozenset("(（")


def explanation_reason(
    text: str, span: tuple[int, int], sentence: tuple[int, int], part: Part
) -> str | None:
    """Why the span ``text[span]`` in ``sentence`` is no term, by the rules above."""
    start, end = span
    word = text[start:end]
    if part.foreign or (not word.isascii() and is_foreign(word)):
        return FOREIGN
    c0, c1 = text[end : end + 1], text[end + 1 : end + 2]  # what the matches need first
    head = text[end + 1 : end + 4]
    if (
        c0.isspace()
        and (head.lower() in _DEFINING_HEADS or c1.isspace() or not head.isascii())
        and _DEFINING.match(text, end, sentence[1])
        and _defined_opens(text, start, sentence[0])
    ):
        return DEFINED
    if (c0 in _BRACKETS or (c0.isspace() and c1 in _BRACKETS)) and _EXAMPLES.match(
        text, end, sentence[1]
    ):
        return CATEGORY
    after = min(sentence[1], end + _NEAR)
    if word[-1] == "!" and any(ch.isalpha() for ch in text[end:after]):
        return EXCLAIMED
    before = max(sentence[0], start - _NEAR)
    if (
        _MARK.search(text, before, after)
        and _SHOWN_MARK.search(  # (_MARK: one scan)
            text[before:start] + " " + text[end:after]
        )
    ):
        return SYNTAX
    return None


def _defined_opens(text: str, start: int, sentence_start: int) -> bool:
    """Whether the span at ``start`` is what its sentence explains: only markers before
    it, or a " - ", ":" or ";" within _NEAR characters before it."""
    if start - sentence_start <= _NEAR and _ONLY_MARKERS.match(text, sentence_start, start):
        return True
    return _AFTER_DASH.match(text, max(sentence_start, start - _NEAR), start) is not None


def glosses(text: str, spans: list[tuple[int, int]]) -> dict[tuple[int, int], tuple[int, int]]:
    """Bold glosses in another script that follow a bold English term with only white
    space or an opening bracket between: each gloss span -> the stretch to cut from
    the sentence (from the term's end to the gloss's end, a closing bracket too)."""
    out: dict[tuple[int, int], tuple[int, int]] = {}
    if text.isascii():
        return out
    for (s0, e0), (s1, e1) in pairwise(spans):
        gloss = text[s1:e1]
        if gloss.isascii() or not is_foreign(gloss) or is_foreign(text[s0:e0]):
            continue
        if text[e0:s1].strip(_GLOSS_OPEN) or "\n" in text[e0:s1]:
            continue
        cut = e1
        if text[e0:s1].strip(" \t") and text[cut : cut + 1] in "）)】]":
            cut += 1
        out[(s1, e1)] = (e0, cut)
    return out


def follows_gloss(text: str, gloss: tuple[int, int], end: int) -> bool:
    """Whether English text follows the bold gloss of a line's first span
    (``**suspend** **中止** something above ground``): then the line is no entry."""
    rest = text[gloss[1] : end]
    return any("a" <= ch.lower() <= "z" for ch in rest[:40]) and not is_foreign(rest)


# "compete against each other: implies ...", "observed: to do things ...": a phrase
# that is not marked, a colon, then a definition (lower case: not a sentence).
_ENTRY_HEAD = re.compile(r"[a-z][\w'’ -]{0,40}?[:：]\s+(?=[a-z(])")


def entry_line(text: str, part: Part) -> bool:
    """A word-list line ``phrase: definition`` (the phrase at most five words, the
    definition opening in lower case) whose bold is not a term."""
    start = part.start
    near = min(start + 44, part.end)
    if text.find(":", start, near) < 0 and text.find("：", start, near) < 0:
        return False
    head = _ENTRY_HEAD.match(text, start, part.end)
    if head is None:
        return False
    name = head.group(0).rstrip().rstrip(":：").strip().lower()
    return len(name.split()) <= 5 and name not in EXAMPLE_WORDS


# Labels that open an example, not a definition ("example: she was **wary** of it").
EXAMPLE_WORDS = frozenset("example examples e.g eg sentence sentences usage use context ex".split())
