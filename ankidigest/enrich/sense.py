"""Part of speech from the words around a term, and the senses ordered to fit it.

No tagger: a handful of cues that hold in news prose. The word before the term (``to``, a
modal, a pronoun -> verb; a determiner, a possessive, a preposition -> noun or, before
another content word, adjective), the inflection of the form as written, ``-ly``. The
Chinese line of that part of speech comes first, taken from the entry of the form as
written when it has one (``vetted`` 审查), else from the lemma's; inside a line, a verb
gloss that only repeats the noun (``stem`` vt. 摘掉茎) goes behind the others.
"""

from __future__ import annotations

import re

from .entry import ADJ, ADV, NOUN, OTHER, VERB, Entry, Sense
from .rerank import Bridge, order_items, sentence_words

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_MODALS = frozenset("will would can could may might must shall should cannot can't won't".split())
_SUBJECTS = frozenset("i you we they he she it who which that".split())
_BE = frozenset("be is are was were been being am become became becomes remain".split())
_HAVE = frozenset("has have had having".split())
_DETERMINERS = frozenset(
    "the a an this that these those its his her their our my your some any no each every "
    "another other such much many more most few several all both".split()
)
_PREPOSITIONS = frozenset(
    "of in on at for with by from into onto about over under between against among "
    "without within through during towards toward via per like as".split()
)
_NOT_CONTENT = (
    _PREPOSITIONS
    | _MODALS
    | _BE
    | _HAVE
    | frozenset("to and or but that which who than then so if when while because".split())
)
_GRAMMAR = r"(?:过去|现在|复数|第三人称|比较|最高|进行时|变形|分词)"
_GRAMMAR_NOTE = re.compile(r"\s*[(（][^()（）]*的[^()（）]*" + _GRAMMAR + r"[^()（）]*[)）]")
_GRAMMAR_ITEM = re.compile(r"^[^,，;；]*的[^,，;；]*" + _GRAMMAR + r"[^,，;；]*$")
_SKIP = frozenset("also not never just still even further then already now often thus".split())
_ADJ_SUFFIXES = ("able", "ible", "ous", "ive", "ful", "less", "ic", "ical", "ary", "ory")
_SPLIT = re.compile(r"\s*[,，;；]\s*")


def _skippable(word: str) -> bool:
    low = word.lower()
    return low in _SKIP or (low.endswith("ly") and len(low) > 4 and low not in ("only", "early"))


def _prev_next_reference(sentence: str, start: int, end: int) -> tuple[list[str], str, bool]:
    """The two words before the term (lower-case, adverbs skipped), the word after it and
    whether the word before is capitalised (not the sentence's first): the plain way,
    every word before the term read (``_prev_next``'s reference)."""
    before = [w for w in _WORD.findall(sentence[:start]) if not _skippable(w)]
    after = _WORD.match(sentence[end:].lstrip(" "))
    gap = sentence[end : end + 1]
    nxt = after.group(0).lower() if after and gap.isspace() else ""
    prev_cap = bool(before) and before[-1][:1].isupper() and len(before) > 1
    return [w.lower().replace("’", "'") for w in before[-2:]], nxt, prev_cap


_WINDOW = 48  # characters before the term read first; doubled until two words are found


def _prev_next(sentence: str, start: int, end: int) -> tuple[list[str], str, bool]:
    """``_prev_next_reference``, reading only the end of the text before the term: the
    words of the last ``_WINDOW`` characters, from the last back, until two are not
    skippable. The window's first word may be cut, so it is not used unless the window
    starts the sentence; every later word is a whole word of the sentence (a word runs to
    the first character that cannot continue it, wherever its scan began), so the two
    found are the reference's two last (tests/test_enrich_context.py compares them)."""
    size = _WINDOW
    while True:
        lo = start - size if start > size else 0
        words = _WORD.findall(sentence, lo, start)
        first = 0 if lo == 0 else 1
        found: list[str] = []
        for i in range(len(words) - 1, first - 1, -1):
            if not _skippable(words[i]):
                found.append(words[i])
                if len(found) == 2:
                    break
        if len(found) == 2 or lo == 0:
            break
        size *= 2
    at = end
    n = len(sentence)
    while at < n and sentence[at] == " ":
        at += 1
    after = _WORD.match(sentence, at)
    nxt = after.group(0).lower() if after and sentence[end : end + 1].isspace() else ""
    # the reference's len(before) > 1: two found (or the sentence has two such words)
    prev_cap = len(found) == 2 and found[0][:1].isupper()
    return [w.lower().replace("’", "'") for w in reversed(found)], nxt, prev_cap


def context_pos(
    term: str, sentence: str, start: int, end: int, kinds: str, has: frozenset[str]
) -> tuple[str, ...]:
    """Parts of speech the term most likely has in ``sentence``, best first."""
    word = term.lower()
    prev, nxt, prev_cap = _prev_next(sentence, start, end)
    p1 = prev[-1] if prev else ""
    p2 = prev[-2] if len(prev) > 1 else ""
    possessive = p1.endswith("'s") or p1.endswith("'")
    attributive = p1 in _DETERMINERS or p1 in _PREPOSITIONS or possessive or p1.endswith("ly")
    before_content = bool(nxt) and nxt not in _NOT_CONTENT and nxt not in _DETERMINERS
    past = "p" in kinds or "d" in kinds or word.endswith("ed")
    ing = "i" in kinds or word.endswith("ing")
    plural = "s" in kinds or "3" in kinds or (word.endswith("s") and not word.endswith("ss"))

    if word.endswith("ly") and ADV in has:
        order: tuple[str, ...] = (ADV, ADJ)
    elif p1 in _MODALS or (p1 in ("not", "n't") and p2 in _MODALS):
        order = (VERB, ADJ) if past else (VERB,)
    elif p1 == "to" and not (past or ing or plural):
        order = (VERB, NOUN)
    elif past and p1 in _BE and nxt in ("by", "against"):
        order = (VERB, ADJ)  # a passive with its agent or place: "be pitted against"
    elif past:
        if p1 in _BE or p1 in _DETERMINERS or possessive or (attributive and before_content):
            order = (ADJ, VERB)
        else:
            order = (VERB, ADJ)
    elif ing:
        if p1 in _BE or p1 in _HAVE:
            order = (VERB, ADJ, NOUN)
        elif p1 in _PREPOSITIONS:
            order = (VERB, NOUN, ADJ)  # a gerund: "of waging war"
        elif attributive:
            order = (ADJ, VERB, NOUN) if before_content else (NOUN, ADJ, VERB)
        elif before_content and p1.endswith("ed") and p2 not in _BE | _HAVE:
            order = (
                NOUN,
                ADJ,
                VERB,
            )  # after a modifier, before a noun: "increased bargaining power"
        else:
            order = (VERB, NOUN, ADJ)
    elif plural and (p1 in _SUBJECTS or prev_cap or nxt in _DETERMINERS) and p1 not in _DETERMINERS:
        order = (VERB, NOUN)
    elif plural and p1 not in _BE:
        order = (NOUN, VERB)
    elif word.endswith(_ADJ_SUFFIXES) and ADJ in has:
        order = (ADJ, NOUN)
    elif p1 in _SUBJECTS and p1 not in ("that", "which", "who", "it"):
        order = (VERB, NOUN, ADJ)
    elif attributive or p1 in _BE or not p1:
        order = (ADJ, NOUN) if before_content or p1 in _BE else (NOUN, ADJ)
    else:
        order = (NOUN, ADJ, VERB) if not before_content else (ADJ, NOUN, VERB)
    return tuple(p for p in order if p in has) + tuple(
        p for p in (VERB, NOUN, ADJ, ADV) if p in has and p not in order
    )


def available_pos(*entries: Entry | None) -> frozenset[str]:
    found: set[str] = set()
    for entry in entries:
        if entry is not None:
            found.update(s.pos for s in entry.translations if s.pos and s.pos != OTHER)
            found.update(s.pos for s in entry.definitions if s.pos)
    return frozenset(found)


_ITEMS: dict[str, tuple[str, ...]] = {}  # line -> _line_items(line): it reads nothing else


def _items(sense: Sense) -> list[str]:
    found = _ITEMS.get(sense.text)
    if found is None:
        found = _ITEMS[sense.text] = tuple(_line_items(sense.text))
    return list(found)


def _line_items(line: str) -> list[str]:
    """The glosses of one Chinese line, its grammar notes dropped."""
    text = _GRAMMAR_NOTE.sub("", line)
    items = [i.strip() for i in _SPLIT.split(text) if i.strip().strip("()（）")]
    return [i for i in items if not _GRAMMAR_ITEM.match(i)]


def _noun_chars(entry: Entry) -> set[str]:
    chars: set[str] = set()
    for sense in entry.translations:
        if sense.pos == NOUN:
            for item in _items(sense):
                chars.update(c for c in item if "\u4e00" <= c <= "\u9fff")
    return chars


def _ordered_items(
    sense: Sense,
    entry: Entry,
    limit: int,
    bridge: Bridge | None = None,
    sentence: str = "",
    senses: Entry | None = None,
) -> list[str]:
    items = order_items(_items(sense), sense.pos, [senses or entry], bridge, sentence)
    if sense.pos == VERB:
        nouns = _noun_chars(entry)
        literal = [i for i in items if nouns and any(c in nouns for c in i)]
        items = [i for i in items if i not in literal] + literal
    return items[:limit]


def _mislabelled(sense: Sense) -> bool:
    """A noun line all of whose items are adjectives or adverbs (``mercenaries`` n. 雇用的,
    为钱的, 雇用地): ECDICT's label is wrong, another entry's noun line is the noun."""
    return sense.pos == NOUN and all(i.endswith(("的", "地")) for i in _items(sense))


def _usable(sense: Sense) -> bool:
    return not sense.is_redirect and sense.label != "abbr."


def choose_glosses(
    order: tuple[str, ...],
    form: Entry | None,
    lemma: Entry | None,
    lines: int = 3,
    items: int = 4,
    bridge: Bridge | None = None,
    sentence: str = "",
) -> tuple[str, str | None]:
    """Chinese gloss lines, the fitting one first, and the part of speech it has."""
    picked: list[tuple[Sense, Entry]] = []
    sources = [e for e in (form, lemma) if e is not None]
    for pos in order:
        for entry in sources:
            sense = next(
                (
                    s
                    for s in entry.translations
                    if s.pos == pos and _usable(s) and _items(s) and not _mislabelled(s)
                ),
                None,
            )
            if sense is not None:
                picked.append((sense, entry))
                break
    for entry in sources:
        for sense in entry.translations:
            if _usable(sense) and _items(sense) and all(sense.text != s.text for s, _ in picked):
                picked.append((sense, entry))
    out: list[str] = []
    for sense, entry in picked:
        senses = lemma if lemma is not None and lemma.definitions else entry
        text = ", ".join(_ordered_items(sense, entry, items, bridge, sentence, senses))
        line = f"{sense.label} {text}".strip() if text else ""
        if line and line not in out:
            out.append(line)
        if len(out) >= lines:
            break
    first_pos = picked[0][0].pos if picked else None
    return "\n".join(out), first_pos


def context_key(
    order: tuple[str, ...],
    sentence: str,
    definition_words: frozenset[str],
    words: frozenset[str] | None = None,
) -> tuple[object, ...]:
    """All that ``choose_glosses(order, ..., sentence=sentence)`` reads from the sentence:
    ``order`` (``context_pos``'s answer) and the sentence's words that are among the
    entries' ``rerank.definition_words`` (the Lesk overlap); ``words``: the sentence's
    ``sentence_words``, when known. The engine caches the answer under this key, so
    anything the ranking reads from the sentence must be in it: a new context signal in
    ``choose_glosses``/``order_items`` adds its part here, or a cached answer of another
    sentence is wrong (tests/test_enrich_cache.py compares with the uncached engine).
    """
    if words is None:
        words = sentence_words(sentence)
    return order, words & definition_words


def choose_definitions(pos: str | None, *entries: Entry | None, lines: int = 3) -> str:
    """English definitions, those of ``pos`` first."""
    senses: list[Sense] = []
    for entry in entries:  # the first entry with a definition of ``pos``, else any
        if entry is not None and any(s.pos == pos for s in entry.definitions):
            senses = list(entry.definitions)
            break
    if not senses:
        senses = next((list(e.definitions) for e in entries if e and e.definitions), [])
    senses.sort(key=lambda s: s.pos != pos)
    out: list[str] = []
    for sense in senses[:lines]:
        label = {NOUN: "n.", VERB: "v.", ADJ: "adj.", ADV: "adv."}.get(sense.pos or "", "")
        out.append(f"{label} {sense.text}".strip())
    return "\n".join(out)
