"""The one entry point: ``Enricher(...).enrich(term, sentence, start, end)``."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

from .dictionary import Dictionary, Lookup, embedded
from .entry import Entry
from .lemma import Lemma, lemmatise
from .levels import band, frequency, levels
from .rerank import Bridge
from .sense import available_pos, choose_definitions, choose_glosses, context_pos


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


class Enricher:
    """Look terms up in user dictionaries (in order), then in the embedded ECDICT subset.

    Deterministic and thread-safe; what does not depend on the sentence is cached per term.
    """

    def __init__(self, dicts: Sequence[Dictionary] = (), use_embedded: bool = True) -> None:
        chain: list[Dictionary] = list(dicts)
        if use_embedded:
            chain.append(embedded())
        self.lookup = Lookup(chain)
        self.bridge = Bridge(self.lookup.find)
        self._lemmas: dict[str, tuple[Lemma, frozenset[str]]] = {}
        self._lock = threading.Lock()

    def _lemma(self, term: str) -> tuple[Lemma, frozenset[str]]:
        key = " ".join(term.split()).lower()
        cached = self._lemmas.get(key)
        if cached is None:
            lem = lemmatise(term, self.lookup)
            cached = (lem, available_pos(lem.form_entry, lem.entry))
            with self._lock:
                self._lemmas[key] = cached
        return cached

    def enrich(self, term: str, sentence: str, start: int, end: int) -> Enrichment | None:
        """Enrich ``term`` found at ``sentence[start:end]``; None when no dictionary has it."""
        lem, has = self._lemma(term)
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
