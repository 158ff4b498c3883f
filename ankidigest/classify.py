"""Decide which marked spans of a paragraph are vocabulary terms, and why the rest are not.

A term is a word or short phrase a learner marked inside a real sentence. Not a
term: a label (``**Examples:**``), the headword of a word list or dictionary entry
(``**abate** v. 减弱``), a span that is the whole line or list item, bold in a
definition or a translation, a grammar pattern (``**be used to doing sth**``), a
span that is most of its sentence or crosses a sentence boundary. Every span that
is not kept gets a reason, shown under ``--verbose`` and by ``--check``.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from .sentences import sentence_spans
from .translation import Part, is_foreign, split_parts, translation_for

EMPTY = "empty bold"
ONE_LETTER = "one-letter bold"
LABEL = "a label (bold followed by a colon), not a term"
HEADWORD = "a headword of a word list or dictionary entry, not a sentence"
WHOLE = "bold is the whole line or list item, not a word in a sentence"
WHOLE_SENTENCE = "bold is the whole sentence, not a word in it"
WORD_LIST = "the line holds only bold words, not a sentence"
DEFINITION = "bold inside a definition or gloss, not in an example sentence"
TRANSLATION = "bold inside a translation"
FOREIGN = "bold in non-English text"
PATTERN = "a grammar pattern (sb/sth, '...', '+'), not a word of the sentence"
CLAUSE = "bold spans most of the sentence or a whole clause"
CROSSES = "bold crosses a sentence boundary"
EMPHASIS = "emphasis on a common word (not, never, five...), not a vocabulary term"
FRAGMENT = "a short phrase or collocation, not a sentence"
META = "a question or note about the word, not a use of it"

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
_ENUMERATION = re.compile(r"\(?\d{1,2}[.)]\s+|[①-⑳]\s*")
# "What is the opposite of **x**?", "What does **x** mean?", "the word **x** means"
_META = re.compile(
    r"(?:opposite|meaning|synonym|antonym|definition|spelling|pronunciation|plural|past tense)s?"
    r"\s+of\s+[\"'“‘]?$|\bhow\s+(?:do|to)\s+(?:you\s+)?(?:say|spell|pronounce|use)\s+[\"'“‘]?$",
    re.I,
)
_META_WORD = re.compile(r"\b(?:word|phrase|term|expression|idiom|does|did)\s+[\"'“‘]?$", re.I)
_META_AFTER = re.compile(r"^[\"'”’]?\s+(?:mean|means|meant|stand for|stands for)\b", re.I)
# What follows a headword in an entry: "(adj.)", "/ɪˈpæ/", "[US]", "vt.", "noun", then ":" or "–".
_ENTRY_NOTE = rf"(?:[(（\[][^)）\]\n]{{0,30}}[)）\]]|/[^/\n]{{1,40}}/|{_POS}|{_POS_WORD})"
_HEADWORD_SEPARATOR = re.compile(
    rf"^\s*(?:[=|–—]|\s-\s|-\s|[\u2e80-\u9fff\uac00-\ud7af]|{_POS}|{_POS_WORD}|/[^/\n]+/|"
    rf"[(（\[][^)）\]\n]{{0,30}}[)）\]]\s*[:：=–—-])"
)
_SEPARATOR = re.compile(rf"^(?:\s*{_ENTRY_NOTE})*\s*(?:[:：=|–—-]\s*)?")
_BRACKETED = re.compile(r"/[^/\n]*/|\[[^\]\n]*\]|\([^)\n]*\)|（[^）\n]*）")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]{2,}")
_ENDS_SENTENCE = re.compile(r"""[.!?…][\"'”’»)\]]*\s*$""")
_STRIP = " \t\n.,;:!?…-–—*•·()[]\"'“”‘’「」（）：，。！？"
_PATTERN_WORDS = frozenset("sb sth sb's sth's smb smth sb. sth. somebody's".split())
# Learners bold these for emphasis ("do **not** ...", "write **five** sentences").
_EMPHASIS = frozenset(
    """a an the and or but not no nor never always all any every each only also very too must
    do does did don't doesn't didn't is are was were be can can't cannot should shouldn't will
    won't this that these those it i you he she we they me him her us them my your his our their
    here there now then before after first last next one two three four five six seven eight
    nine ten both either neither more most less least same other""".split()
)
EXAMPLE_LABELS = frozenset(
    """example examples e.g. eg sentence sentences usage use context quote source ex eg.
    例句 例 例子 用法 原句 出处 句子 举例""".split()
)
DEFINITION_LABELS = frozenset(
    """meaning meanings definition def defn gloss explanation translation synonym synonyms
    antonym antonyms note notes 释义 意思 解释 翻译 词义 含义 同义词 反义词 近义词 注""".split()
)


@dataclass
class Analysis:
    """What a paragraph holds: kept terms, skipped spans, sentences and translations."""

    kept: list[tuple[int, int]] = field(default_factory=list)
    skipped: list[tuple[tuple[int, int], str]] = field(default_factory=list)
    sentences: list[tuple[int, int]] = field(default_factory=list)
    translations: dict[tuple[int, int], str] = field(default_factory=dict)
    origin: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)


def analyse(
    text: str, spans: list[tuple[int, int]], cuts: list[tuple[int, int]] | None = None
) -> Analysis:
    """Classify the marked ``spans`` of a flattened paragraph ``text``.

    ``cuts``: stretches at line ends that are no sentence's text (source links).
    """
    out = Analysis()
    parts = _cut(split_parts(text), cuts or [])
    decided: dict[tuple[int, int], str] = {}
    regions: list[tuple[int, int, int]] = []  # English (start, end, part index) to split
    for index, part in enumerate(parts):
        if part.foreign:
            for span in _within(spans, part):
                decided[span] = TRANSLATION if part.translates is not None else FOREIGN
            continue
        inside = _within(spans, part)
        start = part.start
        if inside and _LEAD_PREFIX.match(text[part.start : inside[0][0]]):
            lead = inside[0]
            reason, cut = _lead(text, lead, part, inside)
            if reason:
                decided[lead] = reason
                start = cut
                if reason != WHOLE and not _example_after(text, lead, cut, part.end, inside):
                    for span in inside[1:]:
                        decided.setdefault(span, DEFINITION)
                    start = part.end
        if start < part.end:
            regions.append((start, part.end, index))
    english: dict[int, list[tuple[int, int]]] = {}
    lists: dict[tuple[int, int], bool] = {}  # sentence -> is its line a word list
    for start, end, index in regions:
        for s, e in sentence_spans(text[start:end]):
            number = _ENUMERATION.match(text, start + s, start + e)  # "2) Reviewers were ..."
            if number and number.end() < start + e:
                s = number.end() - start
            gloss = _FOREIGN_LEAD.match(text, start + s, start + e)  # "是向某人保证：I assure..."
            if gloss and is_foreign(gloss.group(0)):
                s = gloss.end() - start
            label = _TEXT_LABEL.match(text, start + s, start + e)  # "A: They were ..."
            if label and _plain_label(text, label, spans, start + e):
                s = label.end() - start
            out.sentences.append((start + s, start + e))
            english.setdefault(index, []).append((start + s, start + e))
    for span in spans:
        reason = decided.get(span) or _term_reason(text, span, out.sentences, parts, spans, lists)
        if reason:
            out.skipped.append((span, reason))
        else:
            trimmed = _trim(text, span)
            out.kept.append(trimmed)
            out.origin[trimmed] = span
    _translations(text, parts, english, out)
    return out


def _cut(parts: list[Part], cuts: list[tuple[int, int]]) -> list[Part]:
    """Shorten English parts so that no ``cuts`` stretch is part of a sentence."""
    if not cuts:
        return parts
    out = []
    for part in parts:
        end = part.end
        for start, stop in cuts:
            if not part.foreign and start < end and stop > part.start:
                end = max(part.start, start)
        if end > part.start or part.foreign:
            out.append(Part(part.start, end, part.foreign, part.translates))
    return out


def _plain_label(text: str, label: re.Match[str], spans: list[tuple[int, int]], end: int) -> bool:
    """An unmarked "Example:" / "A:" before a sentence: not part of the sentence."""
    name = label.group(1) or ""
    if len(name.split()) > 3 or _within(spans, Part(label.start(), label.end(), False)):
        return False
    rest = text[label.end() : end]
    return rest[:1].isupper() and len(_WORD.findall(rest)) >= 3  # "Key fact: the ..." stays


def _within(spans: list[tuple[int, int]], part: Part) -> list[tuple[int, int]]:
    """The (sorted) spans starting inside ``part``."""
    return spans[bisect_left(spans, (part.start, -1)) : bisect_left(spans, (part.end, -1))]


def _containing(ranges: list[tuple[int, int]], offset: int) -> tuple[int, int] | None:
    """The range of sorted, disjoint ``ranges`` holding ``offset``."""
    i = bisect_right(ranges, (offset, float("inf"))) - 1
    return ranges[i] if i >= 0 and ranges[i][0] <= offset < ranges[i][1] else None


def _part_of(parts: list[Part], offset: int) -> Part:
    i = bisect_right([p.start for p in parts], offset) - 1
    return parts[max(i, 0)]


def _ends_sentence(text: str) -> bool:
    return bool(_ENDS_SENTENCE.search(text.rstrip()[-12:]))


def _lead(
    text: str, lead: tuple[int, int], part: Part, inside: list[tuple[int, int]]
) -> tuple[str | None, int]:
    """Why the span opening a line is not a term (and where the line's rest starts)."""
    word = text[lead[0] : lead[1]]
    after = text[lead[1] : part.end]
    if word.rstrip().endswith((":", "：")) or after.lstrip().startswith((":", "：")):
        return LABEL, lead[1] + _SEPARATOR.match(after).end()  # type: ignore[union-attr]
    if text[part.start : part.end].strip(_STRIP) == word.strip(_STRIP):
        return WHOLE, part.end
    explicit = _HEADWORD_SEPARATOR.match(after) is not None  # "**word** – ...", "= ..."
    line = text[part.start : part.end]
    if _HEADWORD_NEXT.match(after) and (explicit or not _is_sentence(line, inside)):
        sep = _SEPARATOR.match(after)
        return HEADWORD, lead[1] + (sep.end() if sep else 0)
    return None, part.start


def _is_sentence(line: str, inside: list[tuple[int, int]]) -> bool:
    """A line that starts with its term and still reads as one sentence ("**Abandon** ship!")."""
    return _ends_sentence(line) and len(_WORD.findall(line)) >= 4 and "  " not in line


def _example_after(
    text: str, lead: tuple[int, int], cut: int, end: int, inside: list[tuple[int, int]]
) -> bool:
    """Whether what follows a label or headword is an example sentence, not a definition."""
    label = text[lead[0] : lead[1]].strip(_STRIP).lower()
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
    return starts and _ends_sentence(rest) and len(_WORD.findall(rest)) >= 4


def _term_reason(
    text: str,
    span: tuple[int, int],
    sentences: list[tuple[int, int]],
    parts: list[Part],
    spans: list[tuple[int, int]],
    lists: dict[tuple[int, int], bool],
) -> str | None:
    word = text[span[0] : span[1]]
    if is_foreign(word):
        return FOREIGN
    letters = sum(ch.isalnum() for ch in word)
    if letters <= 1:
        return ONE_LETTER if letters else EMPTY
    if word.rstrip().endswith((":", "：")):
        return LABEL
    tokens = word.lower().replace("/", " ").split()
    if len(tokens) == 1 and (tokens[0].strip(_STRIP) in _EMPHASIS or tokens[0].isdigit()):
        return EMPHASIS
    if any(t in _PATTERN_WORDS for t in tokens) or any(c in word for c in ("...", "…", "+", "~")):
        return PATTERN
    sentence = _containing(sentences, span[0])
    if sentence is None:
        return DEFINITION
    if span[1] > sentence[1]:
        return CROSSES
    if len(word) * 2 + 8 > sentence[1] - sentence[0] and word.strip(_STRIP) == text[
        sentence[0] : sentence[1]
    ].strip(_STRIP):
        return WHOLE_SENTENCE
    before = text[max(sentence[0], span[0] - 80) : span[0]]
    if _META.search(before) or (
        _META_WORD.search(before) and _META_AFTER.match(text[span[1] : sentence[1]])
    ):
        return META
    if sentence not in lists:
        lists[sentence] = _word_list(text, _part_of(parts, span[0]), spans)
    if lists[sentence]:
        return WORD_LIST
    if _fragment(text, sentence):
        return FRAGMENT
    n_term = len(_WORD.findall(word))
    if n_term < 5:
        return None
    n_sentence = len(_WORD.findall(text[sentence[0] : sentence[1]]))
    if n_term >= 9 or (n_term >= 5 and n_term >= 0.7 * n_sentence):
        return CLAUSE
    if n_term >= 6 and re.search(r"[,;，；]\s", word):
        return CLAUSE
    return None


_EDGE = ' \t\n,;:!?—–"“”()（），。；：！？«»[]【】'


def _trim(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """The span without punctuation at its edges ("**adamant,**" -> "adamant")."""
    start, end = span
    while start < end and text[start] in _EDGE:
        start += 1
    while end > start and text[end - 1] in _EDGE:
        end -= 1
    return (start, end) if end > start else span


def _fragment(text: str, sentence: tuple[int, int]) -> bool:
    """ "make a **decision**", "**heavy** rain / **strong** wind": no capital, no full stop."""
    words = text[sentence[0] : sentence[1]]
    if len(words) > 60 or _ends_sentence(words) or not words[:1].islower():
        return False
    return len(_WORD.findall(words)) <= 5


def _word_list(text: str, part: Part, spans: list[tuple[int, int]]) -> bool:
    """A line of bold words and separators ("**abandon**, **desert**"), not a sentence."""
    if _ends_sentence(text[part.start : part.end]):
        return False
    rest, pos = [], part.start
    for s, e in _within(spans, part):
        rest.append(text[pos:s])
        pos = max(pos, e)
    rest.append(text[pos : part.end])
    return len(_LATIN_WORD.findall(_BRACKETED.sub(" ", " ".join(rest)))) < 2


def _translations(
    text: str, parts: list[Part], english: dict[int, list[tuple[int, int]]], out: Analysis
) -> None:
    foreign: dict[int, list[str]] = {}
    for part in parts:
        if part.foreign and part.translates is not None:
            foreign.setdefault(part.translates, []).append(text[part.start : part.end].strip())
    for index, texts in foreign.items():
        for sentence, translated in translation_for(english.get(index, []), " ".join(texts)):
            out.translations[sentence] = translated
