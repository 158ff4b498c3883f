"""British/US spelling variants of a word, tried when a dictionary lacks the word as written.

``spelling_variants`` is the fast version of ``spelling_variants_reference`` (the plain
loop over every rule, kept as the reference: tests/test_enrich_speed.py checks they yield
the same words in the same order). Most words a post bolds match no suffix rule: the fast
one looks the word's last 2..8 letters up in a table instead of trying 30 endings.
``any_variant_in`` answers only whether some variant is known (no order, no de-duplication):
the miss path of a look-up. It finds the endings by the word's last two letters and tries
each infix pattern once; tests/test_enrich_miss.py checks it against both generators
(and that it fails with an ending or a pattern left out).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

# British <-> US spelling rules: (British ending or infix, US one), tried both ways.
_SUFFIX_PAIRS = (
    ("ise", "ize"),
    ("ised", "ized"),
    ("ising", "izing"),
    ("ises", "izes"),
    ("isation", "ization"),
    ("isations", "izations"),
    ("yse", "yze"),
    ("ysed", "yzed"),
    ("ysing", "yzing"),
    ("our", "or"),
    ("ours", "ors"),
    ("re", "er"),
    ("res", "ers"),
    ("ogue", "og"),
    ("ence", "ense"),
)
_INFIX_PAIRS = (("our", "or"), ("oeu", "eu"), ("ae", "e"), ("oe", "e"), ("ll", "l"))


def spelling_variants_reference(word: str) -> Iterator[str]:
    """Yield British/US spellings of ``word`` (not ``word`` itself), most likely first."""
    seen = {word}
    for brit, us in _SUFFIX_PAIRS:
        for a, b in ((brit, us), (us, brit)):
            if word.endswith(a) and len(word) > len(a) + 2:
                cand = word[: -len(a)] + b
                if cand not in seen:
                    seen.add(cand)
                    yield cand
    yield from _infix_variants(word, seen)


# Both directions of every suffix pair, in the order the reference tries them.
_SUFFIX_RULES = tuple((a, b) for brit, us in _SUFFIX_PAIRS for a, b in ((brit, us), (us, brit)))
_BY_ENDING: dict[str, tuple[int, ...]] = {}
for _i, (_a, _) in enumerate(_SUFFIX_RULES):
    _BY_ENDING[_a] = (*_BY_ENDING.get(_a, ()), _i)
_LENGTHS = tuple(sorted({len(a) for a, _ in _SUFFIX_RULES}))
_LAST_LETTERS = frozenset(a[-1] for a, _ in _SUFFIX_RULES)
_INFIX_RULES = tuple((a, b) for brit, us in _INFIX_PAIRS for a, b in ((brit, us), (us, brit)))


def spelling_variants(word: str) -> Iterator[str]:
    """Yield British/US spellings of ``word`` (not ``word`` itself), most likely first."""
    seen = {word}
    size = len(word)
    if word[-1:] in _LAST_LETTERS:
        rules = sorted(i for n in _LENGTHS if size > n + 2 for i in _BY_ENDING.get(word[-n:], ()))
        for i in rules:
            a, b = _SUFFIX_RULES[i]
            cand = word[: -len(a)] + b
            if cand not in seen:
                seen.add(cand)
                yield cand
    yield from _infix_variants(word, seen)


def _infix_variants(word: str, seen: set[str]) -> Iterator[str]:
    """The variants of an infix pair (``colour`` -> ``color`` inside a word), in rule
    order, each not in ``seen`` (which they join). The same in both paths above: only
    the suffix rules have a fast path."""
    for a, b in _INFIX_RULES:
        at = word.find(a, 1)
        if at > 0:
            cand = word[:at] + b + word[at + len(a) :]
            if cand not in seen:
                seen.add(cand)
                yield cand


# Ending -> the replacements of its rules (the order does not matter for ``any_variant_in``).
_REPLACEMENTS: dict[str, tuple[str, ...]] = {
    ending: tuple(_SUFFIX_RULES[i][1] for i in rules) for ending, rules in _BY_ENDING.items()
}
# The endings by their last two letters (every ending has two or more), each as (its length
# plus 2, the ending, its replacements): a word whose last two letters end no ending, most
# words, has no suffix variant, found by one dict look-up.
_BY_TAIL: dict[str, tuple[tuple[int, str, tuple[str, ...]], ...]] = {}
for _ending, _repls in _REPLACEMENTS.items():
    _BY_TAIL[_ending[-2:]] = (*_BY_TAIL.get(_ending[-2:], ()), (len(_ending) + 2, _ending, _repls))
# Each infix pattern once (``e`` has two rules), with its length and replacements.
_INFIXES: dict[str, tuple[str, ...]] = {}
for _a, _b in _INFIX_RULES:
    _INFIXES[_a] = (*_INFIXES.get(_a, ()), _b)
_BY_INFIX = tuple((a, len(a), repls) for a, repls in _INFIXES.items())


def any_variant_in(word: str, has: Callable[[str], bool]) -> bool:
    """Whether ``has`` is true of some word ``spelling_variants(word)`` yields (or of ``word``)."""
    endings = _BY_TAIL.get(word[-2:])
    if endings is not None:
        size = len(word)
        for least, ending, repls in endings:
            if size > least and word.endswith(ending):
                head = word[: 2 - least]
                for b in repls:
                    if has(head + b):
                        return True
    find = word.find
    for a, n, repls in _BY_INFIX:
        if a in word:  # cheaper than find() for the patterns a word lacks, most of them
            at = find(a, 1)
            if at > 0:
                head, tail = word[:at], word[at + n :]
                for b in repls:
                    if has(head + b + tail):
                        return True
    return False
