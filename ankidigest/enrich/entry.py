"""One dictionary entry, parsed from an ECDICT-style row, and its part-of-speech lines."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Coarse parts of speech used everywhere in this package.
NOUN, VERB, ADJ, ADV, OTHER = "noun", "verb", "adj", "adv", "other"

_ZH_POS = {
    "n": NOUN,
    "pl": NOUN,
    "v": VERB,
    "vt": VERB,
    "vi": VERB,
    "aux": VERB,
    "a": ADJ,
    "adj": ADJ,
    "s": ADJ,
    "ad": ADV,
    "adv": ADV,
    "r": ADV,
}
_LINE_POS = re.compile(r"^\s*([a-z]{1,5})\s*[.．]\s*")
_EN_POS = re.compile(r"^\s*([nvasr])\b\.?\s*")
_REDIRECT = re.compile(r"[<‹《]主[英美]?[>›》]\s*=\s*([A-Za-z][A-Za-z' -]*)\s*$")
_PLAIN_REDIRECT = re.compile(r"^\s*=\s*([A-Za-z][A-Za-z' -]*)\s*$")


@dataclass(frozen=True)
class Sense:
    """One line of glosses of one part of speech (``pos`` is None when unmarked)."""

    pos: str | None
    label: str
    text: str

    @property
    def is_redirect(self) -> bool:
        return (
            _REDIRECT.search(self.text) is not None or _PLAIN_REDIRECT.match(self.text) is not None
        )


@dataclass(frozen=True)
class Entry:
    """A headword with everything the enricher reads from it."""

    word: str
    phonetic: str = ""
    definitions: tuple[Sense, ...] = ()
    translations: tuple[Sense, ...] = ()
    tags: tuple[str, ...] = ()
    bnc: int | None = None
    frq: int | None = None
    exchange: tuple[tuple[str, str], ...] = ()
    collins: int = 0
    oxford: bool = False

    def forms(self, kind: str) -> tuple[str, ...]:
        """Values of one exchange kind: ``0`` lemma, ``1`` form types, ``p``/``d``/``i``/..."""
        return tuple(v for k, v in self.exchange if k == kind)

    @property
    def redirect(self) -> str | None:
        """The headword a thin British-form entry points to (``<主英>=acclimatize``)."""
        if len(self.translations) != 1:
            return None
        text = self.translations[0].label + self.translations[0].text
        match = _REDIRECT.search(text) or _PLAIN_REDIRECT.match(text)
        return match.group(1).strip() if match else None

    @property
    def core(self) -> bool:
        """True for an entry with a frequency rank, an exam tag or a Collins/Oxford mark."""
        return bool(self.tags or self.bnc or self.frq or self.collins or self.oxford)


def _int(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isdigit() and int(value) > 0 else None


def _lines(text: str) -> list[str]:
    text = text.replace("\\r", "").replace("\r", "")
    return [ln.strip() for ln in text.replace("\\n", "\n").split("\n") if ln.strip()]


def parse_translations(text: str) -> tuple[Sense, ...]:
    senses = []
    for line in _lines(text):
        match = _LINE_POS.match(line)
        if (match and match.group(1) in _ZH_POS) or (match and match.group(1) in ("prep", "conj")):
            label = match.group(1)
            senses.append(Sense(_ZH_POS.get(label, OTHER), label + ".", line[match.end() :]))
        elif match and len(match.group(1)) <= 5 and line[match.end() :]:
            senses.append(Sense(OTHER, match.group(1) + ".", line[match.end() :]))
        else:
            senses.append(Sense(None, "", line))
    return tuple(senses)


def parse_definitions(text: str) -> tuple[Sense, ...]:
    senses = []
    for line in _lines(text):
        match = _EN_POS.match(line)
        if match:
            senses.append(Sense(_ZH_POS[match.group(1)], match.group(1), line[match.end() :]))
        else:
            senses.append(Sense(None, "", line))
    return tuple(senses)


def parse_exchange(text: str) -> tuple[tuple[str, str], ...]:
    pairs = []
    for part in text.split("/"):
        kind, _, value = part.partition(":")
        if value:
            pairs.append((kind.strip(), value.strip()))
    return tuple(pairs)


def from_fields(fields: list[str]) -> Entry:
    """Build an entry from the ten columns of the embedded TSV (see build_dictionary.py)."""
    fields = fields + [""] * (10 - len(fields))
    word, phonetic, definition, translation, tag, bnc, frq, exchange, collins, oxford = fields[:10]
    return Entry(
        word=word,
        phonetic=phonetic,
        definitions=parse_definitions(definition),
        translations=parse_translations(translation),
        tags=tuple(tag.split()),
        bnc=_int(bnc),
        frq=_int(frq),
        exchange=parse_exchange(exchange),
        collins=_int(collins) or 0,
        oxford=bool(_int(oxford)),
    )
