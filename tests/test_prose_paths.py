"""The prose classifier's fast paths give the results of the slow ones they replace.

Each test runs a shortcut (a pre-check that skips a costly search, a loop instead of a
regular expression, a skipped scan) against the plain code it stands for, on tricky
text: abbreviations, quotes, CJK, RTL, emoji, numerals, bilingual lines, lists, and the
characters re.IGNORECASE folds onto ASCII letters ("ſ", "ı", "İ", the Kelvin sign).
"""

from __future__ import annotations

import html
import itertools
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ankidigest import export, sanitize
from ankidigest.read import flatten as inline
from ankidigest.read import linebreaks, markdown, spans
from ankidigest.terms import classify, explanations, lookup, sentences, translation
from ankidigest.terms import rules as spanrules
from ankidigest.terms import wordlists as entries
from ankidigest.terms.reasons import (
    CATEGORY,
    CROSSES,
    DEFINED,
    DEFINITION,
    EMPHASIS,
    EMPTY,
    EXCLAIMED,
    FOREIGN,
    FRAGMENT,
    LABEL,
    META,
    NO_WORD,
    PATTERN,
    SYNTAX,
    WHOLE_SENTENCE,
    WORD_LIST,
)
from ankidigest.terms.translation import Part

from conftest import fuzz_settings

CHECKS = fuzz_settings(300)

PIECES = st.sampled_from(
    [
        " ", "  ", "\n", "\t", "\u00a0", "\u3000", ".", ". ", "! ", "? ", "…", "...", "。", "！",
        "？", ",", ";", ":", "：", '"', "'", "“", "”", "‘", "’", "«", "»", "(", ")", "（", "）",
        "【", "「", "」", "『", "《", "*", "**", "__", "==", ">", "_", "=", "-", " – ", "—", "+",
        "~", "/", "2)", "1.", "3.5", "No. 10", "Fig. 3", "Mr.", "Dr. ", "U.S.", "e.g.", "i.e.",
        "a.m.", "etc.", "vs. ", "J. ", "Jan. ", "sth", "sb", "of ", "the ", "The ", "word ",
        "meaning of ", "opposite of '", "how do you say “", "What does ", " mean", " means",
        "stands for", "MEANING OF ", "How To Say ", "The Word ", "phrase ", "idiom ", "did ",
        "because ", "use ", "ſay ", "uſe ", "ıdiom ",
        "İdiom ", "\u212aey", "OF ", "Of\n", "abate", "Abandon", "ship", "lasting", "v. ",
        "adj.", "n.", "中文", "中文字句。", "减弱", "意思：", "日本語", "한국어", "Ρωσία", "жизнь",
        "كتاب", "עברית", "😀", "👨\u200d👩", "e\u0301", "Ⅷ", "①", "〇", "²", "½", "٣", "_x",
    ]
)  # fmt: skip
TEXT = st.lists(st.one_of(PIECES, st.text(max_size=3)), max_size=40).map("".join)


# -- spanrules -----------------------------------------------------------------


META_TAILS = st.sampled_from(
    ["meaning of ", "Opposites OF '", "how do you say “", "How To Use ", "the Word ", "DID ",
     "how to ſay ", "the \u212aey word ", "idiom\u00a0", "expression\u3000‘", "does \"\n", "x"]
)  # fmt: skip


@CHECKS
@given(TEXT, META_TAILS)
def test_meta_precheck_never_hides_a_match(text: str, tail: str) -> None:
    for before in (text, text + tail, text + tail + text[:2], tail + text):
        if not spanrules._may_be_meta(before):
            assert spanrules._META.search(before) is None
            assert spanrules._META_WORD.search(before) is None


def test_meta_precheck_lets_the_meta_phrases_through() -> None:
    for before in (
        "What is the opposite of ",
        "the meaning of '",
        "How do you say “",
        "the word ",
        "What DOES ",
        'the phrase "\n',
        "how to ſay ",  # re.I folds "ſ" onto "s"
        "the Key word ",
    ):
        assert spanrules._may_be_meta(before)
        assert spanrules._META.search(before) or spanrules._META_WORD.search(before)


def _term_reason_slow(
    text: str,
    span: tuple[int, int],
    sentences: list[tuple[int, int]],
    parts: list[Part],
    spans: list[tuple[int, int]],
    lists: dict[tuple[int, int], bool],
) -> str | None:
    """spanrules.term_reason as it was before its shortcuts."""
    word = text[span[0] : span[1]]
    if not any(ch.isalnum() for ch in word):
        return EMPTY
    if not any(ch.isalpha() for ch in word):
        return NO_WORD
    if word.rstrip().endswith((":", "：")):
        return LABEL
    tokens = word.lower().replace("/", " ").split()
    if len(tokens) == 1 and (
        tokens[0].strip(spanrules.STRIP) in spanrules._EMPHASIS or tokens[0].isdigit()
    ):
        return EMPHASIS
    if any(t in spanrules._PATTERN_WORDS for t in tokens) or any(
        c in word for c in ("...", "…", "+", "~")
    ):
        return PATTERN
    sentence = spanrules.containing(sentences, span[0])
    if sentence is None:
        return DEFINITION
    if span[1] > sentence[1]:
        return CROSSES
    if len(word) * 2 + 8 > sentence[1] - sentence[0] and word.strip(spanrules.STRIP) == text[
        sentence[0] : sentence[1]
    ].strip(spanrules.STRIP):
        return WHOLE_SENTENCE
    before = text[max(sentence[0], span[0] - 80) : span[0]]
    if spanrules._META.search(before) or (
        spanrules._META_WORD.search(before)
        and spanrules._META_AFTER.match(text[span[1] : sentence[1]])
    ):
        return META
    part = spanrules._part_of(parts, span[0])
    reason = _explanation_reason_slow(text, span, sentence, part)
    if reason:
        return reason
    if sentence not in lists:
        lists[sentence] = spanrules._word_list(text, part, spans)
    if lists[sentence]:
        return WORD_LIST
    if spanrules._fragment(text, sentence):
        return FRAGMENT
    return None


def _explanation_reason_slow(
    text: str, span: tuple[int, int], sentence: tuple[int, int], part: Part
) -> str | None:
    """explanations.explanation_reason without its pre-checks: every match tried."""
    start, end = span
    word = text[start:end]
    if part.foreign or translation.is_foreign(word):
        return FOREIGN
    near = explanations._NEAR
    before = max(sentence[0], start - near)
    after = min(sentence[1], end + near)
    markers = re.fullmatch(r"[\s\-–—•*\"'“”‘’(]*", text[sentence[0] : start])
    dash = re.search(r"(?:\s[-–—]|[:;])\s*[\"'“‘]?$", text[before:start], re.S)
    opens = (start - sentence[0] <= near and markers is not None) or dash is not None
    if explanations._DEFINING.match(text, end, sentence[1]) and opens:
        return DEFINED
    if explanations._EXAMPLES.match(text, end, sentence[1]):
        return CATEGORY
    if word.endswith("!") and any(ch.isalpha() for ch in text[end:after]):
        return EXCLAIMED
    if explanations._SHOWN_MARK.search(text[before:start] + " " + text[end:after]):
        return SYNTAX
    return None


DEFINING_TAILS = st.sampled_from(
    [" means ", "  Means", "\u00a0refers to ", " ſignifies", " İmplies", " ıs used to",
     " iſ used to", " is used", " meanſ", " Are used for", "\tEXPRESSES", " (a, b)", "(a, b)",
     "（甲、乙）", " (a)", "\u3000(x, y)", "!", "! x", " - ", " * ", " _ ", "`", " # ", ": ", " – "]
)  # fmt: skip


@CHECKS
@given(TEXT, DEFINING_TAILS, TEXT)
def test_explanation_reason_equals_the_slow_rules(head: str, tail: str, rest: str) -> None:
    """The pre-checks of explanation_reason never hide a match: a span then a tail that
    can make each rule match (defining verbs with the letters re.I folds, brackets)."""
    for word, lead in itertools.product(("word", "new!", "中文", "x"), ("", "y - " * 25)):
        text = lead + head + word + tail + rest
        span = (len(lead + head), len(lead + head) + len(word))
        for sentence in ((0, len(text)), (len(head), len(text)), (0, span[1])):
            for part in (Part(0, len(text), False), Part(0, len(text), True)):
                fast = explanations.explanation_reason(text, span, sentence, part)
                assert fast == _explanation_reason_slow(text, span, sentence, part)


# A paragraph: pieces of text, some of them marked (start, end of each mark).
PARAGRAPH = st.lists(st.tuples(TEXT, st.booleans()), min_size=1, max_size=8)


def _paragraph(pieces: list[tuple[str, bool]]) -> tuple[str, list[tuple[int, int]]]:
    text, spans = "", []
    for piece, marked in pieces:
        if marked and piece.strip():
            start = len(text) + len(piece) - len(piece.lstrip())
            spans.append((start, start + len(piece.strip())))
        text += piece
    return text, spans


@pytest.mark.slow
@CHECKS
@given(PARAGRAPH)
def test_term_reason_equals_the_slow_rules(pieces: list[tuple[str, bool]]) -> None:
    text, spans = _paragraph(pieces)
    found = classify.analyse(text, spans)
    parts = translation.split_parts(text)
    for span in spans:
        fast = spanrules.term_reason(text, span, found.sentences, parts, spans, {})
        assert fast == _term_reason_slow(text, span, found.sentences, parts, spans, {})


def _sentence_start_slow(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> int:
    """entries.sentence_start trying every pattern at every sentence."""
    number = entries._ENUMERATION.match(text, start, end)
    if number and number.end() < end:
        start = number.end()
    gloss = entries._FOREIGN_LEAD.match(text, start, end)
    if gloss and gloss.end() < end and translation.is_foreign(gloss.group(0)):
        start = gloss.end()
    label = entries._TEXT_LABEL.match(text, start, end)
    if label and entries._plain_label(text, label, spans, end):
        start = label.end()
    return start


LEADS = st.sampled_from(
    ["", "2) ", "(3. ", "[2] ", "[12]", "① ", "12. ", "٣) ", "是向某人保证：", "中文 ", "A: ",
     "Note: ", "e.g. ", "E.G., ", "i.e. ", "İ.e. ", "ı.E. ", "eg. ", "Key fact: ", "x" * 29 + ": ",
     "x" * 30 + ": ", "x" * 31 + ": ", "x：", "word word: "]
)  # fmt: skip
# What a label must be followed by to be cut (a capital, three words).
LABELLED = st.one_of(TEXT, st.sampled_from(["The cat sat on it.", "They were here today", "Ab cd"]))


@CHECKS
@given(
    LEADS, LEADS, LABELLED, st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=3)
)
def test_sentence_start_equals_trying_every_pattern(
    lead: str, second: str, text: str, spans: list[tuple[int, int]]
) -> None:
    text = lead + second + text
    spans = sorted((a, a + b) for a, b in spans)
    for start in range(min(len(text), 6)):
        for end in (len(text), start + 1, start + 20):
            end = min(end, len(text))
            fast = entries.sentence_start(text, start, end, spans)
            assert fast == _sentence_start_slow(text, start, end, spans)


# -- sentences -----------------------------------------------------------------


def _word_before_slow(text: str, dot: int) -> str:
    m = re.search(r"([\w.]+)$", text[max(0, dot - 64) : dot])
    return m.group(1) if m else ""


@CHECKS
@given(TEXT)
def test_word_before_equals_the_search(text: str) -> None:
    text += "x" * (len(text) % 3) + "\n." + "a" * 70 + "."  # a dot after "\n", a long word
    for dot in range(len(text) + 1):
        assert sentences._word_before(text, dot) == _word_before_slow(text, dot)


_END_SLOW = re.compile(
    r"""(?P<punct>[.!?…]+|[。！？]+)(?P<close>["'”’»)\]」』）]*)(?P<space>\s*)"""
)


def _is_abbreviation_slow(text: str, dot: int, following: str) -> bool:
    word = _word_before_slow(text, dot)
    if not word:
        return False
    bare = word.rstrip(".").lower()
    if "." in word.strip("."):
        return True
    if len(bare) == 1 and bare.isalpha() and word[0].isupper():
        return True
    if bare in sentences._TITLES:
        return True
    if bare in sentences._BEFORE_NUMBER and following[:1].isdigit():
        return True
    return bare in sentences._MISC and not following[:1].isupper()


def _sentence_spans_slow(text: str) -> list[tuple[int, int]]:
    """sentences.sentence_spans as it was before its shortcuts."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for part in text.split("\n"):
        line_start, line_end = pos, pos + len(part)
        pos = line_end + 1
        start = line_start
        for m in _END_SLOW.finditer(text, line_start, line_end):
            end = m.end("close")
            nxt = m.end()
            if m.group("punct")[0] not in "。！？":
                if not m.group("space") and nxt < line_end:
                    continue
                following = text[nxt:line_end]
                if following and re.match(r"[a-z]", following):
                    continue
                if m.group("punct") == "." and _is_abbreviation_slow(
                    text, m.start("punct"), following
                ):
                    continue
            sentences._add(spans, text, start, end)
            start = nxt
        sentences._add(spans, text, start, line_end)
    if not spans and text:
        sentences._add(spans, text, 0, len(text))
    return spans


@CHECKS
@given(TEXT)
def test_sentence_spans_equal_the_slow_split(text: str) -> None:
    assert sentences.sentence_spans(text) == _sentence_spans_slow(text)


# -- translation, line breaks, inline ------------------------------------------


def _split_parts_slow(text: str) -> list[Part]:
    """translation.split_parts without its no-other-letter shortcut."""
    parts: list[Part] = []
    pos = 0
    last_english: int | None = None
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        if not line.strip():
            continue
        if translation.is_foreign(line):
            parts.append(Part(start, end, True, last_english))
            continue
        cut = translation._glued_translation(line)
        parts.append(Part(start, start + cut, False))
        last_english = len(parts) - 1
        if cut < len(line):
            parts.append(Part(start + cut, end, True, last_english))
    return parts


def _other_letters_slow(text: str) -> int:
    return sum(1 for ch in text if ch.isalpha() and ord(ch) >= 0x370)


@CHECKS
@given(TEXT)
def test_split_parts_and_letter_counts_equal_the_slow_ones(text: str) -> None:
    for line in (text, "The English words here " + text):
        assert translation.split_parts(line) == _split_parts_slow(line)
        assert translation._other_letters(line) == _other_letters_slow(line)


@CHECKS
@given(TEXT)
def test_gloss_check_equals_the_sliced_match(text: str) -> None:
    for end in range(len(text) + 1):
        slow = bool(re.match(r"\s+[–—-]\s|\s*[=＝]", text[end : end + 4]))
        assert linebreaks._is_entry(text, end) == slow


@CHECKS
@given(TEXT, st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), max_size=4))
def test_no_soft_break_ends_no_line(text: str, bold: list[tuple[int, int]]) -> None:
    assert linebreaks.line_breaks(text, [], bold, []) == []


@CHECKS
@given(TEXT)
def test_text_without_an_ampersand_needs_no_unescape(text: str) -> None:
    text = text.replace("&", "")
    assert html.unescape(text) == text


INLINE_TEXT = st.one_of(
    st.sampled_from(["", " ", "word", "Word. Next", "a &amp; b", "&lt;", "&", "x\n", "*", "中文"]),
    st.text(max_size=4),
)
LEAF = st.one_of(
    st.builds(lambda raw: {"type": "text", "raw": raw}, INLINE_TEXT),
    st.sampled_from(
        [
            {"type": "softbreak"},
            {"type": "linebreak"},
            {"type": "text"},
            {"type": "codespan", "raw": "x"},
            {"type": "inline_html", "raw": "<b>"},
            {"type": "inline_html", "raw": "</b>"},
            {"type": "strikethrough", "children": [{"type": "text", "raw": "no"}]},
        ]
    ),
)
LINK_URLS = st.sampled_from(["https://x.org/a", " https://x.org/b ", "", "https://youglish.com/w"])


def _inline_tokens(children: st.SearchStrategy[list[dict[str, object]]]) -> st.SearchStrategy:
    return st.one_of(
        st.builds(lambda c: {"type": "strong", "children": c}, children),
        st.builds(lambda c: {"type": "strong", "children": c, "_malformed": True}, children),
        st.builds(lambda c: {"type": "emphasis", "children": c}, children),
        st.builds(lambda c: {"type": "mark", "children": c}, children),
        st.builds(
            lambda c, u: {"type": "link", "children": c, "attrs": {"url": u}}, children, LINK_URLS
        ),
        st.builds(lambda c: {"type": "link", "children": c}, children),
    )


INLINE = st.lists(
    st.recursive(LEAF, lambda inner: _inline_tokens(st.lists(inner, max_size=4)), max_leaves=12),
    max_size=10,
)


@pytest.mark.slow
@CHECKS
@given(INLINE)
def test_plain_flatten_equals_the_general_one(tokens: list[dict[str, object]]) -> None:
    fast = inline._flatten_plain(tokens)
    try:
        slow = inline._flatten_any(tokens)
    except IndexError:  # a soft break right after a deletion: never the plain path's
        assert fast is None
        return
    assert fast is None or fast == slow
    assert inline.flatten_block(tokens) == slow
    assert spans.outermost(slow.bold) == slow.bold  # the walker skips it for bold alone


def test_plain_flatten_takes_the_common_blocks() -> None:
    tokens = markdown.parse("A **bold** word,\nthen [a link](https://x.org) &amp; more.\n")
    children = tokens[0]["children"]
    fast = inline._flatten_plain(children)
    assert fast is not None and fast == inline._flatten_any(children)
    assert fast.text == "A bold word, then a link & more." and fast.bold == [(2, 6)]


def _clean_text_slow(text: str) -> tuple[str, list[str]]:
    """sanitize.clean_text without its one-scan check for a clean post."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\u200b" in text or "\u2060" in text or "\ufeff" in text:
        text = sanitize._INDENT.sub("", text)
    notes: list[str] = []
    for pattern, replacement, kind in sanitize._KINDS:
        first = pattern.search(text)
        if first is None:
            continue
        count = len(pattern.findall(text))
        line = text.count("\n", 0, first.start()) + 1
        more = f" (and {count - 1} more)" if count > 1 else ""
        action = "removed" if replacement == "" else "replaced"
        notes.append(f"{line}: {action} {kind} U+{ord(first.group()):04X}{more}")
        text = pattern.sub(replacement, text)
    return text, notes


HOSTILE_CHARS = st.sampled_from(
    ["\x00", "\x1f", "\x7f", "\x85", "\x9f", "\ud800", "\udfff", "\u200b", "\u2060", "\ufeff",
     "\u00ad", "\u180e", "\u2062", "\u202e", "\u2067", "\u200c", "\u200d", "\t", "\r", "\r\n"]
)  # fmt: skip


@CHECKS
@given(st.lists(st.one_of(TEXT, HOSTILE_CHARS), max_size=6).map("".join))
def test_clean_text_equals_the_three_scans(text: str) -> None:
    assert sanitize.clean_text(text) == _clean_text_slow(text)


# -- walker ----------------------------------------------------------------------


def _after_mark_slow(source: str, at: int, begin: int) -> bool:
    marks = ("**", "__", "==", ">", "*")
    return any(at - len(m) >= begin and source.startswith(m, at - len(m)) for m in marks)


@pytest.mark.slow
@CHECKS
@given(TEXT, st.integers(0, 6))
def test_after_mark_equals_the_loop_over_marks(source: str, begin: int) -> None:
    for at in range(len(source) + 1):
        assert spans.after_mark(source, at, begin) == _after_mark_slow(source, at, begin)


# -- lookup ----------------------------------------------------------------------


def _is_lookup_slow(url: str) -> bool:
    parts = urlsplit(url.strip())
    where = (parts.netloc.lower().removeprefix("www.") + parts.path.lower()).lstrip("/")
    return any(where.startswith(h) or ("." + h) in "." + where for h in lookup.LOOKUP_HOSTS)


URL_PIECES = st.sampled_from(
    ["https://", "http://", "www.", "WWW.", "m.", "/", ".", "youglish.com", "YouGlish.COM",
     "bing.com/dict", "cn.bing.com/dict", "bing.com", "/dict", "translate.google.", "com",
     "notyouglish.com", "dictionary.com", "x", "?q=", "#", " ", "中文", "ſ", "\u212a"]
)  # fmt: skip


@CHECKS
@given(st.lists(st.one_of(URL_PIECES, st.text(max_size=3)), max_size=12).map("".join))
def test_lookup_hosts_search_equals_the_loop(url: str) -> None:
    try:
        slow = _is_lookup_slow(url)
    except ValueError:  # urlsplit refuses some netlocs: so must the fast path
        with pytest.raises(ValueError):
            lookup.is_lookup(url)
        return
    assert lookup.is_lookup(url) == slow


def test_a_soft_break_dropped_after_a_leading_deletion_loses_no_letter(tmp_path: Path) -> None:
    # "~~no~~" then a new line: the space standing for the soft break is dropped (nothing
    # is before it), so no line break may be put where it would have been: that offset
    # now holds the "T" of the next line (it used to come out as "he word here.").
    tokens = [
        {"type": "strikethrough", "children": [{"type": "text", "raw": "no"}]},
        {"type": "softbreak"},
        {"type": "text", "raw": "The "},
        {"type": "strong", "children": [{"type": "text", "raw": "word"}]},
        {"type": "text", "raw": " here."},
    ]
    flat = inline.flatten_block(tokens)
    assert flat.text == "The word here."
    assert [flat.text[s:e] for s, e in flat.bold] == ["word"]
    post = tmp_path / "post.md"
    post.write_text("~~no~~\nThe **word** here.\n\nA ~~no~~\nsecond **line** here.\n", "utf-8")
    sentences = [n.sentence for n in export([str(post)], str(tmp_path / "out.json")).notes]
    assert sentences == ["The word here.", "A second line here."]
