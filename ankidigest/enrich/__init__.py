"""Offline enrichment of bolded terms: lemma, part of speech in context, Chinese gloss with
the fitting sense first, English definition, IPA, exam levels and a frequency band, from a
trimmed ECDICT (MIT) shipped in ``data/`` and optional user dictionaries (ECDICT-format CSV,
StarDict) consulted first; plus espeak-ng/lame audio with content-hashed file names. Call
``Enricher(dicts=...).enrich(term, sentence, start, end)`` (or ``enrich(...)``); everything is
deterministic and nothing touches the network.
"""

from __future__ import annotations

from .engine import Enricher, Enrichment, enrich

__all__ = ["Enricher", "Enrichment", "enrich"]
