"""Re-rank the Chinese glosses inside one part of speech's line by the English senses.

ECDICT's Chinese items are often in an order that puts a rare or literal sense first
(shatter vt. 打碎, 使散开, ...; stem vt. 摘掉茎, ...). Its English definitions (WordNet-like)
tell which senses the word has; the dictionary itself bridges the two languages: an item
that shares characters with the Chinese of the words a definition is made of (``break into
many pieces`` -> break 打破, piece 片, 块) is a sense the definition names. Each item is
scored by that support, the definitions weighted by their order and, more, by how many
words they share with the sentence (a Lesk overlap); items keep ECDICT's order when no
definition supports one more than another. Only an unsupported first item gives way, and
only to an item with clear support (``MIN_SUPPORT``: one whole sense's worth, e.g. the
first definition naming all of the item's characters): the bridge is noisy, ECDICT's order
is right more often than not. A taxonomic item (``苜蓿属植物``, a genus of plants) is never
the sense of a news sentence while the line has another: it goes last. A first item that
paraphrases (``划线于…下``; ``渠`` beside ``沟渠``) gives way to the line's words: a learner
needs the equivalent word, the frame stays on the line.
Deterministic; the entries looked up are cached by the dictionaries.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from .entry import Entry, Sense

_WORD = re.compile(r"[a-z]+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
MIN_SUPPORT = 1.0
# Function characters that say nothing about a sense.
_LIGHT = frozenset("的地得使之者性化被于把人物了等一个们所以为其有某事行可")
_STOP = frozenset(
    """a an the of or and to in on at for with by from into as is are be been being that
    this these those which who whom whose it its their his her them they one ones some any
    something someone somebody especially usually often very more most much many not no
    such than so out up down off over about cause make become having give get take put
    used use manner way state act quality person thing things having being""".split()
)
Find = Callable[[str], Entry | None]


_TAXON = re.compile(r"(?:[属科目纲](?:植物|动物)|^\[[植动]\])")


def _taxon_last(items: list[str]) -> list[str]:
    if not any("物" in i or i[:1] == "[" for i in items):
        return items  # the common case: one cheap scan
    plain = [i for i in items if not _TAXON.search(i)]
    return plain + [i for i in items if _TAXON.search(i)] if plain else items


_NOTE = re.compile(r"[（(][^（）()]*[）)]")
_FRAME = ("…", "..", "某")  # a gap, or "someone/something" (某人, 某事)


def _is_paraphrase(item: str, items: Sequence[str]) -> bool:
    """An item that describes rather than translates: a frame with a gap (``划线于…下``,
    ``把...归于``, ``认为某事属于某人``), or one bare character that another item of the
    line holds in a word (``渠`` beside ``沟渠``: the same sense, said unambiguously)."""
    bare = _NOTE.sub("", item)  # 审查（某人过去的记录）: the note does not make a frame
    if any(mark in bare for mark in _FRAME):
        return True
    chars = _CJK.findall(item)
    return len(chars) == 1 and any(chars[0] in other and other != item for other in items)


def _lexical_first(items: list[str]) -> list[str]:
    """A first item that is a paraphrase gives way to the words of the line (stable)."""
    if not items or not _is_paraphrase(items[0], items):
        return items
    plain = [i for i in items if not _is_paraphrase(i, items)]
    if not plain:
        return items
    return plain + [i for i in items if i not in plain]


def _core(item: str) -> frozenset[str]:
    return frozenset(_CJK.findall(item)) - _LIGHT


def _stem(word: str) -> str:
    return word[:5]


class Bridge:
    """Chinese characters of an English word's translations, by word (cached)."""

    def __init__(self, find: Find) -> None:
        self.find = find
        self._chars: dict[str, frozenset[str]] = {}
        self._definitions: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {}

    def chars(self, word: str) -> frozenset[str]:
        found = self._chars.get(word)
        if found is None:
            entry = self.find(word)
            text = " ".join(s.text for s in entry.translations) if entry is not None else ""
            found = self._chars[word] = _core(text)
        return found

    def definition(self, sense: Sense) -> tuple[tuple[str, ...], frozenset[str]]:
        """What ``order_items`` takes from one English definition, whatever the sentence:
        the stems of its distinct words and the ``chars`` of its first six (cached)."""
        found = self._definitions.get(sense.text)
        if found is None:
            words = _sense_words(sense)
            chars: frozenset[str] = frozenset().union(*(self.chars(w) for w in words[:6]))
            found = self._definitions[sense.text] = (tuple(_stem(w) for w in set(words)), chars)
        return found


def sentence_words_reference(sentence: str) -> frozenset[str]:
    """All ``order_items`` reads from the sentence: the stems of its words (a Lesk context)."""
    return frozenset(_stem(w) for w in _WORD.findall(sentence.lower()) if w not in _STOP)


# The last sentence asked for and its words: the engine asks for a sentence's words, then
# ``order_items`` asks again for each gloss line it ranks (one tuple, replaced whole, so a
# thread reads a sentence with its own words).
_LAST: tuple[str, frozenset[str]] = ("", sentence_words_reference(""))


def sentence_words(sentence: str) -> frozenset[str]:
    """``sentence_words_reference(sentence)``, kept for the next call with that sentence."""
    global _LAST
    last = _LAST
    if last[0] is sentence or last[0] == sentence:
        return last[1]
    words = sentence_words_reference(sentence)
    _LAST = (sentence, words)
    return words


def _sense_words(sense: Sense) -> list[str]:
    return [w for w in _WORD.findall(sense.text.lower()) if w not in _STOP and len(w) > 2]


def definition_words(entries: Sequence[Entry | None]) -> frozenset[str]:
    """The stems ``order_items`` looks for in ``sentence_words``, over every definition of
    ``entries``: only these words of a sentence can change its answer."""
    return frozenset(
        _stem(w) for e in entries if e is not None for d in e.definitions for w in _sense_words(d)
    )


def order_items(
    items: Sequence[str],
    pos: str | None,
    entries: Sequence[Entry],
    bridge: Bridge | None,
    sentence: str = "",
) -> list[str]:
    """``items`` (one line of one part of speech), the best-supported sense first."""
    if len(items) < 2:
        return list(items)
    items = _taxon_last(list(items))
    support = [0.0] * len(items)
    if bridge is not None:
        defs: list[Sense] = []
        for entry in entries:
            defs += [d for d in entry.definitions if d.pos == pos or d.pos is None]
        context = sentence_words(sentence)
        cores = [_core(i) for i in items]
        for rank, sense in enumerate(defs[:6]):
            stems, chars = bridge.definition(sense)
            lesk = sum(1 for stem in stems if stem in context)
            weight = (1.0 + lesk) / (1.0 + rank)
            for k, core in enumerate(cores):
                if core and core & chars:
                    support[k] += weight * len(core & chars) / len(core)
    best = max(range(len(items)), key=lambda k: (support[k], -k))
    if support[0] > 0 or support[best] < MIN_SUPPORT:
        return _lexical_first(items)  # ECDICT's first item has support, or none beats it
    return _lexical_first([items[best]] + [item for k, item in enumerate(items) if k != best])
