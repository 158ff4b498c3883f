"""Lines of word lists and dictionary entries: the span that opens a line.

``**abate** v. 减弱``, ``- **meticulous** (adj.): very careful``, ``**Examples:**``,
``**Word:** gloss``: the opening span is a headword or a label, not a term, and the
rest of the line is a definition (whose bold is not a term either) unless it reads
as an example sentence. Also: what to trim from the start of a sentence (``2)``,
an unmarked ``A:`` label, a gloss in another script before the English).
"""

from __future__ import annotations

import re

from ankidigest.terms.reasons import HEADWORD, LABEL, WHOLE
from ankidigest.terms.rules import STRIP, WORD, ends_sentence, within
from ankidigest.terms.translation import Part, is_foreign

_LEAD_PREFIX = re.compile(r"^[\s\-*+•·>]*(?:\(?\d{1,3}[.)、]|\(?[a-zA-Z][.)]|[①-⑳])?\s*$")
_POS = r"(?:n|v|vt|vi|adj|adv|prep|conj|pron|int|interj|num|art|aux|phr|abbr|pl|sth|sb)\."
_POS_WORD = (
    r"(?:noun|verb|adjective|adverb|preposition|conjunction|pronoun|determiner|interjection|"
    r"phrasal verb|idiom|phrase)\b"
)
_HEADWORD_NEXT = re.compile(
    rf"^\s*(?:$|[=|/\[(（【<–—]|\s-|-\s|{_POS}|{_POS_WORD}|[^\x00-\u036f\u2018-\u201f])|^\s+-"
)
_FOREIGN_LEAD = re.compile(r"[^A-Za-z\n]*[\u2e80-\u9fff\uac00-\ud7af][^A-Za-z\n]*")
_TEXT_LABEL = re.compile(r"([^:：.!?\n\"“]{1,30})[:：]\s+|(?:e\.\s?g\.|eg\.|i\.\s?e\.),?\s+", re.I)
_LABEL_HEADS = "eEiIİı"  # what _TEXT_LABEL's second branch can open with
_ENUMERATION = re.compile(r"\(?\d{1,2}[.)]\s+|\[\d{1,3}\]\s+|[①-⑳]\s*")  # "2) ", "[3] "
# What follows a headword in an entry: "(adj.)", "/ɪˈpæ/", "[US]", "vt.", "noun", then ":" or "–".
_ENTRY_NOTE = rf"(?:[(（\[][^)）\]\n]{{0,30}}[)）\]]|/[^/\n]{{1,40}}/|{_POS}|{_POS_WORD})"
# A pronunciation in brackets, "[ˈæbəkəs]", "[ə'bʌv]": IPA letters or stress marks inside.
_IPA = r"\[[^\]\n]{0,40}?[\u0250-\u02af\u02c8\u02cc\u02d0\u00e6\u00f0\u03b8\u014b][^\]\n]{0,40}\]"
_HEADWORD_SEPARATOR = re.compile(
    rf"^\s*(?:[=|–—]|\s-\s|-\s|[\u2e80-\u9fff\uac00-\ud7af]|{_POS}|{_POS_WORD}|/[^/\n]+/|{_IPA}|"
    rf"[(（\[][^)）\]\n]{{0,30}}[)）\]]\s*[:：=–—-])"
)
_SEPARATOR = re.compile(rf"^(?:\s*{_ENTRY_NOTE})*\s*(?:[:：=|–—-]\s*)?")
EXAMPLE_LABELS = frozenset(
    """example examples e.g. eg sentence sentences usage use context quote source ex eg.
    例句 例 例子 用法 原句 出处 句子 举例""".split()
)
DEFINITION_LABELS = frozenset(
    """meaning meanings definition def defn gloss explanation translation synonym synonyms
    antonym antonyms note notes 释义 意思 解释 翻译 词义 含义 同义词 反义词 近义词 注""".split()
)


def _plain_label(text: str, label: re.Match[str], spans: list[tuple[int, int]], end: int) -> bool:
    """An unmarked "Example:" / "A:" before a sentence: not part of the sentence."""
    name = label.group(1) or ""
    if len(name.split()) > 3 or within(spans, Part(label.start(), label.end(), False)):
        return False
    rest = text[label.end() : end]
    return rest[:1].isupper() and len(WORD.findall(rest)) >= 3  # "Key fact: the ..." stays


def _lead(
    text: str, lead: tuple[int, int], part: Part, inside: list[tuple[int, int]]
) -> tuple[str | None, int]:
    """Why the span opening a line is not a term (and where the line's rest starts)."""
    word = text[lead[0] : lead[1]]
    after = text[lead[1] : part.end]
    if word.rstrip().endswith((":", "：")) or after.lstrip().startswith((":", "：")):
        return LABEL, lead[1] + _SEPARATOR.match(after).end()  # type: ignore[union-attr]
    if text[part.start : part.end].strip(STRIP) == word.strip(STRIP):
        return WHOLE, part.end
    explicit = _HEADWORD_SEPARATOR.match(after) is not None  # "**word** – ...", "= ..."
    line = text[part.start : part.end]
    if _HEADWORD_NEXT.match(after) and (explicit or not _is_sentence(line, inside)):
        sep = _SEPARATOR.match(after)
        return HEADWORD, lead[1] + (sep.end() if sep else 0)
    return None, part.start


def _is_sentence(line: str, inside: list[tuple[int, int]]) -> bool:
    """A line that starts with its term and still reads as one sentence ("**Abandon** ship!")."""
    return ends_sentence(line) and len(WORD.findall(line)) >= 4 and "  " not in line


def _example_after(
    text: str, lead: tuple[int, int], cut: int, end: int, inside: list[tuple[int, int]]
) -> bool:
    """Whether what follows a label or headword is an example sentence, not a definition."""
    label = text[lead[0] : lead[1]].strip(STRIP).lower()
    if label in EXAMPLE_LABELS:
        return True
    if label in DEFINITION_LABELS:
        return False
    rest = text[cut:end].strip()
    if not rest or is_foreign(rest):
        return False
    head = label[:4]
    if any(text[s:e].strip().lower().startswith(head) for s, e in inside[1:]) and len(head) >= 3:
        return True
    starts = rest[0].isupper() or rest[0] in "\"'“‘"
    return starts and ends_sentence(rest) and len(WORD.findall(rest)) >= 4


def opening(text: str, part: Part, inside: list[tuple[int, int]]) -> tuple[str | None, int, bool]:
    """For the first span of a line: (why it is not a term, where the rest starts,
    whether the rest is an example sentence rather than a definition)."""
    lead = inside[0]
    if not _LEAD_PREFIX.match(text[part.start : lead[0]]):
        return None, part.start, False
    reason, cut = _lead(text, lead, part, inside)
    if reason is None:
        return None, part.start, False
    return reason, cut, _example_after(text, lead, cut, part.end, inside)


def sentence_start(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> int:
    """Where the sentence text[start:end] really starts: after "2) ", a gloss in another
    script ("是向某人保证：I assure ..."), or an unmarked label ("A: They were ...").

    Speed: each pattern is tried only where its first characters can match (most
    sentences open with a letter and have no colon near their start)."""
    head = text[start : start + 1]
    if head in ("(", "[") or head.isdecimal() or "①" <= head <= "⑳":  # (\d is isdecimal)
        number = _ENUMERATION.match(text, start, end)
        if number and number.end() < end:
            start = number.end()
            head = text[start : start + 1]
    if not (head.isascii() and head.isalpha()):  # a CJK letter must come before any A-Z
        gloss = _FOREIGN_LEAD.match(text, start, end)
        if gloss and gloss.end() < end and is_foreign(gloss.group(0)):  # English follows
            start = gloss.end()
            head = text[start : start + 1]
    near = min(start + 31, end)  # a label's colon, or "e.g."/"i.e." (re.I: "İ", "ı" too)
    if (
        head in _LABEL_HEADS
        or text.find(":", start, near) >= 0
        or text.find("：", start, near) >= 0
    ):
        label = _TEXT_LABEL.match(text, start, end)
        if label and _plain_label(text, label, spans, end):
            start = label.end()
    return start
