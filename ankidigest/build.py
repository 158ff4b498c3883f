"""Build: Documents -> NoteSpecs (fields, guid, deck, tags, mod), ready to write.

One note per term by default ("term"); with "sentence", one note per sentence
with one cloze number per term. Identity comes from normalize.py; this module
only decides what goes into each field.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from . import sanitize
from .cloze import build_cloze, escape_text, highlight
from .errors import OutputError, UsageError
from .limits import MAX_CONTEXT_CHARS
from .model import Document, NoteSpec, Sentence, Term
from .normalize import article_scope, guid_for, normalize_term
from .notetype import FIELD_NAMES

GROUPS = ("term", "sentence")
DEFAULT_PARENT_DECK = "ankidigest"
_SAFE_URL = re.compile(r"^https?://", re.I)
_HTML_SPECIAL = re.compile(r"[&<>\"']")


@dataclass(frozen=True)
class BuildOptions:
    """How Documents become notes. ``deck`` may contain '{title}' for a deck per post."""

    deck: str | None = None
    tags: tuple[str, ...] = ()
    group: str = "term"


def build_notes(
    documents: Sequence[Document], options: BuildOptions | None = None
) -> list[NoteSpec]:
    """Turn walked posts into notes. Raises OutputError if two notes would share a guid."""
    options = options or BuildOptions()
    if options.group not in GROUPS:
        raise UsageError(f"--group must be one of {', '.join(GROUPS)}, not {options.group!r}")
    notes: list[NoteSpec] = []
    earlier: dict[tuple[str, str], int] = {}  # occurrences counted in earlier posts
    for doc in documents:
        deck = deck_name(doc, options.deck, several=len(documents) > 1)
        base_tags = _tags(doc.post.tags + doc.post.categories + options.tags)
        counted: dict[tuple[str, str], int] = {}
        for sentence in doc.sentences:
            scope = article_scope(sentence.article, doc.post.path, sentence.section)
            numbered = []
            for term in sentence.terms:
                key = (scope, normalize_term(term.text))
                counted[key] = max(counted.get(key, 0), term.occurrence)
                numbered.append((term, term.occurrence + earlier.get(key, 0)))
            tags = base_tags + _tags(("::".join(sentence.section),) if sentence.section else ())
            if options.group == "term":
                for term, occurrence in numbered:
                    ident = f"{scope}#{normalize_term(term.text)}#{occurrence}"
                    notes.append(_note(sentence, (term,), ident, deck, tags))
            else:
                first, occurrence = numbered[0]
                ident = f"{scope}#s#{normalize_term(first.text)}#{occurrence}"
                notes.append(_note(sentence, sentence.terms, ident, deck, tags))
        for key, count in counted.items():
            earlier[key] = earlier.get(key, 0) + count
    check_unique(notes)
    return notes


def check_unique(notes: Iterable[NoteSpec]) -> None:
    seen: dict[str, NoteSpec] = {}
    for note in notes:
        other = seen.get(note.guid)
        if other is not None:
            raise OutputError(
                f"{note.path}:{note.line}: note would share its identity with "
                f"{other.path}:{other.line} ({note.key!r}); nothing was written"
            )
        seen[note.guid] = note


def deck_name(doc: Document, requested: str | None, several: bool) -> str:
    title = _deck_part(doc.post.title)
    if requested:
        name = requested.replace("{title}", title)
    else:
        name = f"{DEFAULT_PARENT_DECK}::{title}" if several else title
    parts = [p.strip() for p in sanitize.deck(name).split("::")]
    if not all(parts):
        raise UsageError(f"deck name {name!r} has an empty part")
    return "::".join(parts)


def _deck_part(title: str) -> str:
    return " ".join(title.replace("::", ":").split()) or "ankidigest"


def _tags(raw: Iterable[str]) -> tuple[str, ...]:
    return sanitize.tags(raw)


def _context(sentence: Sentence, terms: tuple[Term, ...]) -> str:
    """The paragraph with only this note's terms in bold (empty when it is the sentence).

    Other bolds stay plain so that bolding one more word in a paragraph does not
    change, and so re-send, the notes of its neighbours.
    """
    para = sentence.paragraph
    if para.text.strip() == sentence.text or len(para.text) > MAX_CONTEXT_CHARS:
        return ""
    bold = set(para.bold)
    at = para.text.find(sentence.text)
    while at >= 0:
        spans = [(at + t.start, at + t.end) for t in terms]
        if all(span in bold for span in spans):
            return highlight(para.text, spans)
        at = para.text.find(sentence.text, at + 1)
    return highlight(para.text, para.bold)


def _note(
    sentence: Sentence, terms: tuple[Term, ...], ident: str, deck: str, tags: tuple[str, ...]
) -> NoteSpec:
    if len(terms) == 1:
        spans = [(terms[0].start, terms[0].end, 1)]
    else:
        spans = [(t.start, t.end, i) for i, t in enumerate(terms, 1)]
    article = sentence.article
    post = sentence.post
    url = article.url if article and _SAFE_URL.match(article.url) else ""
    title = article.title if article else post.title
    date = (article.date if article else None) or post.date
    section = " › ".join(sentence.section)
    fields = dict.fromkeys(FIELD_NAMES, "")
    fields.update(
        Text=build_cloze(sentence.text, spans),
        Term=escape_text(", ".join(t.text for t in terms)),
        Context=_context(sentence, terms),
        Source=escape_text(title),
        URL=html.escape(url, quote=True) if _HTML_SPECIAL.search(url) else url,
        Date=date or "",
        Section=escape_text(section),
        Post=escape_text(post.title),
        Key=escape_text(ident),
        Translation=escape_text(sentence.translation),
    )
    return NoteSpec(
        guid=guid_for(ident),
        key=ident,
        fields=tuple(map(sanitize.clean_field, fields.values())),  # in FIELD_NAMES order
        tags=tags,
        deck=deck,
        mod=post.mtime,
        terms=tuple(t.text for t in terms),
        sentence=sentence.text,
        source=url or None,
        title=title,
        date=date,
        section=section,
        path=post.path,
        line=terms[0].line,
        cloze_max=len(spans),
    )
