"""What a card teaches about its terms: the Lemma, Definition, Pronunciation and Audio
fields, the level and frequency tags, and the cloze hint, from ``ankidigest.enrich``.

Enrichment runs where the notes are built (in each job, on both cores), so it is cached
with the post: a re-export of unchanged posts never loads the dictionary. The engine is
made once per process, on the first term (``enricher``), and caches what it looked up
(``Enricher``: per term, and per term and the part of the sentence the sense choice
reads). ``EnrichOptions.digest`` hashes the embedded data and the user dictionaries and
is part of the options, so it is part of every cache key: a new dictionary gives new
cache entries, never a stale card.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ankidigest import sanitize
from ankidigest.errors import InputError, OutputError, UsageError
from ankidigest.notes.cloze import escape_answer, escape_text

if TYPE_CHECKING:
    from ankidigest.enrich import Enricher, Enrichment

HINTS = ("gloss", "first-letter", "pos", "none")
DEFAULT_HINT = "gloss"
_POS_NAMES = {"noun": "noun", "verb": "verb", "adj": "adjective", "adv": "adverb"}
_LEVEL_NAMES = {
    "zhongkao": "中考",
    "gaokao": "高考",
    "cet4": "CET-4",
    "cet6": "CET-6",
    "kaoyan": "考研",
    "ielts": "IELTS",
    "toefl": "TOEFL",
    "gre": "GRE",
}
_BAND_NAMES = {
    "top5k": "top 5k word",
    "top10k": "top 10k word",
    "top20k": "top 20k word",
    "rare": "rare word",
}
_LABEL = re.compile(r"^[a-z]{1,5}\.\s*")
_ITEM = re.compile(r"\s*[,，;；]\s*")
_WORD = re.compile(r"[A-Za-z]+")
GLOSS_LINES = 3  # the fitting Chinese line, then at most two others
ENGLISH_LINES = 2  # the fitting English sense, then one other


@dataclass(frozen=True)
class EnrichOptions:
    """Enrichment of an export. ``dicts``: user dictionaries, consulted in order before the
    embedded one; ``audio``: MP3s into ``media_dir``; ``digest``: see ``prepared``."""

    dicts: tuple[str, ...] = ()
    audio: bool = False
    voice: str = "en-gb"
    media_dir: str | None = None
    digest: str = ""


def prepared(options: EnrichOptions, media_dir: str | None = None) -> EnrichOptions:
    """``options`` with ``digest`` (the embedded data, each user dictionary's bytes, the
    audio tools' versions) and ``media_dir`` set. Checks the dictionaries can be read and,
    with audio, that espeak-ng and lame are there (one clear line each, before any work)."""
    from importlib import resources

    sha = hashlib.sha256()
    data = resources.files("ankidigest.enrich").joinpath("data")
    try:  # the data's SHA-256, written with it by scripts/build_dictionary.py (a re-export
        # then reads 65 bytes, not 25 MB; tests/test_enrich_speed.py checks it is current)
        sha.update(b"sha256:" + data.joinpath("ecdict.tsv.sha256").read_bytes())
    except OSError:
        sha.update(data.joinpath("ecdict.tsv").read_bytes())
    for path in options.dicts:
        for part in _dict_files(path):
            try:
                with open(part, "rb") as fh:
                    sha.update(part.encode("utf-8", "surrogatepass") + b"\0" + fh.read())
            except OSError as exc:
                raise InputError(path, f"cannot read the dictionary: {exc.strerror}") from None
    if options.audio:
        from ankidigest.enrich.audio import tool_versions

        sha.update(tool_versions().encode())  # AudioToolMissing: one line
        media_dir = options.media_dir or media_dir
        if media_dir is None:
            raise UsageError("audio needs a folder for its files")
    return replace(options, digest=sha.hexdigest(), media_dir=media_dir)


def _dict_files(path: str) -> list[str]:
    low = path.lower()
    if low.endswith(".csv"):
        return [path]
    for suffix in (".ifo", ".idx", ".dict.dz", ".dict"):
        if low.endswith(suffix):
            base = path[: -len(suffix)]
            parts = [base + s for s in (".ifo", ".idx", ".dict.dz", ".dict")]
            return [p for p in parts if os.path.exists(p)] or [path]
    raise UsageError(f"--dict {path}: give an ECDICT .csv or a StarDict .ifo")


_ENRICHERS: dict[tuple[tuple[str, ...], str], Enricher] = {}
_LOCK = threading.Lock()


def enricher(options: EnrichOptions) -> Enricher:
    """This process's engine for ``options`` (made on first use: the data loads then)."""
    key = (options.dicts, options.digest)
    found = _ENRICHERS.get(key)
    if found is None:
        from ankidigest.enrich import Enricher
        from ankidigest.enrich.userdict import DictionaryError, load

        dicts = []
        for path in options.dicts:
            try:
                dicts.append(load(path))
            except DictionaryError as exc:  # sent back from a helper as an InputError
                raise InputError(path, str(exc).removeprefix(f"{path}: ")) from None
        with _LOCK:
            found = _ENRICHERS.setdefault(key, Enricher(dicts=dicts))
    return found


@dataclass(frozen=True)
class Taught:
    """What the notes of one term (or sentence) get from enrichment."""

    lemma: str
    definition: str  # the Definition field
    pronunciation: str  # the Pronunciation field: "/IPA/"
    audio: str  # the Audio field: "[sound:NAME]" or ""
    tags: tuple[str, ...]
    hints: tuple[str, ...]  # one per term ("" for none), escaped for a deletion
    record: tuple[object, ...]  # NoteSpec.enrichment (see jsonout)


def first_gloss(gloss: str) -> str:
    """The first item of the first Chinese line, its part-of-speech label dropped."""
    line = _LABEL.sub("", gloss.split("\n", 1)[0])
    return _ITEM.split(line, 1)[0].strip()


def _hint(kind: str, term: str, found: Enrichment | None) -> str:
    if kind == "first-letter":
        return " ".join(w[0] + "…" for w in term.split() if w)
    if found is None:
        return ""
    if kind == "gloss":
        return first_gloss(found.gloss)
    if kind == "pos" and found.pos:
        return _POS_NAMES.get(found.pos, found.pos)
    return ""


def _definition(found: Enrichment) -> str:
    """Line 1: part of speech, first exam level, frequency band (a caption: the template styles
    the field's first line); then the Chinese lines, the fitting one in bold; then English."""
    meta = [_POS_NAMES.get(found.pos or "", "")]
    # The first exam that lists the word (the earliest a learner meets it): one short line
    # on a phone. The tags carry every level, for filtering.
    meta += [_LEVEL_NAMES.get(level, level) for level in found.levels[:1]]
    meta.append(_BAND_NAMES.get(found.band or "", ""))
    lines = [" · ".join(m for m in meta if m) or "·"]
    chinese = [ln for ln in found.gloss.split("\n") if ln][:GLOSS_LINES]
    english = [ln for ln in found.definition.split("\n") if ln][:ENGLISH_LINES]
    out = [escape_text(ln) for ln in lines]
    out += [
        f"<b>{escape_text(ln)}</b>" if i == 0 else escape_text(ln) for i, ln in enumerate(chinese)
    ]
    out += [escape_text(ln) for ln in english]
    return "<br>".join(out)


_NOTHING: dict[int, Taught] = {}


def _nothing(count: int) -> Taught:
    """``teach``'s answer for ``count`` terms none of which is known, with a hint other
    than first-letter: no field, no tag, an empty hint each (one object per count)."""
    found = _NOTHING.get(count)
    if found is None:
        found = _NOTHING[count] = Taught("", "", "", "", (), ("",) * count, ())
    return found


def teach(
    options: EnrichOptions | None,
    hint: str,
    terms: Sequence[tuple[str, int, int]],
    sentence: str,
) -> Taught:
    """Fields, tags and hints for the terms ``(text, start, end)`` of ``sentence``."""
    found = None  # no term known (Enricher.enrich_terms)
    if options is not None:
        found = enricher(options).enrich_terms(terms, sentence)
    if hint == "first-letter" or (options is not None and options.audio):
        return _taught(options, hint, terms, [None] * len(terms) if found is None else found)
    if found is None or not any(found):
        return _nothing(len(terms))  # what _taught makes of terms no dictionary has
    # The rest reads of the terms only what the engine found (the same objects for the
    # same term in the same context): one answer per such list.
    key = (hint, *found)
    taught = _TAUGHT.get(key)
    if taught is None:
        taught = _TAUGHT[key] = _taught(options, hint, terms, found)
    return taught


_TAUGHT: dict[tuple[object, ...], Taught] = {}


def _taught(
    options: EnrichOptions | None,
    hint: str,
    terms: Sequence[tuple[str, int, int]],
    found: Sequence[Enrichment | None],
) -> Taught:
    hints = tuple(_answer(_hint(hint, t, f)) for (t, _, _), f in zip(terms, found, strict=True))
    known = [f for f in found if f is not None]
    if not known:
        return Taught("", "", "", "", (), hints, ())
    assert options is not None
    several = len(terms) > 1
    lemma = ", ".join(dict.fromkeys(f.lemma for f in known))
    definition = "<br><br>".join(
        (f"<b>{escape_text(f.lemma)}</b><br>" if several else "") + _definition(f) for f in known
    )
    pron = " ".join(f"/{f.phonetic}/" for f in known if f.phonetic)
    audio = ""
    name = None
    if options.audio and options.media_dir:
        name = _audio(known[0].lemma, options)
        audio = f"[sound:{name}]"
    tags: list[str] = []
    for f in known:
        tags += [f"level::{level}" for level in f.levels]
        if f.band:
            tags.append(f"freq::{f.band}")
    first = known[0]
    record = (
        lemma,
        first.pos,
        first.gloss,
        first.definition,
        first.phonetic,
        first.levels,
        first.frequency,
        name,
    )
    clean = sanitize.clean_field
    return Taught(
        clean(escape_text(lemma)),
        clean(definition),
        clean(escape_text(pron)),
        audio,
        sanitize.tags(tags),
        hints,
        record,
    )


def _answer(hint: str) -> str:
    return sanitize.clean_field(escape_answer(hint)) if hint else ""


def _audio(lemma: str, options: EnrichOptions) -> str:
    from ankidigest.enrich.audio import AudioError, synthesize

    assert options.media_dir is not None
    try:
        return synthesize(lemma, options.media_dir, options.voice).name
    except AudioError as exc:  # one message a helper can send back
        raise OutputError(str(exc)) from None
