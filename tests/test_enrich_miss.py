"""The miss path (set look-ups before any entry is built) against the reference path.

``lemma.lemmatise_word`` answers a word no form of which any dictionary has without looking
anything up; ``lemmatise_word_reference`` looks every form up. ``_candidates`` (rules by the
last letter) against ``_candidates_reference``; ``spelling.any_variant_in`` against
``spelling_variants`` and ``spelling_variants_reference``; ``lemma.unknown`` (the engine's
miss test, by ``known_form`` for a word) against ``lemmatise_word_reference``. Checked on
the post's terms, dictionary keys with their inflections and spelling variants, the
benchmark corpus's nonsense words and 5,000 generated words; the last tests break the
fast tables and check the comparison then fails.
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from ankidigest.enrich import Enricher, spelling
from ankidigest.enrich.dictionary import Lookup, MemoryDictionary, embedded
from ankidigest.enrich.entry import Entry
from ankidigest.enrich.lemma import (
    _candidates,
    _candidates_reference,
    lemmatise,
    lemmatise_word,
    lemmatise_word_reference,
    unknown,
)
from ankidigest.enrich.spelling import (
    any_variant_in,
    spelling_variants,
    spelling_variants_reference,
)

ROOT = Path(__file__).resolve().parent.parent
LABELS = ROOT / "benchmarks" / "enrich_labels.json"
_ENDINGS = ("s", "es", "ies", "ed", "d", "ied", "ing", "er", "ier", "est", "iest", "ly")


def _generated(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    parts = "a e i o u ou oe ae eu ll l r re er is iz ys yz og ue ence ise ize s ed ing ies".split()
    consonants = "bcdfghjklmnprstvwz"
    return [
        "".join(
            rng.choice(parts) if rng.random() < 0.6 else rng.choice(consonants)
            for _ in range(rng.randint(1, 7))
        )
        for _ in range(count)
    ]


def _post_terms() -> list[str]:
    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    return [lab["term"] for lab in labels]


def _forms(keys: list[str]) -> list[str]:
    """Each key, its inflections (a suffix added, a final ``e``/``y`` dropped first) and the
    spelling variants of both: the words a post writes that the dictionary has."""
    out = []
    for key in keys:
        made = [key] + [key + e for e in _ENDINGS] + [key[:-1] + e for e in _ENDINGS]
        out += made + [v for w in made for v in spelling_variants_reference(w)]
    return out


def _nonsense(count: int) -> list[str]:
    """Words of the benchmark's synthetic blog (``benchmarks/corpus.py``): what misses."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import corpus

    return corpus._Writer(5).vocab[:count]


@pytest.fixture(scope="module")
def words() -> list[str]:
    post = _post_terms()
    singles = [w for t in post for w in t.split()]
    keys = sorted(embedded().load())[::40]
    return singles + keys + _generated(5000, 11)


@pytest.fixture(scope="module")
def many() -> list[str]:
    """``words`` and more: key forms, nonsense, odd case and spaces."""
    keys = [k for k in sorted(embedded().load())[::389] if " " not in k]
    odd = ["İstanbul", "STRASSE", "Straße", "Colours", "TRAVELLED", "\u00a0colour\u2003", ""]
    return _forms(keys) + _nonsense(6000) + odd + [w for t in _post_terms() for w in t.split()]


def test_candidates_match_the_reference(words: list[str]) -> None:
    for word in words:
        low = word.lower()
        assert list(_candidates(low)) == list(_candidates_reference(low)), word


def test_any_variant_matches_the_variants(words: list[str]) -> None:
    rng = random.Random(3)
    pool = {v for w in words for v in spelling_variants(w.lower())}
    some = set(rng.sample(sorted(pool), len(pool) // 3))
    keys = embedded().load().keys
    for has in (some.__contains__, keys.__contains__):
        for word in words:
            low = word.lower()
            expect = any(has(v) for v in spelling_variants(low))
            assert any_variant_in(low, has) == expect, word


def _variant_differences(words: list[str], has: Callable[[str], bool]) -> list[str]:
    return [
        w
        for w in words
        if any_variant_in(w, has) != any(has(v) for v in spelling_variants_reference(w))
    ]


def test_any_variant_matches_the_reference(many: list[str]) -> None:
    # spelling_variants_reference's variants of each word, half of them "known"
    rng = random.Random(5)
    pool = sorted({v for w in many for v in spelling_variants_reference(w.lower())})
    some = set(rng.sample(pool, len(pool) // 2))
    low = [w.lower() for w in many]
    assert _variant_differences(low, some.__contains__) == []
    assert _variant_differences(low, embedded().load().keys.__contains__) == []


@pytest.mark.parametrize("table", ["_BY_TAIL", "_BY_INFIX"])
def test_a_broken_variant_table_is_caught(
    monkeypatch: pytest.MonkeyPatch, many: list[str], table: str
) -> None:
    # the comparison above can fail: one ending (one infix pattern) left out of the table
    low = [w.lower() for w in many]
    # each word's first variant (a suffix rule's, when it has one) or its last (an infix's)
    first = table == "_BY_TAIL"
    pool = set()
    for variants in (list(spelling_variants_reference(w)) for w in low):
        pool.update(variants[:1] if first else variants[-1:])
    if first:
        monkeypatch.setitem(spelling._BY_TAIL, "se", ())
    else:
        monkeypatch.setattr(spelling, "_BY_INFIX", spelling._BY_INFIX[:-1])
    assert _variant_differences(low, pool.__contains__) != []


@pytest.mark.parametrize("user", [False, True])
def test_unknown_words_match_the_reference(many: list[str], user: bool) -> None:
    # a word is unknown exactly when the reference lemmatiser finds no entry for it
    dicts = [embedded()]
    if user:
        mine = [Entry(word=w) for w in ("wurgeasspand", "colour", "traveller")]
        dicts.insert(0, MemoryDictionary(mine))  # type: ignore[arg-type]
    lookup = Lookup(dicts)
    wrong = []
    for word in many:
        ref = lemmatise_word_reference(" ".join(word.split()), lookup) if word.split() else None
        miss = ref is not None and ref.entry is None and ref.form_entry is None
        if unknown(word, lookup) != miss:
            wrong.append(word)
    assert wrong == []
    assert sum(unknown(w, lookup) for w in many) > 3000  # the nonsense words


def test_a_broken_miss_test_is_caught(monkeypatch: pytest.MonkeyPatch, many: list[str]) -> None:
    # without the candidates' variants the miss test calls known words unknown
    from ankidigest.enrich import lemma

    def partial(low: str, has: Callable[[str], bool]) -> bool:
        return has(low) or any_variant_in(low, has) or any(has(c) for c, _ in _candidates(low))

    lookup = Lookup([embedded()])
    monkeypatch.setattr(lemma, "known_form", partial)
    found = [w for w in many if unknown(w, lookup) and lemmatise_word_reference(w, lookup).entry]
    assert found != []


def test_known_is_false_only_for_misses(words: list[str]) -> None:
    lookup = Lookup([embedded()])
    for word in words:
        low = word.lower()
        for form in (low, *(c for c, _ in _candidates(low))):
            if not lookup.known(form):
                assert lookup.find(form) is None, form


@pytest.mark.parametrize("user", [False, True])
def test_lemmatise_word_matches_the_reference(words: list[str], user: bool) -> None:
    dicts = [embedded()]
    if user:
        mine = [Entry(word=w) for w in ("sortrurto", "colour", "travel", "spiotable")]
        dicts.insert(0, MemoryDictionary(mine))  # type: ignore[arg-type]
    lookup = Lookup(dicts)
    for word in words:
        assert lemmatise_word(word, lookup) == lemmatise_word_reference(word, lookup), word


def test_post_terms_and_a_dictionary_that_cannot_test() -> None:
    class GetOnly:
        def get(self, word: str) -> Entry | None:
            return Entry(word="color") if word.lower() == "color" else None

    lookup = Lookup([GetOnly(), embedded()])
    assert lookup.known("zzzqqq")  # cannot rule anything out
    assert lemmatise_word("colour", lookup) == lemmatise_word_reference("colour", lookup)
    plain = Lookup([embedded()])
    for term in _post_terms():
        assert lemmatise(term, plain).lemma
    assert Enricher().enrich("sortrurto", "A sortrurto b.", 2, 11) is None
