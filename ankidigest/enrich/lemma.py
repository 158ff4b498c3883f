"""Lemmas from the dictionary itself: ECDICT's ``exchange`` links plus suffix rules.

Order: a fixed phrase as written; a phrasal verb (lemmatise the verb, keep the particles);
the ``0:`` link of the form's own entry; suffix rules whose candidate the dictionary knows,
preferring one whose ``exchange`` lists the form. The spelling of the written form is kept
(``acclimatising`` -> ``acclimatise``), even when only the US spelling has an entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .dictionary import Lookup, spelling_variants
from .entry import Entry
from .spelling import any_variant_in

PARTICLES = frozenset(
    "up off on down out in away back over through around about along forward apart "
    "aside together round by across".split()
)

# (suffix, replacement, form kind as ECDICT's exchange names it)
_RULES = (
    ("ies", "y", "s3"),
    ("ves", "f", "s"),
    ("ves", "fe", "s"),
    ("ses", "s", "s3"),
    ("xes", "x", "s3"),
    ("ches", "ch", "s3"),
    ("shes", "sh", "s3"),
    ("oes", "o", "s3"),
    ("s", "", "s3"),
    ("ied", "y", "pd"),
    ("ed", "e", "pd"),
    ("ed", "", "pd"),
    ("ing", "e", "i"),
    ("ing", "", "i"),
    ("ier", "y", "r"),
    ("er", "e", "r"),
    ("er", "", "r"),
    ("iest", "y", "t"),
    ("est", "e", "t"),
    ("est", "", "t"),
)
_VOWELS = frozenset("aeiou")


@dataclass(frozen=True)
class Lemma:
    """A lemma, the entry of the form as written and the entry of the lemma."""

    lemma: str
    form_entry: Entry | None
    entry: Entry | None
    kinds: str = ""  # exchange form kinds of the written form: p d i 3 s r t


# The rules by the last letter of their suffix (each group in ``_RULES``'s order, which
# already keeps one letter's rules together): a word ending in another letter has none.
_BY_LAST: dict[str, tuple[tuple[str, str, str], ...]] = {}
for _rule in _RULES:
    _BY_LAST[_rule[0][-1]] = (*_BY_LAST.get(_rule[0][-1], ()), _rule)


def _candidates(word: str) -> Iterator[tuple[str, str]]:
    """Suffix-rule lemma candidates of ``word``, as ``_candidates_reference`` yields them:
    only the rules whose suffix ends in the word's last letter are tried."""
    return _candidates_by(word, _BY_LAST.get(word[-1:], ()))


def _candidates_reference(word: str) -> Iterator[tuple[str, str]]:
    return _candidates_by(word, _RULES)


def _candidates_by(word: str, rules: tuple[tuple[str, str, str], ...]) -> Iterator[tuple[str, str]]:
    for suffix, repl, kind in rules:
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            stem = word[: -len(suffix)]
            if suffix == "s" and stem.endswith(("s", "u", "i")):
                continue
            yield stem + repl, kind
            if repl == "" and len(stem) >= 3 and stem[-1] == stem[-2] and stem[-1] not in _VOWELS:
                yield stem[:-1], kind  # stemmed -> stem, travelled -> travel


def _lists_form(entry: Entry, word: str) -> bool:
    return any(v.lower() == word for k, v in entry.exchange if k not in ("0", "1"))


def lemmatise_word(word: str, lookup: Lookup) -> Lemma:
    """Lemma of one word (lower-cased on the way in).

    A word neither of whose forms (as written, each suffix candidate) nor their spelling
    variants any dictionary has is answered by set look-ups alone (``known_form``);
    anything else takes ``lemmatise_word_reference``, the answer in both cases
    (tests/test_enrich_miss.py).
    """
    low = word.lower()
    has = lookup.membership()
    if has is not None and not known_form(low, has):
        return Lemma(low, None, None, "")
    return lemmatise_word_reference(word, lookup)


def known_form(low: str, has: Callable[[str], bool]) -> bool:
    """Whether ``has`` (a ``Lookup.membership``) is true of some form of the lower-case word
    ``low`` that ``lemmatise_word_reference`` looks up when it finds nothing: the word, its
    spelling variants, each suffix candidate and their variants. False: no entry at all."""
    if has(low) or any_variant_in(low, has):
        return True
    rules = _BY_LAST.get(low[-1:])
    if rules is None:  # no candidate (``_candidates``), and no generator made to say so
        return False
    for cand, _ in _candidates_by(low, rules):  # noqa: SIM110 (a loop: no second generator)
        if has(cand) or any_variant_in(cand, has):
            return True
    return False


def lemmatise_word_reference(word: str, lookup: Lookup) -> Lemma:
    """Lemma of one word, every form looked up (``lemmatise_word``'s reference)."""
    low = word.lower()
    form = lookup.exact(low)
    if form is not None:
        kinds = "".join(form.forms("1"))
        for target in form.forms("0"):
            target_low = target.lower()
            if target_low == low:
                return Lemma(form.word, form, form, kinds)
            entry = lookup.find(target_low)
            if entry is not None and (_lists_form(entry, low) or entry.core):
                return Lemma(target_low, form, entry, kinds)
        if form.core or (form.redirect is None and not any(True for _ in _candidates(low))):
            return Lemma(form.word, form, form, "")
    found: list[tuple[str, Entry, str]] = []
    for cand, kind in _candidates(low):
        entry = lookup.find(cand)
        if entry is None:
            continue
        if _lists_form(entry, low) or any(_lists_form(entry, v) for v in spelling_variants(low)):
            return Lemma(cand, form, entry, kind)
        found.append((cand, entry, kind))
    if form is not None:
        return Lemma(form.word, form, form, "")
    if found:
        cand, entry, kind = found[0]
        return Lemma(cand, None, entry, kind)
    return Lemma(low, None, lookup.find(low), "")


def unknown(term: str, lookup: Lookup) -> bool:
    """True only when ``lemmatise(term, lookup)`` has neither entry, answered by set
    look-ups alone (the engine's miss path; tests/test_enrich_cache.py and
    tests/test_enrich_miss.py check it): a word by ``known_form``, a phrase that is no
    phrasal verb by its own key."""
    words = term.lower().split()  # lemmatise's words, each lower-cased
    if len(words) == 1:
        has = lookup.membership()
        return has is not None and not known_form(words[0], has)
    if not words or PARTICLES.issuperset(words[1:]):
        return False
    has = lookup.membership()
    return has is not None and not has(" ".join(words))


def lemmatise(term: str, lookup: Lookup) -> Lemma:
    """Lemma of a bold term: a word, a phrasal verb or a fixed phrase."""
    text = " ".join(term.split())
    words = text.split(" ")
    if len(words) == 1:
        return lemmatise_word(text, lookup)
    whole = lookup.exact(text.lower())
    if all(w.lower() in PARTICLES for w in words[1:]):
        head = lemmatise_word(words[0], lookup)
        phrase = " ".join([head.lemma, *(w.lower() for w in words[1:])])
        entry = lookup.exact(phrase)
        if entry is not None or whole is None:
            return Lemma(phrase, whole, entry or head.entry, head.kinds)
    return Lemma(text if whole is None else whole.word, whole, whole)
