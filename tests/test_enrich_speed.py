"""The enrichment's fast paths against their reference paths (same answers, same order).

``spelling.spelling_variants`` (a table of endings) against ``spelling_variants_reference``
(every rule tried); ``Lookup.find`` skipping the variants no dictionary has (``in``) against
``Lookup._find_variant`` (every variant looked up); the embedded index's first-row-wins load.
"""

from __future__ import annotations

import random

import pytest

from ankidigest.enrich import Enricher
from ankidigest.enrich.dictionary import EmbeddedDictionary, Lookup, MemoryDictionary, embedded
from ankidigest.enrich.entry import Entry
from ankidigest.enrich.lemma import _candidates
from ankidigest.enrich.spelling import spelling_variants, spelling_variants_reference

# Words whose variants matter (British/US pairs, inflections, short words at the limits).
_WORDS = (
    "acclimatising colourised colours theatre theatres catalogue defence licence travelled "
    "analysed analysing organisations organization paediatric foetus manoeuvre aeon oeuvre "
    "labour labours ise ize rise sire wise oure ours tour ogue vogue ence fence "
    "lll ll aeae oeoe colourising favourite honours fibre centres dialogue"
).split()


def _generated(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    parts = "a e i o u ou oe ae eu ll l r re er is iz ys yz og ue ence ense s ed ing ation".split()
    consonants = "bcdfghjklmnprstvwz"
    words = []
    for _ in range(count):
        word = "".join(
            rng.choice(parts) if rng.random() < 0.6 else rng.choice(consonants)
            for _ in range(rng.randint(1, 7))
        )
        words.append(word)
    return words


def _vocabulary() -> list[str]:
    keys = sorted(embedded().load())
    return keys[::5] + _WORDS + _generated(20000, 7)


@pytest.fixture(scope="module")
def vocabulary() -> list[str]:
    return _vocabulary()


def test_variants_match_the_reference(vocabulary: list[str]) -> None:
    for word in vocabulary:
        for form in {word, *(c for c, _ in _candidates(word))}:
            assert list(spelling_variants(form)) == list(spelling_variants_reference(form)), form


def test_variants_cover_both_directions() -> None:
    # a test that can fail: the fast table must hold both directions of each pair
    assert list(spelling_variants("colourised")) == list(spelling_variants_reference("colourised"))
    assert "colorized" not in spelling_variants("colourised")  # one rule at a time
    assert "colourized" in spelling_variants("colourised")
    assert "colourised" in spelling_variants("colourized")
    assert "rize" not in spelling_variants("rise")  # too short for a suffix rule
    assert "realize" in spelling_variants("realise")


def test_find_matches_the_reference(vocabulary: list[str]) -> None:
    lookup = Lookup([embedded()])
    assert lookup._can_test
    for word in vocabulary:
        for form in (word, *(c for c, _ in _candidates(word))):
            fast = lookup.find(form)
            slow = lookup.exact(form) or lookup._find_variant(form)
            assert (fast is None) == (slow is None), form
            if fast is not None and slow is not None:
                assert fast == slow, form


def test_find_with_a_dictionary_that_cannot_test() -> None:
    class GetOnly:
        def __init__(self, entries: dict[str, Entry]) -> None:
            self.entries = entries

        def get(self, word: str) -> Entry | None:
            return self.entries.get(word.lower())

    color = Entry(word="color", phonetic="x")
    lookup = Lookup([GetOnly({"color": color}), MemoryDictionary([Entry(word="honor")])])
    assert not lookup._can_test
    assert lookup.find("colour") is color
    assert Lookup([MemoryDictionary([color])]).find("colour") is color


def test_membership_agrees_with_get(vocabulary: list[str]) -> None:
    data = embedded()
    for word in vocabulary[:20000]:
        assert (word in data) == (data.get(word) is not None), word


def test_embedded_index_keeps_the_first_row_of_a_key() -> None:
    rows = ["Apple\t\t\tn. 苹果", "apple\t\t\tn. 苹果2", "pear\t\t\tn. 梨"]
    blob = ("apple\napple\npear\n\n" + "\n".join(rows) + "\n").encode()
    data = EmbeddedDictionary(blob)
    entry = data.get("APPLE")
    assert entry is not None and entry.word == "Apple"
    assert len(data) == 2 and "pear" in data and "plum" not in data
    with pytest.raises(ValueError):
        EmbeddedDictionary(b"a\nb\n\nrow\n").load()


def test_enricher_on_variants_and_misses() -> None:
    enricher = Enricher()
    for term, lemma in (("colourised", "colourise"), ("travelled", "travel")):
        sentence = f"They {term} it."
        found = enricher.enrich(term, sentence, 5, 5 + len(term))
        assert found is not None and found.lemma == lemma
    assert enricher.enrich("sortrurto", "A sortrurto b.", 2, 11) is None


def test_the_data_digest_is_current() -> None:
    # prepared() hashes this file instead of the data: a rebuilt ecdict.tsv without
    # a new .sha256 would reuse cards of the old data
    import hashlib
    from importlib import resources

    data = resources.files("ankidigest.enrich").joinpath("data")
    stamp = data.joinpath("ecdict.tsv.sha256").read_text().strip()
    assert stamp == hashlib.sha256(data.joinpath("ecdict.tsv").read_bytes()).hexdigest()
    assert sorted(p.name for p in data.iterdir() if p.name.startswith("ecdict")) == [
        "ecdict.tsv",
        "ecdict.tsv.sha256",
    ]  # not the gzip'd file of before beside it


def test_the_digest_is_stable() -> None:
    from ankidigest.notes import enrichment

    first = enrichment.prepared(enrichment.EnrichOptions()).digest
    assert first == enrichment.prepared(enrichment.EnrichOptions()).digest
    assert len(first) == 64
