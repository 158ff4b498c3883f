"""The engine's caches against its reference path: ``Enricher().enrich`` (per term and per
``sense.context_key``) and ``Enricher.enrich_reference`` (nothing cached) give equal answers.

Terms meet many contexts: each term of a post is also enriched in the other sentences of
the post (put in place of their first term), so most answers of the cached engine come
from its caches. The posts: the user's (skipped without /work/shared), the bundled example
and a corpus of ``benchmarks/corpus.py``, plus sentences made here around dictionary
words, their inflections and phrases, with the cue words of ``sense.context_pos`` and
words of the entries' own definitions (the Lesk overlap). The last tests break the key
(a part left out) and check the comparison then fails.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ankidigest import read_posts
from ankidigest.enrich import Enricher, engine
from ankidigest.enrich.dictionary import Lookup, MemoryDictionary, embedded
from ankidigest.enrich.entry import Entry
from ankidigest.enrich.lemma import lemmatise, unknown

ROOT = Path(__file__).resolve().parent.parent
POST = Path("/work/shared/corpus/war-news.md")
EXAMPLE = ROOT / "examples" / "2025-03-02-science-news.md"
Item = tuple[str, str, int, int]


def _spans(paths: list[str]) -> list[Item]:
    out = []
    for doc in read_posts(paths, jobs=1):
        for sentence in doc.sentences:
            for term in sentence.terms:
                out.append((term.text, sentence.text, term.start, term.end))
    return out


def _crossed(items: list[Item], others: int, seed: int) -> list[Item]:
    """``items``, then each term also in ``others`` other sentences (in their first term's
    place)."""
    rng = random.Random(seed)
    out = list(items)
    for term, *_ in items:
        for _, sentence, start, end in rng.sample(items, min(others, len(items))):
            out.append((term, sentence[:start] + term + sentence[end:], start, start + len(term)))
    rng.shuffle(out)
    return out


_CUES = (
    "the to will would they he his its is was were been of in by for has had not can a an "
    "very also it who that and must our their this".split()
)
_FILLER = "war troops said power peace talks market state city forces plan law".split()


def _made(count: int, seed: int) -> Iterator[Item]:
    """Sentences around dictionary words (as they are, inflected, capitalised, phrases)."""
    rng = random.Random(seed)
    data = embedded()
    keys = sorted(data.load())
    words = [k for k in keys[::97] if k.isalpha() and k.islower()][:500]
    phrases = [k for k in keys[::211] if " " in k and k.islower()][:100]
    for _ in range(count):
        term = rng.choice(words) if rng.random() < 0.85 else rng.choice(phrases)
        if " " not in term and rng.random() < 0.4:
            term += rng.choice(("s", "ed", "ing", "ly", "er", "d"))
        if rng.random() < 0.1:
            term = term.capitalize()
        entry = data.get(term.split()[0])
        own = [w for d in entry.definitions for w in d.text.split()] if entry else []
        pool = own + _FILLER
        before = [rng.choice(pool) for _ in range(rng.randint(0, 4))]
        before += [rng.choice(_CUES) for _ in range(rng.randint(0, 2))]
        after = [rng.choice(_CUES + pool) for _ in range(rng.randint(0, 5))]
        head = " ".join(before)
        start = len(head) + 1 if head else 0
        sentence = " ".join([*before, term, *after]) + "."
        yield term, sentence, start, start + len(term)


def _corpus_items(tmp: Path) -> list[Item]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import corpus

    info = corpus.generate(str(tmp / "posts"), 1500, 3)
    return _spans(list(info.files))


def _differences(items: list[Item]) -> list[Item]:
    cached, reference = Enricher(), Enricher(cached=False)
    assert reference.enrich_reference is not None
    return [it for it in items if cached.enrich(*it) != reference.enrich(*it)]


@pytest.fixture(scope="module")
def made() -> list[Item]:
    return list(_made(4000, 11))


@pytest.mark.skipif(not POST.exists(), reason="shared corpus not present")
def test_the_users_post() -> None:
    items = _spans([str(POST)])
    assert len(items) > 200
    assert _differences(_crossed(items, 12, 1)) == []


def test_the_example_post() -> None:
    assert _differences(_crossed(_spans([str(EXAMPLE)]), 12, 2)) == []


def test_a_generated_corpus(tmp_path: Path) -> None:
    items = _corpus_items(tmp_path)
    assert len(items) > 1000
    assert _differences(_crossed(items, 2, 3)) == []


def test_made_sentences(made: list[Item]) -> None:
    cached = Enricher()
    answers = [cached.enrich(*it) for it in made]
    assert sum(a is not None for a in answers) > 1000  # the dictionary has most of them
    terms = {a.term for a in answers if a is not None}
    assert len(terms) < sum(a is not None for a in answers) / 2  # so the caches answer
    assert _differences(made) == []


def test_two_terms_of_one_sentence() -> None:
    # the sentence's words are kept for the next term: the next sentence must not use them
    cached, reference = Enricher(), Enricher(cached=False)
    one = "The bomb attack shattered the calm and stemmed the talks."
    two = "The glass shattered into pieces as the flower's stem broke."
    for sentence in (one, two, one, two):
        for term in ("shattered", "stemmed", "stem"):
            if term in sentence:
                at = sentence.index(term)
                item = (term, sentence, at, at + len(term))
                assert cached.enrich(*item) == reference.enrich(*item)


def test_enrich_terms_agrees_with_enrich(made: list[Item], tmp_path: Path) -> None:
    # Enricher.enrich_terms (teach's entry: None when no term is known) against enrich
    items = made[:1500] + _corpus_items(tmp_path)[:3000]
    groups = [items[i : i + 1] for i in range(len(items))] + [
        items[i : i + 3] for i in range(0, 600, 3)
    ]
    for cached in (True, False):
        engine_, reference = Enricher(cached=cached), Enricher(cached=False)
        nones = 0
        for group in groups * 2:
            sentence = group[0][1]
            terms = [(t, s, e) for t, where, s, e in group if where == sentence]
            got = engine_.enrich_terms(terms, sentence)
            expect = [reference.enrich(t, sentence, s, e) for t, s, e in terms]
            if got is None:
                nones += 1
                assert not any(expect), terms
            else:
                assert got == expect, terms
        assert nones > 1000 if cached else nones == 0


def test_the_miss_path_agrees_with_lemmatise(made: list[Item], tmp_path: Path) -> None:
    # unknown(): True only when lemmatise finds no entry (then the engine stores a miss)
    lookup = Enricher().lookup
    terms = {t for t, *_ in made} | {t for t, *_ in _corpus_items(tmp_path)}
    terms |= {t for t, *_ in _spans([str(EXAMPLE)])}
    terms |= {w + s for w in ("shrug", "mug", "bear", "colour", "travel") for s in ("", "s", "ed")}
    terms |= {"shrugged off", "bearing down", "quid pro quo", "at bay", "Quid  Pro Quo", ""}
    misses = 0
    for term in sorted(terms):
        lem = lemmatise(term, lookup)
        if unknown(term, lookup):
            misses += 1
            assert lem.entry is None and lem.form_entry is None, term
    assert misses > 300


def test_the_miss_path_with_a_dictionary_that_cannot_test() -> None:
    class GetOnly:
        def get(self, word: str) -> Entry | None:
            return Entry(word="zzyzx") if word == "zzyzx" else None

    lookup = Lookup([GetOnly(), MemoryDictionary([Entry(word="color")])])
    assert not unknown("zzyzx", lookup) and not unknown("zzyzx qwerty", lookup)
    assert lemmatise("zzyzx", lookup).entry is not None


def _translations(entry: Entry | None) -> tuple[object, ...] | None:
    return None if entry is None else tuple(entry.translations)


def test_the_bridges_look_up_agrees_with_find(made: list[Item]) -> None:
    # Lookup.translations (the cached engine's Bridge) against find (the reference's)
    data = embedded()
    keys = sorted(data.load())
    words = {w.lower() for t, s, *_ in made for w in s.replace(".", " ").split()}
    words |= set(keys[::41]) | {"colour", "acclimatise", "theatre", "travelled", "zzyzx"}
    redirects = [k for k in keys[::7] if (e := data.get(k)) is not None and e.redirect]
    assert redirects
    words |= set(redirects)
    user = MemoryDictionary([Entry(word="war", translations=embedded().get("peace").translations)])
    for lookup in (Lookup([data]), Lookup([user, data])):
        for word in sorted(words):
            got = _translations(lookup.translations(word))
            assert got == _translations(lookup.find(word)), word


def _broken(monkeypatch: pytest.MonkeyPatch, key: Callable[..., tuple[object, ...]]) -> None:
    monkeypatch.setattr(engine, "context_key", key)


def test_a_key_without_the_overlap_is_caught(
    monkeypatch: pytest.MonkeyPatch, made: list[Item]
) -> None:
    _broken(monkeypatch, lambda order, sentence, words, have=None: (order,))
    assert _differences(made) != []


def test_a_key_without_the_order_is_caught(
    monkeypatch: pytest.MonkeyPatch, made: list[Item]
) -> None:
    real = engine.context_key
    _broken(monkeypatch, lambda *args: real(*args)[1:])
    assert _differences(made) != []


def test_the_kept_items_and_definitions_are_the_plain_ones() -> None:
    # sense._items keeps _line_items per line; Bridge.definition keeps a definition's
    # stems and characters: both against the computation they keep
    from ankidigest.enrich import rerank, sense

    data = embedded()
    bridge = rerank.Bridge(Lookup([data]).find)
    for key in sorted(data.load())[::97]:
        entry = data.get(key)
        assert entry is not None
        for line in entry.translations:
            assert sense._items(line) == sense._line_items(line.text) == sense._items(line)
        for definition in entry.definitions[:6]:
            words = rerank._sense_words(definition)
            chars = frozenset().union(*(bridge.chars(w) for w in words[:6]))
            stems = sorted(rerank._stem(w) for w in set(words))
            for _ in range(2):
                got_stems, got_chars = bridge.definition(definition)
                assert sorted(got_stems) == stems and got_chars == chars, key


@pytest.mark.parametrize("hint", ["gloss", "first-letter", "pos", "none"])
def test_teach_keeps_what_it_would_make(hint: str, made: list[Item]) -> None:
    # notes.enrichment.teach (one answer per list of engine results, one for unknown
    # terms) against _taught (made each time)
    from ankidigest.notes import enrichment

    options = enrichment.prepared(enrichment.EnrichOptions())
    engine_ = enrichment.enricher(options)
    items = _spans([str(EXAMPLE)]) + made[:1500]
    pairs = [items[i : i + 2] for i in range(0, 200, 2)]  # two terms of one sentence
    groups: list[list[Item]] = [[it] for it in items] + pairs
    for group in groups * 2:
        sentence = group[0][1]
        terms = [(t, s, e) for t, where, s, e in group if where == sentence]
        found = [engine_.enrich(t, sentence, s, e) for t, s, e in terms]
        made_now = enrichment._taught(options, hint, terms, found)
        assert enrichment.teach(options, hint, terms, sentence) == made_now
