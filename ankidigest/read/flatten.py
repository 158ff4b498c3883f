"""Flatten a prose block's inline tokens to plain text plus the spans a learner marked.

What counts as marked: ``**bold**``/``__bold__``, ``<b>``/``<strong>`` tags, and a
malformed ``*x**`` or ``**x*`` (emphasis glued to a stray star: the learner meant
bold). Highlights (``==x==``, ``<mark>``) are kept apart, as ``marks``. Noise is
cleaned on the way: HTML entities are decoded, other tags and anchors vanish,
``~~wrong~~ ==> fix`` keeps only the fix, a wikilink shows its alias, and a
look-up link (dictionary, pronunciation, usage search) that is not a word of the
sentence is dropped (lookup.py); other links are kept, with their URLs, for
sources.py. A soft line break becomes a line break ("\\n", a sentence boundary)
where linebreaks.py says the lines are separate.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ankidigest.read.linebreaks import line_breaks
from ankidigest.terms.lookup import droppable, is_lookup

Token = dict[str, Any]

_BR = re.compile(r"<br\s*/?>", re.I)
_TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][\w-]*)[^>]*>")
_ARROW = re.compile(r"^\s*(?:=+>|-+>|→|⇒|⟶)\s*")


@dataclass
class Flat:
    """A prose block as plain text with the offsets of its marked spans."""

    text: str
    bold: list[tuple[int, int]] = field(default_factory=list)
    marks: list[tuple[int, int]] = field(default_factory=list)
    malformed: list[tuple[int, int]] = field(default_factory=list)
    links: list[tuple[int, int, str]] = field(default_factory=list)  # kept links and URLs


def flatten_block(children: Iterable[Token]) -> Flat:
    """Inline tokens -> Flat (outermost bold spans, highlight spans, plain text)."""
    children = children if isinstance(children, list) else list(children)
    flat = _flatten_plain(children)
    if flat is not None:
        return flat
    return _flatten_any(children)


def _flatten_plain(children: list[Token]) -> Flat | None:
    """_flatten_any for the tokens most blocks hold, in one loop without a stack: text and
    line breaks, and bold (``strong``) or links holding only those; else None.

    Why the result is the same: with none of emphasis, strikethrough, highlights, HTML,
    nesting or look-up links, _repair changes nothing, no text follows a deletion, every
    bold span is opened and closed once at depth 0 and every link is kept, so
    _flatten_any adds the same pieces and records the same spans in the same order
    (tests/test_prose_paths.py checks both on generated tokens).
    """
    parts: list[str] = []
    size = 0
    flat = Flat("")
    softbreaks: list[int] = []
    for item in children:
        kind = item["type"]
        url = None
        if kind == "strong":
            if item.get("_malformed"):
                return None
            leaves = item.get("children", [])
        elif kind == "link":
            url = str(item.get("attrs", {}).get("url", ""))
            if is_lookup(url):  # dropped or not: for _flatten_any to judge
                return None
            leaves = item.get("children", [])
        else:
            leaves = (item,)
        start = size
        for leaf in leaves:
            inner = leaf["type"]
            if inner == "text":
                raw = leaf.get("raw", "")
                piece = html.unescape(raw) if "&" in raw else raw
                if piece:
                    parts.append(piece)
                    size += len(piece)
            elif inner == "softbreak":
                softbreaks.append(size)
                parts.append(" ")
                size += 1
            elif inner == "linebreak":
                parts.append("\n")
                size += 1
            else:
                return None
        if kind == "strong":
            flat.bold.append((start, size))
        elif url is not None:
            flat.links.append((start, size, url.strip()))
    return _finish(flat, "".join(parts), softbreaks)


def _flatten_any(children: list[Token]) -> Flat:
    """flatten_block for any tokens."""
    b = _Builder()
    stack: list[Token | tuple[str, int]] = list(reversed(_repair(children)))
    while stack:
        item = stack.pop()
        if isinstance(item, tuple):
            if item[0] == "link":
                b.flat.links.append((item[1], b.size, b.link_urls.pop()))
            else:
                b.close(item[0])
            continue
        kind = item["type"]
        if kind == "text":  # the most common token first
            raw = item.get("raw", "")
            b.add(html.unescape(raw) if "&" in raw else raw)  # (no "&": nothing to decode)
        elif kind in ("strong", "mark"):
            name = "bold" if kind == "strong" else "mark"
            b.open(name, malformed=bool(item.get("_malformed")))
            stack.append((name, 0))
            stack.extend(reversed(_repair(item.get("children", []))))
        elif kind == "strikethrough":
            b.after_deletion = True
        elif kind in ("image", "footnote_ref") or (kind == "link" and _drop_link(item)):
            continue
        elif kind == "link":
            url = str(item.get("attrs", {}).get("url", "")).strip()
            stack.append(("link", b.size))
            b.link_urls.append(url)
            stack.extend(reversed(_repair(item.get("children", []))))
        elif kind == "inline_html":
            b.html(item.get("raw", ""))
        elif kind == "softbreak":
            at = b.size
            b.add(" ")
            if b.size > at:  # (dropped after a deletion that opens the text)
                b.softbreaks.append(at)
        elif kind == "linebreak":
            b.add("\n")
        elif kind in ("codespan", "wikilink"):
            b.add(item.get("raw", ""))
        elif "children" in item:
            stack.extend(reversed(_repair(item["children"])))
        else:
            b.add(item.get("raw", ""))
    return b.finish()


class _Builder:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.depth = {"bold": 0, "mark": 0}
        self.start = {"bold": 0, "mark": 0}
        self.flat = Flat("")
        self.softbreaks: list[int] = []
        self.after_deletion = False
        self.malformed = False
        self.link_urls: list[str] = []

    def add(self, piece: str) -> None:
        if self.after_deletion:  # "~~wrong~~ ==> right" keeps "right", with one space
            self.after_deletion = False
            before = self.parts[-1][-1:] if self.parts else ""
            arrow = _ARROW.match(piece)
            if arrow:
                piece = ("" if before.isspace() or not before else " ") + piece[arrow.end() :]
            elif before.isspace() or not before:
                piece = piece.lstrip(" \t")
        if piece:
            self.parts.append(piece)
            self.size += len(piece)

    def open(self, name: str, malformed: bool = False) -> None:
        if self.depth[name] == 0:
            self.start[name] = self.size
            if name == "bold":
                self.malformed = malformed
        self.depth[name] += 1

    def close(self, name: str) -> None:
        if self.depth[name] == 0:
            return
        self.depth[name] -= 1
        if self.depth[name] == 0:
            span = (self.start[name], self.size)
            (self.flat.bold if name == "bold" else self.flat.marks).append(span)
            if name == "bold" and self.malformed:
                self.flat.malformed.append(span)

    def html(self, raw: str) -> None:
        if _BR.fullmatch(raw.strip()):
            self.add("\n")
            return
        m = _TAG.fullmatch(raw.strip())
        if not m:
            return  # comments, anchors and the like show nothing
        name = {"b": "bold", "strong": "bold", "mark": "mark"}.get(m.group(2).lower())
        if name:
            (self.close if m.group(1) else self.open)(name)

    def finish(self) -> Flat:
        return _finish(self.flat, "".join(self.parts), self.softbreaks)


def _finish(flat: Flat, text: str, softbreaks: list[int]) -> Flat:
    """``flat`` with its text: ``text`` with the soft breaks that end a line as "\\n"."""
    breaks = line_breaks(text, softbreaks, flat.bold, flat.links)
    if breaks:
        chars = list(text)
        for pos in breaks:
            chars[pos] = "\n"
        text = "".join(chars)
    flat.text = text
    flat.bold.sort()
    flat.marks.sort()
    return flat


def _repair(children: list[Token]) -> list[Token]:
    """Turn emphasis glued to a stray '*' (``*x**``, ``**x*``) into bold."""
    out = list(children)
    for i, tok in enumerate(out):
        if tok.get("type") != "emphasis":
            continue
        prev = out[i - 1] if i else None
        nxt = out[i + 1] if i + 1 < len(out) else None
        if nxt and nxt.get("type") == "text" and nxt.get("raw", "").startswith("*"):
            out[i + 1] = {**nxt, "raw": nxt["raw"][1:]}
        elif prev and prev.get("type") == "text" and prev.get("raw", "").endswith("*"):
            out[i - 1] = {**prev, "raw": prev["raw"][:-1]}
        else:
            continue
        out[i] = {**tok, "type": "strong", "_malformed": True}
    return out


def _drop_link(link: Token) -> bool:
    """A look-up link is dropped unless its text is a word of the sentence."""
    url = str(link.get("attrs", {}).get("url", ""))
    if not is_lookup(url):
        return False
    inner = flatten_block(link.get("children", []))
    return not (inner.bold or inner.marks) and droppable(url, inner.text.strip())


def flatten(children: Iterable[Token]) -> tuple[str, list[tuple[int, int]]]:
    """Inline tokens -> (plain text, [(start, end) of each outermost bold span])."""
    flat = flatten_block(children)
    return flat.text, flat.bold


def is_blank(token: Token) -> bool:
    return token["type"] == "text" and not token.get("raw", "").strip()
