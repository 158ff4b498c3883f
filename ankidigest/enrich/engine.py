"""The one entry point: ``Enricher(...).enrich(term, sentence, start, end)``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .dictionary import Dictionary, Lookup, embedded
from .entry import Entry
from .lemma import Lemma, lemmatise, unknown
from .levels import band, frequency, levels
from .rerank import Bridge, definition_words
from .sense import (
    available_pos,
    choose_definitions,
    choose_glosses,
    context_key,
    context_pos,
)


@dataclass(frozen=True)
class Enrichment:
    """What a card shows about a term; ``gloss`` line 1 is the sense that fits the sentence."""

    term: str
    lemma: str
    pos: str | None
    gloss: str
    definition: str
    phonetic: str
    levels: tuple[str, ...]
    frequency: int | None
    band: str | None


class _Term:
    """What the enrichment of one term (as written) takes from the dictionaries, whatever
    the sentence; ``results``: its Enrichment by ``sense.context_key``."""

    __slots__ = (
        "band", "definitions", "has", "head", "lem", "levels", "main", "own", "phonetic",
        "rank", "results", "words",
    )  # fmt: skip

    def __init__(self, term: str, lem: Lemma, has: frozenset[str], main: Entry) -> None:
        form, entry = lem.form_entry, lem.entry
        self.lem, self.has, self.main = lem, has, main
        self.own = form if form is not None and form is not entry else None
        # the word context_pos looks at: the term, its first word (a phrasal verb whose
        # phrase has no entry), or none (a phrase: no part of speech to guess)
        self.head: str | None = term
        if " " in lem.lemma and form is None and entry is not None and " " not in entry.word:
            self.head = term.split()[0]
        elif " " in lem.lemma:
            self.head = None
        self.phonetic = (self.own.phonetic if self.own is not None else "") or main.phonetic
        self.rank = frequency(main) or frequency(form)
        self.levels = levels(main) or levels(form)
        self.band = band(self.rank)
        self.words = definition_words((self.own, main))
        self.definitions: dict[str | None, str] = {}
        self.results: dict[tuple[object, ...], Enrichment | None] = {}


_UNSEEN = _Term.__new__(_Term)  # not a term: "not looked up yet"


class Enricher:
    """Look terms up in user dictionaries (in order), then in the embedded ECDICT subset.

    Deterministic and thread-safe. ``cached`` (the default): what does not depend on the
    sentence is kept per term as written (``_Term``; None for a term no dictionary has),
    and each answer per term and ``sense.context_key`` (the part-of-speech order and the
    sentence's words among the entries' definition words: all the sense choice reads from
    the sentence), so the same term in another sentence with the same context is looked up
    once. ``enrich_reference`` computes everything again each call: tests/test_enrich_cache.py
    checks both give equal answers.
    """

    def __init__(
        self, dicts: Sequence[Dictionary] = (), use_embedded: bool = True, cached: bool = True
    ) -> None:
        chain: list[Dictionary] = list(dicts)
        if use_embedded:
            chain.append(embedded())
        self.lookup = Lookup(chain)
        self.cached = cached
        self.bridge = Bridge(self.lookup.translations if cached else self.lookup.find)
        self._terms: dict[str, _Term | None] = {}

    def _term(self, term: str) -> _Term | None:
        if unknown(term, self.lookup):
            return self._terms.setdefault(term, None)
        lem = lemmatise(term, self.lookup)
        main = lem.entry if lem.entry is not None else lem.form_entry
        info = None
        if main is not None:
            info = _Term(term, lem, available_pos(lem.form_entry, lem.entry), main)
        return self._terms.setdefault(term, info)  # another thread's is as good

    def enrich_terms(
        self, terms: Sequence[tuple[str, int, int]], sentence: str
    ) -> list[Enrichment | None] | None:
        """``enrich`` of each ``(term, start, end)`` of ``sentence``; None when no dictionary
        has any of the terms (most terms of a post), then found by one dict look-up a term
        once each is known (tests/test_enrich_cache.py checks it against ``enrich``)."""
        if self.cached:
            known = self._terms.get
            for term, _, _ in terms:
                info = known(term, _UNSEEN)
                if info is _UNSEEN:
                    info = self._term(term)
                if info is not None:
                    break
            else:
                return None
        enrich = self.enrich
        return [enrich(t, sentence, s, e) for t, s, e in terms]

    def enrich(self, term: str, sentence: str, start: int, end: int) -> Enrichment | None:
        """Enrich ``term`` found at ``sentence[start:end]``; None when no dictionary has it."""
        if not self.cached:
            return self.enrich_reference(term, sentence, start, end)
        info = self._terms.get(term, _UNSEEN)
        if info is _UNSEEN:
            info = self._term(term)
        if info is None:
            return None
        head = info.head
        lem = info.lem
        order = () if head is None else context_pos(head, sentence, start, end, lem.kinds, info.has)
        key = context_key(order, sentence, info.words)
        found = info.results.get(key, _UNSEEN)
        if found is _UNSEEN:
            found = info.results.setdefault(key, self._answer(term, info, order, sentence))
        return found  # type: ignore[return-value]

    def _answer(
        self, term: str, info: _Term, order: tuple[str, ...], sentence: str
    ) -> Enrichment | None:
        gloss, pos = choose_glosses(
            order, info.own, info.main, bridge=self.bridge, sentence=sentence
        )
        if not gloss:
            return None
        definition = info.definitions.get(pos)
        if definition is None:
            definition = info.definitions[pos] = choose_definitions(pos, info.own, info.main)
        return Enrichment(
            term=term,
            lemma=info.lem.lemma,
            pos=pos,
            gloss=gloss,
            definition=definition,
            phonetic=info.phonetic,
            levels=info.levels,
            frequency=info.rank,
            band=info.band,
        )

    def enrich_reference(self, term: str, sentence: str, start: int, end: int) -> Enrichment | None:
        """``enrich`` with nothing cached: every step computed again (the reference)."""
        lem = lemmatise(term, self.lookup)
        has = available_pos(lem.form_entry, lem.entry)
        form, entry = lem.form_entry, lem.entry
        if entry is None and form is None:
            return None
        main: Entry = entry if entry is not None else form  # type: ignore[assignment]
        if " " in lem.lemma and form is None and entry is not None and " " not in entry.word:
            order = context_pos(term.split()[0], sentence, start, end, lem.kinds, has)
        elif " " in lem.lemma:
            order = ()
        else:
            order = context_pos(term, sentence, start, end, lem.kinds, has)
        own = form if form is not None and form is not entry else None
        gloss, pos = choose_glosses(order, own, main, bridge=self.bridge, sentence=sentence)
        if not gloss:
            return None
        phonetic = (own.phonetic if own is not None else "") or main.phonetic
        rank = frequency(main) or frequency(form)
        return Enrichment(
            term=term,
            lemma=lem.lemma,
            pos=pos,
            gloss=gloss,
            definition=choose_definitions(pos, own, main),
            phonetic=phonetic,
            levels=levels(main) or levels(form),
            frequency=rank,
            band=band(rank),
        )


_DEFAULT: Enricher | None = None


def enrich(term: str, sentence: str, start: int, end: int) -> Enrichment | None:
    """``Enricher().enrich(...)`` with one process-wide enricher on the embedded data."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Enricher()
    return _DEFAULT.enrich(term, sentence, start, end)
