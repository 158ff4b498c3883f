"""Parse: a post's markdown -> a Document of sentences that hold bolded terms.

The walker reads mistune's AST with explicit stacks (no recursion, so hostile
nesting cannot overflow), tracks the section path and the current article
(a heading whose text is a link), flattens each prose block to plain text with
the offsets of its bold spans, splits that text into sentences and keeps every
sentence that holds a term.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate

from ankidigest import limits, sanitize
from ankidigest.errors import InputError, UsageError
from ankidigest.identity import article_scope, normalize_term
from ankidigest.model import Article, Document, Paragraph, Post, Sentence, Skip, Term
from ankidigest.read import frontmatter, markdown
from ankidigest.read.containers import CARD_BLOCK, unwrap
from ankidigest.read.decode import date_from_name, dated_title, mtime_of, read_text, title_from_name
from ankidigest.read.flatten import flatten, flatten_block, is_blank
from ankidigest.read.spans import after_mark, cut_out, empty_bolds, group_by_sentence, outermost
from ankidigest.terms.classify import analyse
from ankidigest.terms.lookup import is_lookup
from ankidigest.terms.reasons import EMPTY
from ankidigest.terms.sources import Sources, find_sources
from ankidigest.terms.translation import split_parts, translation_for

Token = markdown.Token

_PROSE = frozenset({"paragraph", "block_text", "table_cell"})
_CONTAINERS = frozenset({"list", "list_item", "block_quote"})
_IGNORED = frozenset({"block_code", "block_html", "thematic_break", "blank_line"})
# kramdown attribute lists ({:toc}, {: .class}) carry no prose.
_IAL = re.compile(r"^[ \t]*\{:[^}\n]*\}[ \t]*$", re.MULTILINE)
TERMS = ("bold", "bold+highlight")
# What find_sources gives a block without links (never modified: the walker only reads it).
_NO_SOURCES = Sources()


def read_post(path: str, terms: str = "bold", encoding: str | None = None) -> Document:
    """Read and walk one markdown file (``terms``: "bold" or "bold+highlight"; posts
    are UTF-8 unless ``encoding`` names another codec)."""
    check_terms(terms)
    return walk(read_text(path, encoding), path, mtime_of(path), terms=terms)


def check_terms(terms: str) -> None:
    if terms not in TERMS:
        raise UsageError(f"--terms must be one of {', '.join(TERMS)}, not {terms!r}")


def walk(text: str, path: str = "<text>", mtime: int = 0, terms: str = "bold") -> Document:
    """Walk markdown text (already decoded) into a Document.

    ``terms`` says what a learner's mark is: "bold" (default) or "bold+highlight"
    (``==x==`` and ``<mark>`` too).
    """
    check_terms(terms)
    text, cleaned = sanitize.clean_text(text)
    header, body, _ = frontmatter.split(text)
    meta = frontmatter.parse(header) if header is not None else frontmatter.FrontMatter()
    body = unwrap(_IAL.sub("", body))
    walker = _Walk(path, body, highlight=terms == "bold+highlight")
    try:
        tokens = markdown.parse(body)
    except RecursionError:  # mistune bounds nesting itself; this is a last resort
        raise InputError(path, "markdown nested too deeply to parse") from None
    walker.run(tokens)
    post = Post(
        path=path,
        title=meta.title or walker.first_h1 or title_from_name(path),
        date=meta.date or date_from_name(path),
        tags=meta.tags,
        categories=meta.categories,
        mtime=mtime,
    )
    sentences = tuple(
        Sentence(
            text=s.text,
            terms=s.terms,
            paragraph=s.paragraph,
            article=s.article,
            section=s.section,
            post=post,
            line=s.line,
            translation=s.translation,
        )
        for s in walker.sentences
    )
    warnings = [f"{path}:{note}" for note in cleaned]
    warnings += [f"{path}:1: {meta.warning}"] if meta.warning else []
    warnings += walker.warnings
    doc = Document(post, sentences, walker.articles, tuple(walker.skips), tuple(warnings))
    return limits.bound(doc)


@dataclass
class _Pending:
    """A sentence before the Post it belongs to is known."""

    text: str
    terms: tuple[Term, ...]
    paragraph: Paragraph
    article: Article | None
    section: tuple[str, ...]
    line: int
    translation: str = ""


class _Walk:
    def __init__(self, path: str, source: str, highlight: bool = False) -> None:
        self.path = path
        self.highlight = highlight
        self.warnings: list[str] = []
        self.source = source
        self.lines = source.split("\n")
        # Where each line starts: 0, then one past each line's "\n".
        self.line_starts = list(accumulate((len(line) + 1 for line in self.lines[:-1]), initial=0))
        self.sections: list[tuple[int, str]] = []
        self.section: tuple[str, ...] | None = ()  # their titles (None: to work out again)
        self.article: Article | None = None
        self.link_article: Article | None = None  # from a block that is only a source link
        self.source_urls: set[str] = set()
        # The last prose block's English sentences and the notes made from them, for a
        # translation that follows as a block of its own.
        self.previous: tuple[list[tuple[int, int]], dict[tuple[int, int], _Pending]] | None = None
        self.article_level = 0
        self.articles = 0
        self.first_h1: str | None = None
        self.title_heading: Token | None = None
        self.sentences: list[_Pending] = []
        self.skips: list[Skip] = []
        self.seen: dict[tuple[str, str], int] = {}
        self.cursor = 1  # the line of the last span placed, within the current block
        self.pos = 0  # the source offset just after the last span placed

    # -- positions -------------------------------------------------------
    def line_of(self, offset: int) -> int:
        line = bisect_right(self.line_starts, offset)
        while line < len(self.lines) and not self.lines[line - 1].strip():
            line += 1
        return line

    def locate(self, needle: str, start: int) -> int:
        """First line at or after ``start`` (and after the last span placed) holding
        ``needle`` as marked text, else as plain text."""
        begin = max(self.pos, self.line_starts[start - 1])
        last = min(len(self.lines), bisect_right(self.line_starts, begin) + 400) - 1
        # At most 400 lines and 16 KB ahead: each call is bounded, so thousands of
        # terms on one 2 MB line stay linear.
        stop = min(self.line_starts[last] + len(self.lines[last]), begin + 16_384)
        source = self.source
        plain = -1
        at = source.find(needle, begin, stop) if needle else -1
        while at != -1:
            if after_mark(source, at, begin):
                break
            if plain == -1:
                plain = at
            at = source.find(needle, at + 1, stop)
        at = at if at != -1 else plain
        if at == -1:
            return start
        self.pos = at + len(needle)
        return bisect_right(self.line_starts, at)

    # -- the walk --------------------------------------------------------
    def run(self, tokens: list[Token]) -> None:
        h1 = [t for t in tokens if t["type"] == "heading" and t.get("attrs", {}).get("level") == 1]
        self.title_heading = h1[0] if len(h1) == 1 else None
        stack: list[tuple[Token, int]] = [(t, 1) for t in reversed(tokens)]
        while stack:
            token, line = stack.pop()
            if "_off" in token:
                line = self.cursor = self.line_of(token["_off"])
            kind = token["type"]
            if kind == "heading":
                self.heading(token, line)
            elif kind in _PROSE:
                children = token.get("children", ())
                if children and "_skip" in children[0]:
                    raw = children[0].get("raw", "")
                    self.skips.append(Skip(self.path, line, raw[:60], children[0]["_skip"]))
                    continue
                self.prose(children, line)
            elif kind == "block_code" and token.get("attrs", {}).get("info") == CARD_BLOCK:
                self.card_block(str(token.get("raw", "")), line)
            elif kind in _IGNORED:
                continue
            elif kind in _CONTAINERS or "children" in token:
                stack.extend((child, line) for child in reversed(token.get("children", ())))

    def heading(self, token: Token, line: int) -> None:
        level = int(token.get("attrs", {}).get("level", 1))
        self.section = None  # (self.sections may change below)
        children = [c for c in token.get("children", ()) if not is_blank(c)]
        text, bold = flatten(children)
        for start, end in bold:
            self.skips.append(Skip(self.path, line, text[start:end], "bold in a heading"))
        self.link_article = None
        self.previous = None
        if self.article is not None and level <= self.article_level:
            self.article = None
        while self.sections and self.sections[-1][0] >= level:
            self.sections.pop()
        url = ""
        if len(children) == 1 and children[0]["type"] == "link":
            url = str(children[0].get("attrs", {}).get("url", "")).strip()
        if url and not is_lookup(url):  # a dictionary link names a word, not an article
            date, label = dated_title(text.strip())
            self.article = Article(url=url, title=label, date=date, line=line)
            self.article_level = level
            self.articles += 1
            return
        title = " ".join(text.split())
        if token is self.title_heading:  # a post's only H1 is its title, not a section
            self.first_h1 = title
            return
        if title:
            self.sections.append((level, title))

    def source_article(self, link: tuple[str, str], line: int) -> Article:
        """An article made from a link that stands for a sentence's source."""
        url, title = link
        if url not in self.source_urls:
            self.source_urls.add(url)
            self.articles += 1
        return Article(url=url, title=title or url, date=None, line=line)

    def card_block(self, raw: str, line: int) -> None:
        """An Obsidian_to_Anki START...END block: its bold is on a card already."""
        stack = list(reversed(markdown.parse(raw)))
        while stack:
            token = stack.pop()
            if token["type"] in _PROSE:
                text, bold = flatten(token.get("children", ()))
                for start, end in bold:
                    where = self.locate(text[start:end], line)
                    reason = "inside an Obsidian_to_Anki card block (a card already)"
                    self.skips.append(Skip(self.path, where, text[start:end], reason))
            else:
                stack.extend(reversed(token.get("children", ())))

    def prose(self, children: Iterable[Token], line: int) -> None:
        flat = flatten_block(children)
        text = flat.text
        parts = split_parts(text)
        translated = False
        if parts and parts[0].foreign and all(part.foreign for part in parts):
            translated = self.translate_previous(text, bool(flat.bold or flat.marks))
        self.previous = None
        sources = find_sources(text, flat.links) if flat.links else _NO_SOURCES
        if sources.standalone:
            self.link_article = self.source_article(sources.standalone, line)
        # flatten_block's bold spans are sorted and disjoint already (its own outermost).
        marked = outermost(flat.bold + flat.marks) if self.highlight else flat.bold
        spans: list[tuple[int, int]] = []
        for start, end in marked:
            raw = text[start:end]
            s = start + (len(raw) - len(raw.lstrip()))
            e = end - (len(raw) - len(raw.rstrip()))
            if e <= s:
                self.skips.append(Skip(self.path, line, raw, EMPTY))
                continue
            spans.append((s, e))
        for where, raw in empty_bolds(text, line, self.lines):
            self.skips.append(Skip(self.path, where, raw, EMPTY))
        for start, end in flat.malformed:
            word = text[start:end].strip()
            where = self.locate(word, line)
            self.warnings.append(
                f"{self.path}:{where}: malformed bold around {word!r}, read as bold"
            )
        if not spans:
            return
        found = analyse(text, spans, sources.cuts, translation=translated, parts=parts)
        lines: dict[tuple[int, int], int] = {}
        for start, end in spans:  # place every span in order, so repeated words get their line
            self.cursor = self.locate(text[start:end].partition("\n")[0], max(line, self.cursor))
            lines[(start, end)] = self.cursor
        for span, reason in found.skipped:
            self.skips.append(Skip(self.path, lines[span], text[span[0] : span[1]], reason))
        if not found.kept:
            return
        made_here: dict[tuple[int, int], _Pending] = {}
        ordered = sorted(
            found.sentences
        )  # one list: group_by_sentence and translate_previous only read it
        self.previous = (ordered, made_here)
        paragraph = Paragraph(text=text, bold=tuple(found.kept), line=line)
        section = self.section
        if section is None:
            section = self.section = tuple(title for _, title in self.sections)
        scope_of: tuple[Article | None, str] | None = None  # the last article's scope
        for s_start, s_end, inside in group_by_sentence(ordered, found.kept):
            article = self.article or self.link_article
            own = sources.for_offset(s_start) if sources.by_line else None
            if own is not None:
                article = self.source_article(own, lines[found.origin[inside[0]]])
            if scope_of is None or scope_of[0] is not article:  # (the section is the block's)
                scope_of = (article, article_scope(article, self.path, section))
            scope = scope_of[1]
            made: list[Term] = []
            said, at = text[s_start:s_end], None
            if found.cuts:  # a bold gloss inside is no part of the sentence's text
                said, at = cut_out(text, s_start, s_end, found.cuts, inside)
            for i, (t_start, t_end) in enumerate(inside):
                word = text[t_start:t_end]
                key = (scope, normalize_term(word))
                occurrence = self.seen.get(key, 0) + 1
                self.seen[key] = occurrence
                where = lines[found.origin[(t_start, t_end)]]
                t_start, t_end = at[i] if at else (t_start - s_start, t_end - s_start)
                made.append(Term(word, t_start, t_end, occurrence, where))
            pending = _Pending(
                text=said,
                terms=tuple(made),
                paragraph=paragraph,
                article=article,
                section=section,
                line=made[0].line,
                translation=found.translations.get((s_start, s_end), ""),
            )
            made_here[(s_start, s_end)] = pending
            self.sentences.append(pending)

    def translate_previous(self, text: str, marked: bool) -> bool:
        """A block in another script right after an English one translates it when that
        is clear: the English block is one sentence, or the block has no bold and as
        many sentences as the English one. Otherwise it is prose of its own."""
        if self.previous is None:
            return False
        sentences, made = self.previous
        if marked and len(sentences) != 1:
            return False
        pairs = translation_for(sentences, text)
        for span, translated in pairs:
            pending = made.get(span)
            if pending is not None and not pending.translation:
                pending.translation = translated
        return bool(pairs)
