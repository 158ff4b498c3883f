"""Typed records that flow through the pipeline: parse -> model -> build -> write.

Everything here is frozen: the walker creates these once and nothing downstream
mutates them, so a record can be shared, cached and compared safely.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Post:
    """One markdown file and what its front matter says about it."""

    path: str
    title: str
    date: str | None = None
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    mtime: int = 0


@dataclass(frozen=True)
class Article:
    """A heading whose text is a link: the source of the sentences below it."""

    url: str
    title: str
    date: str | None
    line: int


@dataclass(frozen=True)
class Paragraph:
    """A prose block in plain text, with the offsets of every bold span in it."""

    text: str
    bold: tuple[tuple[int, int], ...]
    line: int


@dataclass(frozen=True)
class Term:
    """A bolded span: what the learner marked as a new word.

    ``start``/``end`` are offsets into the sentence text; ``occurrence`` counts
    the same normalised term within its article (1 for the first).
    """

    text: str
    start: int
    end: int
    occurrence: int
    line: int


@dataclass(frozen=True)
class Sentence:
    """A sentence that holds at least one term, with everything a card needs."""

    text: str
    terms: tuple[Term, ...]
    paragraph: Paragraph
    article: Article | None
    section: tuple[str, ...]
    post: Post
    line: int
    translation: str = ""


@dataclass(frozen=True)
class Skip:
    """A bold span (or other thing) the walker saw and deliberately did not card."""

    path: str
    line: int
    text: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: skipped {self.text!r}: {self.reason}"


@dataclass(frozen=True)
class Document:
    """Everything read from one post."""

    post: Post
    sentences: tuple[Sentence, ...]
    articles: int
    skips: tuple[Skip, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def term_count(self) -> int:
        return sum(len(s.terms) for s in self.sentences)


@dataclass(frozen=True)
class NoteSpec:
    """One Anki note, final: fields in note-type order, identity and metadata."""

    guid: str
    key: str
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    deck: str
    mod: int
    terms: tuple[str, ...]
    sentence: str
    source: str | None
    title: str
    date: str | None
    section: str
    path: str
    line: int
    # Highest cloze number this note has ever used; above the numbers in Text when
    # a term was removed (--group sentence), so that number is never given again.
    cloze_max: int = 0
    # The key this note was built under when it kept another (a prior note's) key, the
    # one its guid hashes: a sentence matched to its prior note (update/term_match.py).
    # "" when it is ``key``. The package records it, so the next export finds the note.
    built: str = ""
    # What the enrichment found, for JSON (``notes/enrichment.Taught.record``): lemma, part
    # of speech, Chinese gloss, English definition, IPA, levels, frequency rank, audio
    # file name; () when the note is not enriched.
    enrichment: tuple[object, ...] = ()
    # The new-card position of its cards (Anki shows new cards by it, lowest first); 0:
    # the note's position in the package + 1 (``--order post``). See notes/study.py.
    due: int = 0
