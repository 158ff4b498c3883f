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

from ankidigest import sanitize
from ankidigest.errors import OutputError, UsageError
from ankidigest.identity import article_scope, guid_for, normalize_term
from ankidigest.limits import MAX_CONTEXT_CHARS
from ankidigest.model import Article, Document, NoteSpec, Paragraph, Post, Sentence, Term
from ankidigest.notes.cloze import build_cloze, escape_text, highlight, is_plain
from ankidigest.notes.enrichment import DEFAULT_HINT, HINTS, EnrichOptions, teach

GROUPS = ("term", "sentence")  # --group lemma: notes/lemmas.py, from "term"
DEFAULT_PARENT_DECK = "ankidigest"
_SAFE_URL = re.compile(r"^https?://", re.I)
_HTML_SPECIAL = re.compile(r"[&<>\"']")
_COLONS = re.compile(r":{2,}")


@dataclass(frozen=True)
class BuildOptions:
    """How Documents become notes. ``deck`` may contain '{title}' for a deck per post."""

    deck: str | None = None
    tags: tuple[str, ...] = ()
    group: str = "term"
    # Lemma, Definition, Pronunciation, Audio and level/frequency tags (None: none).
    enrich: EnrichOptions | None = None
    # What the front shows in place of "[...]": see notes/enrichment.HINTS.
    hint: str = DEFAULT_HINT


def build_notes(
    documents: Sequence[Document], options: BuildOptions | None = None
) -> list[NoteSpec]:
    """Turn walked posts into notes. Raises OutputError if two notes would share a guid."""
    options = options or BuildOptions()
    if options.group not in GROUPS:
        raise UsageError(f"--group must be one of {', '.join(GROUPS)}, not {options.group!r}")
    if options.hint not in HINTS:
        raise UsageError(f"--hint must be one of {', '.join(HINTS)}, not {options.hint!r}")
    notes: list[NoteSpec] = []
    earlier: dict[tuple[str, str], int] = {}  # occurrences counted in earlier posts
    by_term = options.group == "term"
    for doc in documents:
        deck = deck_name(doc, options.deck, several=len(documents) > 1)
        base_tags = _tags(doc.post.tags + doc.post.categories + options.tags)
        counted: dict[tuple[str, str], int] = {}
        # Many sentences share an article and section: what only those decide is
        # worked out once per post (see _Place).
        places: dict[tuple[Article | None, tuple[str, ...]], _Place] = {}
        paragraph: Paragraph | None = None  # the sentences of a paragraph come one after another
        para_plain = False
        place: _Place | None = None
        article: Article | None = None
        section: tuple[str, ...] = ()
        for sentence in doc.sentences:
            # The last sentence's place when it has the same article and section (what
            # the look-up below would give, without hashing the article again).
            if (
                place is None
                or sentence.article is not article
                or sentence.section != section
                or place.post is not sentence.post
            ):
                article, section = sentence.article, sentence.section
                where = (article, section)
                place = places.get(where)
                if place is None or place.post is not sentence.post:
                    place = places[where] = _place(sentence, doc.post.path, base_tags)
            scope = place.scope
            if sentence.paragraph is not paragraph:
                paragraph = sentence.paragraph
                para_plain = _plain(paragraph.text)
            common = _Common(place, sentence, para_plain)
            first = ""  # a sentence's note is named by its first term (--group sentence)
            for term in sentence.terms:
                normal = normalize_term(term.text)
                key = (scope, normal)
                counted[key] = max(counted.get(key, 0), term.occurrence)
                occurrence = term.occurrence + earlier.get(key, 0)
                if by_term:
                    ident = f"{scope}#{normal}#{occurrence}"
                    notes.append(_note(common, (term,), ident, deck, options))
                elif not first:
                    first = f"{scope}#s#{normal}#{occurrence}"
            if not by_term:
                notes.append(_note(common, sentence.terms, first, deck, options))
        for key, count in counted.items():
            earlier[key] = earlier.get(key, 0) + count
    check_unique(notes)
    return notes


def check_unique(notes: Sequence[NoteSpec]) -> None:
    """OutputError naming both places when two notes would share a guid."""
    if len({note.guid for note in notes}) == len(notes):
        return  # the usual case, in one fast pass
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
    """A title as one deck level: its '::' runs (':::' too) are one ':', never a level."""
    return " ".join(_COLONS.sub(":", title).split()) or "ankidigest"


def _tags(raw: Iterable[str]) -> tuple[str, ...]:
    return sanitize.tags(raw)


@dataclass(frozen=True)
class _Place:
    """What every note from one article (or post) and section shares: its occurrence
    scope, tags and metadata, and the fields they give, escaped and cleaned once."""

    post: Post
    scope: str
    tags: tuple[str, ...]
    url: str
    title: str
    date: str | None
    section: str
    fields: tuple[str, ...]  # Source, URL, Date, Section, Post


def _place(sentence: Sentence, path: str, base_tags: tuple[str, ...]) -> _Place:
    """``path``: the file of the post being built, whose name is the scope of a sentence
    without an article (``sentence.post`` gives the other fields)."""
    article = sentence.article
    post = sentence.post
    url = article.url if article and _SAFE_URL.match(article.url) else ""
    title = article.title if article else post.title
    date = (article.date if article else None) or post.date
    section = " › ".join(sentence.section)
    fields = (
        escape_text(title),
        html.escape(url, quote=True) if _HTML_SPECIAL.search(url) else url,
        date or "",
        escape_text(section),
        escape_text(post.title),
    )
    return _Place(
        post=post,
        scope=article_scope(article, path, sentence.section),
        tags=base_tags + _tags(("::".join(sentence.section),) if sentence.section else ()),
        url=url,
        title=title,
        date=date,
        section=section,
        fields=tuple(map(sanitize.clean_field, fields)),
    )


def _plain(text: str) -> bool:
    """Whether ``text`` is its own escape_text and clean_field. Then so is every slice of
    it, and a cloze or highlight of it (they add ASCII marks only) is its own clean_field."""
    return is_plain(text) and sanitize.is_clean(text)


class _Common:
    """What every note from one sentence shares (one note per term, or one in all).
    ``plain`` and ``para_plain``: _plain of the sentence and of its paragraph."""

    __slots__ = ("para_plain", "place", "plain", "sentence", "translation", "whole")

    def __init__(self, place: _Place, sentence: Sentence, para_plain: bool) -> None:
        self.place = place
        self.sentence = sentence
        self.translation = sanitize.clean_field(escape_text(sentence.translation))
        para = sentence.paragraph
        # True when the paragraph adds nothing to the sentence (or is too long to show).
        self.whole = para.text.strip() == sentence.text or len(para.text) > MAX_CONTEXT_CHARS
        self.plain = _plain(sentence.text)
        self.para_plain = para_plain


def _context(sentence: Sentence, terms: tuple[Term, ...], plain: bool | None = None) -> str:
    """The paragraph with only this note's terms in bold, for a sentence that is not its
    whole paragraph (see _Common.whole: otherwise the Context field is empty).

    Other bolds stay plain so that bolding one more word in a paragraph does not
    change, and so re-send, the notes of its neighbours. ``plain``: is_plain of the
    paragraph, when known.
    """
    para = sentence.paragraph
    bold = set(para.bold)
    at = para.text.find(sentence.text)
    while at >= 0:
        spans = [(at + t.start, at + t.end) for t in terms]
        if all(span in bold for span in spans):
            return highlight(para.text, spans, plain)
        at = para.text.find(sentence.text, at + 1)
    return highlight(para.text, para.bold, plain)


def _note(
    common: _Common, terms: tuple[Term, ...], ident: str, deck: str, options: BuildOptions
) -> NoteSpec:
    sentence = common.sentence
    place = common.place
    clean = sanitize.clean_field
    if len(terms) == 1:
        spans = [(terms[0].start, terms[0].end, 1)]
        texts: tuple[str, ...] = (terms[0].text,)
    else:
        spans = [(t.start, t.end, i) for i, t in enumerate(terms, 1)]
        texts = tuple(t.text for t in terms)
    source, url, date, section, post = place.fields
    tags = place.tags
    if options.enrich is None and options.hint in ("gloss", "pos", "none"):
        taught = None  # nothing to add: the fields as they always were
        hints: tuple[str, ...] = ()
    else:
        if len(terms) == 1:
            where: tuple[tuple[str, int, int], ...] = ((texts[0], spans[0][0], spans[0][1]),)
        else:
            where = tuple((t.text, t.start, t.end) for t in terms)
        taught = teach(options.enrich, options.hint, where, sentence.text)
        hints = taught.hints
        if taught.tags:
            tags = tags + tuple(t for t in taught.tags if t not in tags)
    if common.plain:  # (see _plain)
        cloze = build_cloze(sentence.text, spans, True, hints)
    else:
        cloze = clean(build_cloze(sentence.text, spans, None, hints))
    if common.whole:
        context = ""
    elif common.para_plain:
        context = _context(sentence, terms, True)
    else:
        context = clean(_context(sentence, terms))
    fields = (  # in FIELD_NAMES order (a test checks it against a build by field name)
        cloze,  # Text
        clean(escape_text(", ".join(texts))),  # Term
        taught.lemma if taught else "",  # Lemma
        taught.definition if taught else "",  # Definition
        common.translation,  # Translation
        taught.pronunciation if taught else "",  # Pronunciation
        taught.audio if taught else "",  # Audio
        "",  # Image
        context,  # Context
        source,
        url,
        date,
        section,
        post,
        clean(escape_text(ident)),  # Key
    )
    return NoteSpec(
        guid=guid_for(ident),
        key=ident,
        fields=fields,
        tags=tags,
        deck=deck,
        mod=sentence.post.mtime,
        terms=texts,
        sentence=sentence.text,
        source=place.url or None,
        title=place.title,
        date=place.date,
        section=place.section,
        path=sentence.post.path,
        line=terms[0].line,
        cloze_max=len(spans),
        enrichment=taught.record if taught else (),
    )
