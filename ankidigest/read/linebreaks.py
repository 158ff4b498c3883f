"""Soft line breaks: a new line, or a wrapped one?

Inside a paragraph, a single newline is a soft break. Wrapped prose continues the
sentence; notebooks written one sentence per line (Obsidian shows each line on its
own), label lines (``**Meaning:** ...``), glossary lines (``**nod off** – ...``),
a translation on the next line or a line after a bold-only line start a new one.
``line_breaks`` returns the soft breaks that separate lines.
"""

from __future__ import annotations

import re

from ankidigest.terms.sentences import sentence_spans

Span = tuple[int, int]


def line_breaks(
    text: str, softbreaks: list[int], bold: list[Span], links: list[tuple[int, int, str]]
) -> list[int]:
    """The soft breaks (offsets of the " " standing for them) that end a line."""
    if not softbreaks:
        return []
    if _one_per_line(text, softbreaks):
        return list(softbreaks)
    labels = {s for s, e in bold if _is_label(text, e) or _is_entry(text, e)}
    bold_at = {e: s for s, e in bold}
    link_ends = {e for _, e, _ in links}
    out = []
    for i, pos in enumerate(softbreaks):
        prev = softbreaks[i - 1] + 1 if i else 0
        nxt = softbreaks[i + 1] if i + 1 < len(softbreaks) else len(text)
        # A line opening with a label ("**Meaning:** ...") or following a link is its own.
        after_link = pos in link_ends and bool(_STARTS_LINE.match(text[pos + 1 : pos + 4]))
        start = text.rfind("\n", prev, pos) + 1 or prev
        bold_line = bold_at.get(pos) == start  # the line is one bold span: "**Vocabulary**"
        if pos + 1 in labels or after_link or bold_line or _separate_lines(text, pos, prev, nxt):
            out.append(pos)
    return out


_ENDS_LINE = re.compile(r"""[.!?…。！？:：;；][\"'”’»)\]」』）*]*$""")
_SENTENCE_END = re.compile(r"""[.!?…][\"'”’»)\]」』）*]*$""")
_ENTRY = re.compile(r"\s+[–—-]\s|\s*[=＝]")
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


_FUNCTION_WORD = frozenset(
    """a an the of to in on at by for from with and or but nor as than that which who whose
    is are was were be been his her its their our your my this these those into onto
    about""".split()
)


def _one_per_line(text: str, breaks: list[int]) -> bool:
    """Lines written one per line (Obsidian shows them so): every soft break is followed
    by a capital and none follows a word that cannot end a sentence ("the", "of").
    A single break also needs a short first line: wrapped prose fills its lines."""
    if not breaks:
        return False
    if len(breaks) == 1 and len(text[: breaks[0]].rsplit("\n", 1)[-1]) >= 60:
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
    return bool(_ENTRY.match(text, end, end + 4))


def _is_label(text: str, end: int) -> bool:
    """Whether the bold span ending at ``end`` ends with, or is followed by, a colon."""
    return text[end - 1 : end] in (":", "：") or text[end : end + 3].lstrip()[:1] in (":", "：")


def not_latin(ch: str) -> bool:
    """A letter of another script (CJK, Cyrillic, ...) or a full-width punctuation mark."""
    return (ch.isalpha() and ord(ch) >= 0x370) or 0x3000 <= ord(ch) <= 0x303F or ch in "（）：，"
