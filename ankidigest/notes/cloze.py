"""Cloze text: a sentence as HTML with its terms as {{cN::...}} deletions.

Every piece of the sentence is HTML-escaped, and braces and colons that could
look like cloze syntax are written as character references, so text such as
'{{c1::x}}' or 'a::b' in a post can neither create, end nor break a deletion.
'[' is a reference too, so '[sound:x.mp3]', '[latex]' or '[anki:tts]' in a post
stays text instead of becoming an Anki media, LaTeX or speech tag, and a word
joiner (U+2060) goes between a backslash and a bracket (or a deletion), so '\\(', '\\)', '\\[' and
'\\]' never start MathJax (whose \\href could hold a javascript: link).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

_NEUTRAL = str.maketrans({"{": "&#123;", "}": "&#125;", "[": "&#91;"})
_MATHJAX = re.compile(r"\\(?=[()\[\]]|$)")  # a piece may end where a deletion starts


def _neutral(text: str) -> str:
    out = html.escape(text, quote=False)
    if "\\" in out:
        out = _MATHJAX.sub("\\\\&#8288;", out)
    return out.translate(_NEUTRAL)


def is_plain(text: str) -> bool:
    """Whether ``text`` is its own escape_text (and so is every slice of it): it has
    none of "&<>{}[\\" and no line break or "::". (Nine substring tests take half the
    time of one search for a class of characters, and a quarter of an alternation's.)"""
    return not (
        "&" in text
        or "<" in text
        or ">" in text
        or "{" in text
        or "}" in text
        or "[" in text
        or "\\" in text
        or "\n" in text
        or "::" in text
    )


def escape_text(text: str) -> str:
    """Plain text -> HTML safe inside a cloze field (outside a deletion)."""
    if is_plain(text):
        return text  # the common case; returning the same object also saves memory
    return _neutral(text).replace("::", "&#58;&#58;").replace("\n", "<br>")


def escape_answer(text: str) -> str:
    """Plain text -> HTML safe inside a deletion (where one ':' after another ends it)."""
    return _neutral(text).replace(":", "&#58;")


def _unchanged(text: str) -> str:
    """escape_text for plain text (is_plain)."""
    return text


def _colons_only(text: str) -> str:
    """escape_answer for plain text (is_plain): only ':' changes."""
    return text.replace(":", "&#58;")


def build_cloze(
    sentence: str,
    spans: Sequence[tuple[int, int, int]],
    plain: bool | None = None,
    hints: Sequence[str] = (),
) -> str:
    """``spans`` are (start, end, cloze number), sorted and not overlapping.
    ``plain``: is_plain(sentence) when the caller knows it already. ``hints``: per span,
    Anki's hint shown in place of "[...]" ({{c1::answer::hint}}), already escaped with
    escape_answer ("" for none)."""
    text, answer = escape_text, escape_answer
    if plain if plain is not None else is_plain(sentence):
        # The common case: every piece of the sentence is its own escape_text, and
        # escape_answer has only ':' to replace.
        if len(spans) == 1:  # (the loop below, for one span)
            start, end, number = spans[0]
            answered = sentence[start:end].replace(":", "&#58;")
            if hints and hints[0]:
                answered += "::" + hints[0]
            return f"{sentence[:start]}{{{{c{number}::{answered}}}}}{sentence[end:]}"
        text, answer = _unchanged, _colons_only
    out: list[str] = []
    pos = 0
    for i, (start, end, number) in enumerate(spans):
        out.append(text(sentence[pos:start]))
        hint = hints[i] if i < len(hints) and hints[i] else ""
        out.append(f"{{{{c{number}::{answer(sentence[start:end])}{'::' + hint if hint else ''}}}}}")
        pos = end
    out.append(text(sentence[pos:]))
    return "".join(out)


def highlight(text: str, spans: Sequence[tuple[int, int]], plain: bool | None = None) -> str:
    """Plain text -> HTML with the given spans in <b> (``plain`` as for build_cloze)."""
    # As in build_cloze: in the common case every piece is its own escape_text.
    escape = _unchanged if (plain if plain is not None else is_plain(text)) else escape_text
    out: list[str] = []
    pos = 0
    for start, end in spans:
        out.append(escape(text[pos:start]))
        out.append("<b>" + escape(text[start:end]) + "</b>")
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out)
