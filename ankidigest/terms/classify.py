"""Decide which marked spans of a paragraph are vocabulary terms, and why the rest are not.

A term is a word or short phrase a learner marked inside a real sentence. Not a
term: a label (``**Examples:**``), the headword of a word list or dictionary entry
(``**abate** v. 减弱``), a span that is the whole line or list item, bold in a
definition or a translation, a grammar pattern (``**be used to doing sth**``), a
span that is most of its sentence or crosses a sentence boundary. Every span that
is not kept gets a reason (reasons.py), shown under ``--verbose`` and by ``--check``.

This module runs the analysis of one paragraph; entries.py judges the span that
opens a line (labels, headwords), spanrules.py every other span in its sentence,
translation.py finds the text in another script.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from ankidigest.terms import wordlists as entries
from ankidigest.terms.explanations import entry_line, follows_gloss, glosses
from ankidigest.terms.reasons import DEFINITION, ENTRY, FOREIGN, TRANSLATION, WHOLE
from ankidigest.terms.rules import term_reason, trim, within
from ankidigest.terms.sentences import sentence_spans
from ankidigest.terms.translation import Part, split_parts, translation_for


@dataclass
class Analysis:
    """What a paragraph holds: kept terms, skipped spans, sentences and translations."""

    kept: list[tuple[int, int]] = field(default_factory=list)
    skipped: list[tuple[tuple[int, int], str]] = field(default_factory=list)
    sentences: list[tuple[int, int]] = field(default_factory=list)
    translations: dict[tuple[int, int], str] = field(default_factory=dict)
    origin: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    # Stretches no sentence text holds: a bold gloss after a term (" **烤箱**").
    cuts: list[tuple[int, int]] = field(default_factory=list)


def analyse(
    text: str,
    spans: list[tuple[int, int]],
    cuts: list[tuple[int, int]] | None = None,
    translation: bool = False,
    parts: list[Part] | None = None,
) -> Analysis:
    """Classify the marked ``spans`` of a flattened paragraph ``text``.

    ``cuts``: stretches at line ends that are no sentence's text (source links).
    ``translation``: the whole block translates the one before it.
    ``parts``: ``split_parts(text)`` when the caller has it already (not modified).
    """
    out = Analysis()
    if translation:
        out.skipped = [(span, TRANSLATION) for span in spans]
        return out
    parts = _cut(split_parts(text) if parts is None else parts, cuts or [])
    decided: dict[tuple[int, int], str] = {}
    glossed = glosses(text, spans)
    for span, stretch in glossed.items():
        decided[span] = FOREIGN
        out.cuts.append(stretch)
    regions: list[tuple[int, int, int]] = []  # prose (start, end, part index) to split
    translations = False  # whether _translations has a part to read
    for index, part in enumerate(parts):
        if part.translates is not None:  # a translation: never a term, never a sentence
            translations = translations or part.foreign
            for span in within(spans, part):
                decided[span] = TRANSLATION
            continue
        inside = within(spans, part)
        start = part.start
        if inside:
            if inside[1:2] and inside[1] in glossed and follows_gloss(text, inside[1], part.end):
                reason, cut, example = None, start, False  # "**suspend** **中止** something"
            else:
                reason, cut, example = entries.opening(text, part, inside)
            if reason is None and entry_line(text, part):
                reason, cut, example = ENTRY, part.end, False
            if reason:
                decided[inside[0]] = reason
                start = cut
                if reason != WHOLE and not example:
                    rest = ENTRY if reason == ENTRY else DEFINITION
                    for span in inside[1:]:
                        decided.setdefault(span, rest)
                    start = part.end
        if start < part.end:
            regions.append((start, part.end, index))
    english: dict[int, list[tuple[int, int]]] = {}
    lists: dict[tuple[int, int], bool] = {}  # sentence -> is its line a word list
    for start, end, index in regions:
        for s, e in sentence_spans(text[start:end]):
            sentence = (entries.sentence_start(text, start + s, start + e, spans), start + e)
            out.sentences.append(sentence)
            english.setdefault(index, []).append(sentence)
    for span in spans:
        reason = decided.get(span) or term_reason(text, span, out.sentences, parts, spans, lists)
        if reason:
            out.skipped.append((span, reason))
        else:
            trimmed = trim(text, span)
            out.kept.append(trimmed)
            out.origin[trimmed] = span
    if translations:
        _translations(text, parts, english, out)
    return out


def _cut(parts: list[Part], cuts: list[tuple[int, int]]) -> list[Part]:
    """Shorten English parts so that no ``cuts`` stretch is part of a sentence."""
    if not cuts:
        return parts
    cuts = sorted(cuts)
    stops = [stop for _, stop in cuts]
    out = []
    for part in parts:
        end = part.end
        i = bisect_right(stops, part.start)  # the first cut ending after the part starts
        if not part.foreign and i < len(cuts) and cuts[i][0] < end:
            end = max(part.start, cuts[i][0])
        if end > part.start or part.foreign:
            out.append(Part(part.start, end, part.foreign, part.translates))
    return out


def _translations(
    text: str, parts: list[Part], english: dict[int, list[tuple[int, int]]], out: Analysis
) -> None:
    foreign: dict[int, list[str]] = {}
    for part in parts:
        if part.foreign and part.translates is not None:
            foreign.setdefault(part.translates, []).append(text[part.start : part.end].strip())
    for index, texts in foreign.items():
        for sentence, translated in translation_for(english.get(index, []), " ".join(texts)):
            out.translations[sentence] = translated
