"""Flatten a prose block's inline tokens to plain text plus the spans a learner marked.

What counts as marked: ``**bold**``/``__bold__``, ``<b>``/``<strong>`` tags, and a
malformed ``*x**`` or ``**x*`` (emphasis glued to a stray star: the learner meant
bold). Highlights (``==x==``, ``<mark>``) are kept apart, as ``marks``. Noise is
cleaned on the way: HTML entities are decoded, other tags and anchors vanish,
``~~wrong~~ ==> fix`` keeps only the fix, a wikilink shows its alias, and a
look-up link (dictionary, pronunciation, usage search) that is not a word of the
sentence is dropped. A soft line break becomes a line break ("\\n", a sentence
boundary) where the lines are clearly separate: the first ends a sentence or a
label, or one side is in another script.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .sentences import sentence_spans

Token = dict[str, Any]

_BR = re.compile(r"<br\s*/?>", re.I)
_TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][\w-]*)[^>]*>")
_ARROW = re.compile(r"^\s*(?:=+>|-+>|→|⇒|⟶)\s*")
# Sites learners link to look a word up, hear it or see it used: never a source.
LOOKUP_HOSTS = (
    "youglish.com",
    "dictionary.cambridge.org",
    "cn.bing.com/dict",
    "bing.com/dict",
    "merriam-webster.com",
    "oxfordlearnersdictionaries.com",
    "collinsdictionary.com",
    "dictionary.com",
    "thesaurus.com",
    "vocabulary.com",
    "ldoceonline.com",
    "wiktionary.org",
    "urbandictionary.com",
    "youdao.com",
    "iciba.com",
    "forvo.com",
    "playphrase.me",
    "ludwig.guru",
    "thefreedictionary.com",
    "etymonline.com",
    "translate.google.",
    "deepl.com",
    "howjsay.com",
    "macmillandictionary.com",
)
_LOOKUP_LABEL = re.compile(
    r"youglish|cambridge|bing|dict|oxford|longman|collins|merriam|webster|wiktionary|"
    r"youdao|forvo|pronunc|listen|audio|usage|example|translate|deepl|词典|发音|例句|查",
    re.I,
)


def is_lookup(url: str) -> bool:
    """True when ``url`` points at a dictionary, pronunciation or usage-search site."""
    parts = urlsplit(url.strip())
    where = (parts.netloc.lower().removeprefix("www.") + parts.path.lower()).lstrip("/")
    return any(where.startswith(h) or ("." + h) in "." + where for h in LOOKUP_HOSTS)


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
    b = _Builder()
    stack: list[Token | tuple[str, int]] = list(reversed(_repair(list(children))))
    while stack:
        item = stack.pop()
        if isinstance(item, tuple):
            if item[0] == "link":
                b.flat.links.append((item[1], b.size, b.link_urls.pop()))
            else:
                b.close(item[0])
            continue
        kind = item["type"]
        if kind in ("strong", "mark"):
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
            b.softbreaks.append(b.size)
            b.add(" ")
        elif kind == "linebreak":
            b.add("\n")
        elif kind in ("text", "codespan", "wikilink"):
            raw = item.get("raw", "")
            b.add(html.unescape(raw) if kind == "text" else raw)
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
        text = "".join(self.parts)
        chars = list(text)
        labels = {s for s, e in self.flat.bold if _is_label(text, e) or _is_entry(text, e)}
        bold_at = {e: s for s, e in self.flat.bold}
        link_ends = {e for _, e, _ in self.flat.links}
        breaks = self.softbreaks
        if _one_per_line(text, breaks):
            for pos in breaks:
                chars[pos] = "\n"
            breaks = []
        for i, pos in enumerate(breaks):
            prev = breaks[i - 1] + 1 if i else 0
            nxt = breaks[i + 1] if i + 1 < len(breaks) else len(text)
            # A line opening with a label ("**Meaning:** ...") or following a link is its own.
            after_link = pos in link_ends and bool(_STARTS_LINE.match(text[pos + 1 : pos + 4]))
            start = text.rfind("\n", prev, pos) + 1 or prev
            bold_line = bold_at.get(pos) == start  # the line is one bold span: "**Vocabulary**"
            own_line = pos + 1 in labels or after_link or bold_line
            if own_line or _separate_lines(text, pos, prev, nxt):
                chars[pos] = "\n"
        self.flat.text = "".join(chars)
        self.flat.bold.sort()
        self.flat.marks.sort()
        return self.flat


_FUNCTION_WORD = frozenset(
    """a an the of to in on at by for from with and or but nor as than that which who whose
    is are was were be been his her its their our your my this these those into onto
    about""".split()
)


def _one_per_line(text: str, breaks: list[int]) -> bool:
    """Lines written one per line (Obsidian shows them so): every soft break is followed
    by a capital and none follows a word that cannot end a sentence ("the", "of")."""
    if not breaks:
        return False
    for pos in breaks:
        if not _STARTS_LINE.match(text[pos + 1 : pos + 4].lstrip()):
            return False
        last = text[max(0, pos - 16) : pos].split()
        if not last or last[-1].lower().strip(",;") in _FUNCTION_WORD or last[-1].endswith(","):
            return False
    return True


def _is_entry(text: str, end: int) -> bool:
    """Whether the bold span ending at ``end`` is followed by a gloss: "**nod off** – ..."."""
    return bool(re.match(r"\s+[–—-]\s|\s*[=＝]", text[end : end + 4]))


def _is_label(text: str, end: int) -> bool:
    """Whether the bold span ending at ``end`` ends with, or is followed by, a colon."""
    return text[end - 1 : end] in (":", "：") or text[end : end + 3].lstrip()[:1] in (":", "：")


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
    if not is_lookup(str(link.get("attrs", {}).get("url", ""))):
        return False
    inner = flatten_block(link.get("children", []))
    if inner.bold or inner.marks:
        return False
    label = inner.text.strip()
    return not re.search(r"[^\W\d_]", label) or bool(_LOOKUP_LABEL.search(label))


_ENDS_LINE = re.compile(r"""[.!?…。！？:：;；][\"'”’»)\]」』）*]*$""")
_SENTENCE_END = re.compile(r"""[.!?…][\"'”’»)\]」』）*]*$""")
_STARTS_LINE = re.compile(r"""^["'“‘«(\[（【「]?[A-Z0-9\u00c0-\u00de]""")


def _separate_lines(text: str, pos: int, prev: int, nxt: int) -> bool:
    """Whether the soft break at ``pos`` separates two lines rather than wrapping one.

    ``prev``/``nxt``: where the source line before the break starts and the one
    after it ends.
    """
    before = text[text.rfind("\n", prev, pos) + 1 or prev : pos].rstrip()
    end = text.find("\n", pos + 1, nxt)
    after = text[pos + 1 : end if end >= 0 else nxt].lstrip()
    if not before or not after or not_latin(before[-1]) or not_latin(after[0]):
        return True
    if _ENDS_LINE.search(before):
        if not _SENTENCE_END.search(before):
            return True  # a colon or semicolon ends the line
        joined = before + " " + after  # "Mr.\nSmith" wraps; "left.\nThey" does not
        return any(e == len(before) for _, e in sentence_spans(joined))
    return len(before.split()) <= 3 and bool(_STARTS_LINE.match(after))


def not_latin(ch: str) -> bool:
    """A letter of another script (CJK, Cyrillic, ...) or a full-width punctuation mark."""
    return (ch.isalpha() and ord(ch) >= 0x370) or 0x3000 <= ord(ch) <= 0x303F or ch in "（）：，"
