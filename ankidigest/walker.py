"""Parse: a post's markdown -> a Document of sentences that hold bolded terms.

The walker reads mistune's AST with explicit stacks (no recursion, so hostile
nesting cannot overflow), tracks the section path and the current article
(a heading whose text is a link), flattens each prose block to plain text with
the offsets of its bold spans, splits that text into sentences and keeps every
sentence that holds a term.
"""

from __future__ import annotations

import codecs
import html
import os
import re
import stat
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

from . import frontmatter, limits, markdown, sanitize
from .errors import InputError, UsageError
from .model import Article, Document, Paragraph, Post, Sentence, Skip, Term
from .normalize import article_scope, normalize_term
from .sentences import sentence_spans

Token = markdown.Token

_PROSE = frozenset({"paragraph", "block_text"})
_CONTAINERS = frozenset({"list", "list_item", "block_quote"})
_IGNORED = frozenset({"block_code", "block_html", "thematic_break", "blank_line"})
# kramdown attribute lists ({:toc}, {: .class}) carry no prose.
_IAL = re.compile(r"^[ \t]*\{:[^}\n]*\}[ \t]*$", re.MULTILINE)
_HEADING_DATE = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\s*[:：\-–—|]?\s*(.*)$", re.S)
_BR = re.compile(r"<br\s*/?>", re.I)
_JEKYLL_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)$")
MAX_POST_BYTES = 64 * 1024 * 1024
_UTF16_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def read_text(path: str, encoding: str | None = None) -> str:
    """Read a post as text: UTF-8 (BOM allowed) unless ``encoding`` is given, any line
    ends; otherwise a clear InputError (or UsageError for an unknown encoding)."""
    if encoding is not None:
        try:
            encoding = codecs.lookup(encoding).name
        except LookupError:
            raise UsageError(f"--encoding: unknown encoding {encoding!r}") from None
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise InputError(path, "is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise InputError(path, "is not a regular file (a device, pipe or socket?)")
        if info.st_size > MAX_POST_BYTES:
            raise InputError(path, f"is larger than {MAX_POST_BYTES >> 20} MB; not a post?")
        with open(path, "rb") as fh:
            data = fh.read(MAX_POST_BYTES + 1)
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None
    if encoding is None:
        data = _check_utf8_bytes(path, data)
    try:
        text = data.decode(encoding or "utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        name = encoding or "UTF-8"
        raise InputError(
            path,
            f"is not {name} text (byte 0x{data[exc.start]:02x}); save it as UTF-8 "
            "or name its encoding with --encoding",
            line,
        ) from None
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _check_utf8_bytes(path: str, data: bytes) -> bytes:
    if data.startswith(_UTF16_BOMS):
        raise InputError(path, "is UTF-16/32 text; save it as UTF-8 or use --encoding utf-16")
    if b"\x00" in data:
        raise InputError(
            path,
            "looks binary (contains NUL bytes); if it is UTF-16 text without a byte "
            "order mark, use --encoding utf-16-le or utf-16-be",
        )
    return data


def read_post(path: str, encoding: str | None = None) -> Document:
    """Read and walk one markdown file."""
    text = read_text(path, encoding)
    try:
        mtime = int(os.stat(path).st_mtime)
    except OSError:
        mtime = 0
    return walk(text, path, mtime)


def walk(text: str, path: str = "<text>", mtime: int = 0) -> Document:
    """Walk markdown text (already decoded) into a Document."""
    text, cleaned = sanitize.clean_text(text)
    header, body, _ = frontmatter.split(text)
    meta = frontmatter.parse(header) if header is not None else frontmatter.FrontMatter()
    body = _IAL.sub("", body)
    walker = _Walk(path, body)
    try:
        tokens = markdown.parse(body)
    except RecursionError:  # mistune bounds nesting itself; this is a last resort
        raise InputError(path, "markdown nested too deeply to parse") from None
    walker.run(tokens)
    post = Post(
        path=path,
        title=meta.title or walker.first_h1 or _title_from_name(path),
        date=meta.date or _date_from_name(path),
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
        )
        for s in walker.sentences
    )
    warnings = tuple(f"{path}:{note}" for note in cleaned)
    if meta.warning:
        warnings += (f"{path}:1: {meta.warning}",)
    doc = Document(post, sentences, walker.articles, tuple(walker.skips), warnings)
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


class _Walk:
    def __init__(self, path: str, source: str) -> None:
        self.path = path
        self.source = source
        self.lines = source.split("\n")
        self.line_starts = [0]
        for line in self.lines[:-1]:
            self.line_starts.append(self.line_starts[-1] + len(line) + 1)
        self.sections: list[tuple[int, str]] = []
        self.article: Article | None = None
        self.article_level = 0
        self.articles = 0
        self.first_h1: str | None = None
        self.title_heading: Token | None = None
        self.sentences: list[_Pending] = []
        self.skips: list[Skip] = []
        self.seen: dict[tuple[str, str], int] = {}
        self.pos = 0  # where the last term was found in ``source`` (locate only moves on)

    # -- positions -------------------------------------------------------
    def line_of(self, offset: int) -> int:
        line = bisect_right(self.line_starts, offset)
        while line < len(self.lines) and not self.lines[line - 1].strip():
            line += 1
        return line

    def locate(self, needle: str, start: int) -> int:
        """First line at or after ``start`` holding ``needle`` as bold, else as text.

        Searches forward from the last term found, at most 400 lines and 16 KB,
        so a huge line with thousands of terms stays linear.
        """
        pos = max(self.pos, self.line_starts[start - 1])
        last = min(len(self.lines), start + 400) - 1
        end = min(self.line_starts[last] + len(self.lines[last]), pos + 16_384)
        found = self.source.find("**" + needle, pos, end)
        under = self.source.find("__" + needle, pos, end if found == -1 else found)
        found = under if under != -1 else found
        if found == -1:
            found = self.source.find(needle, pos, end)
            if found == -1:
                return start
        self.pos = found
        return bisect_right(self.line_starts, found)

    # -- the walk --------------------------------------------------------
    def run(self, tokens: list[Token]) -> None:
        h1 = [t for t in tokens if t["type"] == "heading" and t.get("attrs", {}).get("level") == 1]
        self.title_heading = h1[0] if len(h1) == 1 else None
        stack: list[tuple[Token, int]] = [(t, 1) for t in reversed(tokens)]
        while stack:
            token, line = stack.pop()
            if "_off" in token:
                line = self.line_of(token["_off"])
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
            elif kind in _IGNORED:
                continue
            elif kind in _CONTAINERS or "children" in token:
                stack.extend((child, line) for child in reversed(token.get("children", ())))

    def heading(self, token: Token, line: int) -> None:
        level = int(token.get("attrs", {}).get("level", 1))
        children = [c for c in token.get("children", ()) if not _is_blank(c)]
        text, bold = flatten(children)
        for start, end in bold:
            self.skips.append(Skip(self.path, line, text[start:end], "bold in a heading"))
        if self.article is not None and level <= self.article_level:
            self.article = None
        while self.sections and self.sections[-1][0] >= level:
            self.sections.pop()
        if len(children) == 1 and children[0]["type"] == "link":
            link = children[0]
            url = str(link.get("attrs", {}).get("url", "")).strip()
            label = text.strip()
            m = _HEADING_DATE.match(label)
            date = None
            if m:
                date = f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
                label = m.group(4).strip() or label
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

    def prose(self, children: Iterable[Token], line: int) -> None:
        text, bold = flatten(children)
        if not bold:
            return
        terms: list[tuple[int, int]] = []
        for start, end in bold:
            raw = text[start:end]
            s = start + (len(raw) - len(raw.lstrip()))
            e = end - (len(raw) - len(raw.rstrip()))
            if e <= s:
                self.skips.append(Skip(self.path, line, raw, "empty bold"))
                continue
            terms.append((s, e))
        if not terms:
            return
        paragraph = Paragraph(text=text, bold=tuple(terms), line=line)
        section = tuple(title for _, title in self.sections)
        scope = article_scope(self.article, self.path, section)
        cursor = line
        for s_start, s_end, inside in _group(sentence_spans(text), terms):
            made: list[Term] = []
            for t_start, t_end in inside:
                word = text[t_start:t_end]
                key = (scope, normalize_term(word))
                occurrence = self.seen.get(key, 0) + 1
                self.seen[key] = occurrence
                cursor = self.locate(word.split("\n")[0], cursor)
                made.append(Term(word, t_start - s_start, t_end - s_start, occurrence, cursor))
            self.sentences.append(
                _Pending(
                    text=text[s_start:s_end],
                    terms=tuple(made),
                    paragraph=paragraph,
                    article=self.article,
                    section=section,
                    line=made[0].line,
                )
            )


def _group(
    spans: list[tuple[int, int]], terms: list[tuple[int, int]]
) -> list[tuple[int, int, list[tuple[int, int]]]]:
    """Assign each term to its sentence; a term crossing a boundary joins the sentences."""
    out: list[tuple[int, int, list[tuple[int, int]]]] = []
    ti = 0
    si = 0
    while ti < len(terms) and si < len(spans):
        start, end = spans[si]
        if terms[ti][0] >= end:
            si += 1
            continue
        start = min(start, terms[ti][0])
        inside: list[tuple[int, int]] = []
        while ti < len(terms) and terms[ti][0] < end:
            while terms[ti][1] > end and si + 1 < len(spans):
                si += 1
                end = spans[si][1]
            end = max(end, terms[ti][1])
            inside.append(terms[ti])
            ti += 1
        out.append((start, end, inside))
        si += 1
    return out


def flatten(children: Iterable[Token]) -> tuple[str, list[tuple[int, int]]]:
    """Inline tokens -> (plain text, [(start, end) of each outermost bold span])."""
    parts: list[str] = []
    size = 0
    bold: list[tuple[int, int]] = []
    depth = 0
    stack: list[Token | tuple[str, int]] = list(reversed(list(children)))
    while stack:
        item = stack.pop()
        if isinstance(item, tuple):  # end of a strong span
            depth -= 1
            if depth == 0:
                bold.append((item[1], size))
            continue
        kind = item["type"]
        piece = ""
        if kind == "text":
            piece = html.unescape(item.get("raw", ""))
        elif kind == "codespan":
            piece = item.get("raw", "")
        elif kind == "softbreak":
            piece = " "
        elif kind == "linebreak":
            piece = "\n"
        elif kind == "inline_html":
            piece = "\n" if _BR.fullmatch(item.get("raw", "").strip()) else ""
        elif kind == "image":
            continue
        elif kind == "strong":
            depth += 1
            stack.append(("/strong", size))
            stack.extend(reversed(item.get("children", ())))
            continue
        elif "children" in item:
            stack.extend(reversed(item["children"]))
            continue
        else:
            piece = item.get("raw", "")
        if piece:
            parts.append(piece)
            size += len(piece)
    return "".join(parts), bold


def _is_blank(token: Token) -> bool:
    return token["type"] == "text" and not token.get("raw", "").strip()


def _title_from_name(path: str) -> str:
    stem = os.path.splitext(os.path.basename(path))[0]
    m = _JEKYLL_NAME.match(stem)
    title = (m.group(4) if m else stem).replace("-", " ").replace("_", " ")
    return " ".join(sanitize.clean_field(title).split()) or "untitled"


def _date_from_name(path: str) -> str | None:
    m = _JEKYLL_NAME.match(os.path.splitext(os.path.basename(path))[0])
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else None
