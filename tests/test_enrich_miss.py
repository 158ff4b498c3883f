"""The miss path (set look-ups before any entry is built) against the reference path.

``lemma.lemmatise_word`` answers a word no form of which any dictionary has without looking
anything up; ``lemmatise_word_reference`` looks every form up. ``_candidates`` (rules by the
last letter) against ``_candidates_reference``; ``spelling.any_variant_in`` against
``spelling_variants``. Checked on the post's terms and 5,000 generated words.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from ankidigest.enrich import Enricher
from ankidigest.enrich.dictionary import Lookup, MemoryDictionary, embedded
from ankidigest.enrich.entry import Entry
from ankidigest.enrich.lemma import (
    _candidates,
    _candidates_reference,
    lemmatise,
    lemmatise_word,
    lemmatise_word_reference,
)
from ankidigest.enrich.spelling import any_variant_in, spelling_variants

LABELS = Path(__file__).resolve().parent.parent / "benchmarks" / "enrich_labels.json"


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


@pytest.fixture(scope="module")
def words() -> list[str]:
    post = _post_terms()
    singles = [w for t in post for w in t.split()]
    keys = sorted(embedded().load())[::40]
    return singles + keys + _generated(5000, 11)


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
