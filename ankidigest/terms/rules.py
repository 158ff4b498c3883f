"""Rules for one marked span in its sentence: is it a term, or why not?

Shared text helpers for the paragraph analysis live here too (``within``,
``containing``, ``ends_sentence``, ``WORD``, ``STRIP``).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from ankidigest.terms.explanations import explanation_reason
from ankidigest.terms.reasons import (
    CROSSES,
    DEFINITION,
    EMPHASIS,
    EMPTY,
    FRAGMENT,
    LABEL,
    META,
    NO_WORD,
    PATTERN,
    WHOLE_SENTENCE,
    WORD_LIST,
)
from ankidigest.terms.translation import Part

# "What is the opposite of **x**?", "What does **x** mean?", "the word **x** means"
_META = re.compile(
    r"(?:opposite|meaning|synonym|antonym|definition|spelling|pronunciation|plural|past tense)s?"
    r"\s+of\s+(?:(?:the\s+)?(?:word|phrase|term|expression|idiom|verb|noun|adjective|adverb)"
    r"\s+)?[\"'“‘]?$|\bhow\s+(?:do|to)\s+(?:you\s+)?(?:say|spell|pronounce|use)\s+[\"'“‘]?$",
    re.I,
)
_META_WORD = re.compile(r"\b(?:word|phrase|term|expression|idiom|does|did)\s+[\"'“‘]?$", re.I)
_META_AFTER = re.compile(r"^[\"'”’]?\s+(?:mean|means|meant|stand for|stands for)\b", re.I)
# Speed: _META and _META_WORD only match text ending in one of these words (then white
# space and an optional quote), so most spans skip both searches; see _may_be_meta.
_META_ENDS = tuple(
    "of say spell pronounce use word phrase term expression idiom does did verb noun adjective"
    " adverb".split()
)
_QUOTES = "\"'“‘"
_BRACKETED = re.compile(r"/[^/\n]*/|\[[^\]\n]*\]|\([^)\n]*\)|（[^）\n]*）")
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_CJK_WORDS = re.compile(r"[\u3040-\u9fff\uac00-\ud7af]{2,}")
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]{2,}")
_ENDS_SENTENCE = re.compile(r"""[.!?…。！？][\"'”’»)\]」』）]*\s*$""")
STRIP = " \t\n.,;:!?…-–—*•·()[]\"'“”‘’「」（）：，。！？"
_PATTERN_WORDS = frozenset("sb sth sb's sth's smb smth sb. sth. somebody's".split())
# Learners bold these for emphasis ("do **not** ...", "write **five** sentences").
_EMPHASIS = frozenset(
    """a an the and or but not no nor never always all any every each only also very too must
    do does did don't doesn't didn't is are was were be can can't cannot should shouldn't will
    won't this that these those it i you he she we they me him her us them my your his our their
    here there now then before after first last next one two three four five six seven eight
    nine ten both either neither more most less least same other""".split()
)


_INF = float("inf")


def within(spans: list[tuple[int, int]], part: Part) -> list[tuple[int, int]]:
    """The (sorted) spans starting inside ``part``."""
    return spans[bisect_left(spans, (part.start, -1)) : bisect_left(spans, (part.end, -1))]


def containing(ranges: list[tuple[int, int]], offset: int) -> tuple[int, int] | None:
    """The range of sorted, disjoint ``ranges`` holding ``offset``."""
    i = bisect_right(ranges, (offset, _INF)) - 1
    return ranges[i] if i >= 0 and ranges[i][0] <= offset < ranges[i][1] else None


def _part_of(parts: list[Part], offset: int) -> Part:
    if len(parts) == 1:  # most paragraphs: what the search below would give
        return parts[0]
    i = bisect_right(parts, offset, key=lambda p: p.start) - 1
    return parts[max(i, 0)]


def _may_be_meta(before: str) -> bool:
    """False only when neither _META nor _META_WORD can match ``before``: both end in one
    of _META_ENDS, white space, an optional quote and the end (or a last "\\n").

    Why not just search: this runs for every span and the searches try each of up to 80
    offsets. A tail with a non-ASCII character is left to the searches, since re.I
    matches "s" to "ſ" and "k" to the Kelvin sign.
    """
    tail = before.rstrip()
    if tail[-1:] in _QUOTES:
        tail = tail[:-1].rstrip()
    last = tail[-10:]  # the longest word of _META_ENDS ("expression") fits
    return not last.isascii() or last.lower().endswith(_META_ENDS)


def _has_pattern_mark(word: str) -> bool:
    return "..." in word or "…" in word or "+" in word or "~" in word


def ends_sentence(text: str) -> bool:
    return bool(_ENDS_SENTENCE.search(text.rstrip()[-12:]))


def term_reason(
    text: str,
    span: tuple[int, int],
    sentences: list[tuple[int, int]],
    parts: list[Part],
    spans: list[tuple[int, int]],
    lists: dict[tuple[int, int], bool],
) -> str | None:
    word = text[span[0] : span[1]]
    if not word[:1].isalpha():  # (a word opening with a letter passes both tests)
        if not any(ch.isalnum() for ch in word):
            return EMPTY
        if not any(ch.isalpha() for ch in word):
            return NO_WORD
    if word.rstrip().endswith((":", "：")):
        return LABEL
    tokens = word.lower().replace("/", " ").split()
    if len(tokens) == 1 and (tokens[0].strip(STRIP) in _EMPHASIS or tokens[0].isdigit()):
        return EMPHASIS
    if not _PATTERN_WORDS.isdisjoint(tokens) or _has_pattern_mark(word):
        return PATTERN
    sentence = containing(sentences, span[0])
    if sentence is None:
        return DEFINITION
    if span[1] > sentence[1]:
        return CROSSES
    if len(word) * 2 + 8 > sentence[1] - sentence[0] and word.strip(STRIP) == text[
        sentence[0] : sentence[1]
    ].strip(STRIP):
        return WHOLE_SENTENCE
    before = text[max(sentence[0], span[0] - 80) : span[0]]
    if _may_be_meta(before) and (
        _META.search(before)
        or (_META_WORD.search(before) and _META_AFTER.match(text[span[1] : sentence[1]]))
    ):
        return META
    part = _part_of(parts, span[0])
    reason = explanation_reason(text, span, sentence, part)
    if reason:
        return reason
    if sentence not in lists:
        lists[sentence] = _word_list(text, part, spans)
    if lists[sentence]:
        return WORD_LIST
    if sentence[1] - sentence[0] <= 60 and _fragment(text, sentence):  # (its first test)
        return FRAGMENT
    return None


_EDGE = ' \t\n,;:!?—–"“”()（），。；：！？«»[]【】'


def trim(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """The span without punctuation at its edges ("**adamant,**" -> "adamant")."""
    start, end = span
    while start < end and text[start] in _EDGE:
        start += 1
    while end > start and text[end - 1] in _EDGE:
        end -= 1
    return (start, end) if end > start else span


def _fragment(text: str, sentence: tuple[int, int]) -> bool:
    """ "**heavy** rain / **strong** wind": short collocations given as alternatives (no
    capital, no full stop, a "/"). One fragment ("bring out your **mutinous** side") is
    an example of the word, a card."""
    if sentence[1] - sentence[0] > 60:
        return False
    words = text[sentence[0] : sentence[1]]
    if "/" not in words or ends_sentence(words) or not words[:1].islower():
        return False
    return len(WORD.findall(words)) <= 5


def _word_list(text: str, part: Part, spans: list[tuple[int, int]]) -> bool:
    """A line of bold words and separators ("**abandon**, **desert**"), not a sentence."""
    if ends_sentence(text[part.start : part.end]):
        return False
    rest, pos = [], part.start
    for s, e in within(spans, part):
        rest.append(text[pos:s])
        pos = max(pos, e)
    rest.append(text[pos : part.end])
    rest_text = _BRACKETED.sub(" ", " ".join(rest))
    return len(_LATIN_WORD.findall(rest_text)) < 2 and not _CJK_WORDS.search(rest_text)
