"""A fast path around mistune's inline parser for the paragraphs learners write most.

Most reading notes are plain sentences with a few ``**bold**`` words. For those,
mistune's general inline machinery (rule scanning, a delimiter stack, token
merging) is about a third of an export's CPU time. ``plain_tokens`` recognises
a strict subset of inline text whose tokens are certain and builds them
directly; for anything else it returns None and the caller uses mistune.

The subset, and why each condition makes the result certain:

- none of ``\\ ` _ [ ] < ~ =``: no escapes, code spans, underscore emphasis,
  links, images, wikilinks, footnotes, autolinks, inline HTML, strikethrough
  or highlights can start, so the only inline syntax left is ``*`` and line
  breaks;
- every run of ``*`` is exactly ``**``, and the runs alternate opener, closer,
  opener, closer... where an opener has whitespace, punctuation or the start
  before it and a letter or digit after it, and a closer has a letter or digit
  before it and whitespace, punctuation or the end after it. By CommonMark's
  flanking rules (which mistune 3 implements) an opener then can only open and
  a closer can only close, so each pair is one ``strong`` with nothing else
  between them;
- or the whole text is one link, ``[plain text](url)``, as article headings
  are: the text in the subset above, the URL of letters, digits and the URL
  punctuation that needs no escaping (``escape_url`` leaves it as it is);
- a line ending is a ``softbreak``, or a ``linebreak`` after two or more
  spaces, exactly as mistune's two rules consume it (`` *\\n\\s*``).

tests/test_fastinline.py checks the tokens against mistune's on every
paragraph of the bundled examples, the golden cases and generated text rich in
the characters that matter. The emphasis budget (limits.py) is not consulted:
consecutive opener/closer pairs cost it nothing, so skipping it changes no
later decision.
"""

from __future__ import annotations

import re
from typing import Any

Token = dict[str, Any]

_BREAK = re.compile(r"( *)\n\s*")
_LINK = re.compile(r"\[([^\[\]\\`<~=\n]+)\]\(([A-Za-z0-9\-._~:/?#@!$+,;=%]+)\)")


def plain_tokens(s: str) -> list[Token] | None:
    """mistune's inline tokens for ``s`` when ``s`` is in the plain subset, else None."""
    if s.startswith("["):
        return _link(s)
    if not s or _other_syntax(s):
        return None
    # Even pieces are text, odd pieces bold; a stray "*" in any piece means a run
    # of one or three or more stars (or an unpaired one), and an empty piece
    # between two pairs means "****": both are for mistune to judge.
    pieces = s.split("**")
    last = len(pieces) - 1
    if last % 2:
        return None
    breaks = "\n" in s  # without, _add_text adds a piece as one text token (if not empty)
    tokens: list[Token] = []
    for i, piece in enumerate(pieces):
        if "*" in piece:
            return None
        if i % 2:
            # Bold: a letter or digit just inside both "**"; outside them, the
            # start, the end, whitespace or punctuation (not a letter or digit).
            if not piece or not piece[0].isalnum() or not piece[-1].isalnum():
                return None
            children: list[Token] = []
            if breaks:
                _add_text(children, piece)
            else:
                children.append({"type": "text", "raw": piece})
            tokens.append({"type": "strong", "children": children})
        else:
            if piece:
                if (i > 0 and piece[0].isalnum()) or (i < last and piece[-1].isalnum()):
                    return None
            elif 0 < i < last:
                return None
            if breaks:
                _add_text(tokens, piece)
            elif piece:
                tokens.append({"type": "text", "raw": piece})
    return tokens


def _other_syntax(s: str) -> bool:
    """Whether ``s`` holds a character that starts any inline rule other than ``*`` and
    line breaks: ``\\ ` _ [ ] < ~ =``. (A substring test each: together five times as
    fast as one search for the class of them.)"""
    return (
        "\\" in s
        or "`" in s
        or "_" in s
        or "[" in s
        or "]" in s
        or "<" in s
        or "~" in s
        or "=" in s
    )


def _add_text(tokens: list[Token], text: str) -> None:
    """Append ``text`` as text tokens separated by soft or hard line breaks."""
    if "\n" not in text:
        if text:
            tokens.append({"type": "text", "raw": text})
        return
    pos = 0
    for m in _BREAK.finditer(text):
        if m.start() > pos:
            tokens.append({"type": "text", "raw": text[pos : m.start()]})
        tokens.append({"type": "linebreak" if len(m.group(1)) >= 2 else "softbreak"})
        pos = m.end()
    if pos < len(text):
        tokens.append({"type": "text", "raw": text[pos:]})


def _link(s: str) -> list[Token] | None:
    """The tokens of ``[text](url)`` with plain text and a plain URL, else None."""
    m = _LINK.fullmatch(s)
    if m is None:
        return None
    children = plain_tokens(m.group(1))
    if children is None:
        return None
    return [{"type": "link", "children": children, "attrs": {"url": m.group(2)}}]
