"""The fast inline path gives mistune's tokens exactly, or declines.

``fastinline.plain_tokens`` replaces mistune's inline parser for plain
paragraphs; every test here compares it with mistune itself on the same text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ankidigest.limits import emphasis_work
from ankidigest.read import markdown
from ankidigest.read.fastinline import _other_syntax, plain_tokens

from conftest import EXAMPLE, REPO, fuzz_settings

CHECKS = fuzz_settings(400)

# Pieces around the edges of the subset: star runs, flanking characters of every
# kind, line endings with and without trailing spaces, entities, syntax starters.
PIECES = st.sampled_from(
    [
        "**", "*", "***", "****", "word", "A", "9", "é", "中文", "😀", " ", "  ", "\t",
        "\u00a0", "\u3000", "\n", " \n", "  \n", "   \n", "\n  ", "\\\n", ".", ",", "!",
        "?", "(", ")", '"', "“", "”", "'", "’", "-", "—", "&", "&amp;", "&#", "#", ";",
        "_", "__", "[", "]", "<", ">", "~~", "==", "`", "\\", "\r", "\x00", "{{c1::", "}}",
    ]
)  # fmt: skip


@CHECKS
@given(st.lists(PIECES, max_size=14).map("".join))
def test_fast_tokens_equal_mistune_or_decline(s: str) -> None:
    fast = plain_tokens(s)
    if fast is not None:
        assert fast == markdown.mistune_inline(s)
        assert emphasis_work(s) == 0  # skipping the emphasis budget changes nothing


@CHECKS
@given(st.one_of(st.lists(PIECES, max_size=14).map("".join), st.text(max_size=8)))
def test_other_syntax_equals_the_class_search(s: str) -> None:
    assert _other_syntax(s) == bool(re.search(r"[\\`_\[\]<~=]", s))


# Text around and inside "**" pairs from a small alphabet, so that every
# arrangement of stars and flanking characters at the pair edges comes up.
EDGE = st.text(alphabet="a9é .(\n*\t", max_size=3)


@CHECKS
@given(st.lists(st.tuples(EDGE, EDGE), min_size=1, max_size=4), EDGE)
def test_pair_edges(pairs: list[tuple[str, str]], tail: str) -> None:
    s = "".join(f"{outside}**{inside}**" for outside, inside in pairs) + tail
    fast = plain_tokens(s)
    if fast is not None:
        assert fast == markdown.mistune_inline(s)
        assert emphasis_work(s) == 0


URL = st.text(alphabet="az09-._~:/?#@!$&+,;=%()<> \"'\\*_[]", max_size=12)


@CHECKS
@given(st.lists(PIECES, max_size=6).map("".join), URL)
def test_links(text: str, url: str) -> None:
    s = f"[{text}]({url})"
    fast = plain_tokens(s)
    if fast is not None:
        assert fast == markdown.mistune_inline(s)


WORDS = st.sampled_from(["take", "over", "Kursk", "U.S.", "9", "é", "中"])
GAPS = st.sampled_from([" ", ", ", ". ", " (", ") ", " “", "” ", "\n", "  \n", " - ", "! "])


@CHECKS
@given(st.lists(st.tuples(GAPS, WORDS, st.booleans()), min_size=1, max_size=8))
def test_sentences_with_bold_words(parts: list[tuple[str, str, bool]]) -> None:
    """Sentence-like text, mostly inside the subset: the fast path must agree."""
    s = "".join(gap + (f"**{word}**" if bold else word) for gap, word, bold in parts)
    fast = plain_tokens(s)
    if fast is not None:
        assert fast == markdown.mistune_inline(s)


@pytest.mark.parametrize(
    "s",
    [
        "The **word** is here.",
        "**A** b",
        "a\nb **c\nd** e",
        "x  \ny",
        "“**word**”!",
        "a **b** **c** d",
        "e&amp; **f**",
        "**take over** (of) **9**",
        "[2024-10-16 Title words](https://apnews.com/article/x-0-1)",
        "[a **b**](https://ex.com/a_b?x=1;y=2#top)",
    ],
)
def test_plain_paragraphs_take_the_fast_path(s: str) -> None:
    fast = plain_tokens(s)
    assert fast is not None
    assert fast == markdown.mistune_inline(s)


@pytest.mark.parametrize(
    "s",
    [
        "a*b*c",  # emphasis
        "**a****b**",  # a run of four
        "a**b**c",  # intraword: a closer that could also open
        "** a**",  # an opener followed by a space
        "**a **",  # a closer after a space
        "**a**b",  # a closer followed by a letter
        "**unclosed",
        "[link](u) **b**",
        "**b** `code`",
        "x_y **b**",
        "a\\\nb",
        "[a](b c)",
        "[a](u) tail",
        "[](u)",
        "[a](http://ex.com/a_b(c))",
        '[a](u "title")',
    ],
)
def test_other_syntax_is_left_to_mistune(s: str) -> None:
    assert plain_tokens(s) is None


def _markdown_files() -> list[Path]:
    files = [EXAMPLE, *sorted((REPO / "tests" / "cases").glob("*.md"))]
    files += sorted((REPO / "benchmarks" / "heldout").rglob("*.md"))
    return files


def test_whole_documents_parse_the_same_without_the_fast_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every bundled markdown file: the same AST with and without the fast path."""
    texts = [path.read_text(encoding="utf-8", errors="replace") for path in _markdown_files()]
    assert len(texts) > 20
    fast = [markdown.parse(text) for text in texts]
    monkeypatch.setattr(markdown, "plain_tokens", lambda s: None)
    slow = [markdown.parse(text) for text in texts]
    assert fast == slow


def test_the_users_post_parses_the_same(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = corpus.read_text(encoding="utf-8")
    fast = markdown.parse(text)
    monkeypatch.setattr(markdown, "plain_tokens", lambda s: None)
    assert fast == markdown.parse(text)


# -- the block fast path (markdown._Parser.plain_step) --------------------------------


def _mistune_blocks(text: str, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    """markdown.parse with every step of the block loop left to mistune."""
    with monkeypatch.context() as patch:
        patch.setattr(markdown._Parser, "plain_step", lambda self, state: None)
        return markdown.parse(text)


# Whole lines and line starts: plain ones, and every block rule's opening.
LINES = st.sampled_from(
    [
        "", " ", "    ", "\t", "A plain **line** here.", "word", "é line", "中文句子。", "Ⅷ x",
        "a | b", "| a | b |", "--- | ---", "a|b", "===", "---", "***", "___", "# Title",
        "#### [Art](https://x.org/a)", "#no", "    code", "\tcode", "- item", "* item",
        "+ item", "1. one", "2) two", "> quote", "> [!note] x", "```", "~~~", "```py",
        "<div>", "<!-- c -->", "[a]: https://x.org", "[^1]: note", "  indented", "   ~~~",
        "Title\n===", "x\n---", "²x", "½", "_x_", "**bold**", "\u00a0x", "\u3000x", "\x0bx",
        "a | b\n--- | ---\nc | d", "| a | b |\n| --- | --- |\n| c | d |", "Word\n    code",
        "A line\n- item", "A line\n1. one", "A line\n> quote", "A line\n```\ncode\n```",
        "A line\n<div>\nx\n</div>", "A line\n# H", "A line\n  \nB", "A line\n\t\nB",
        "A line\nB | c", "A line\n[^1]: n", "x [^1]\n\n[^1]: note **b**", "[a]: https://x.org\nA",
    ]
)  # fmt: skip
BLOCKS = st.lists(st.one_of(LINES, st.text(max_size=4)), max_size=14).map("\n".join)


@CHECKS
@given(BLOCKS)
def test_block_steps_equal_mistune(text: str) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert markdown.parse(text) == _mistune_blocks(text, monkeypatch)


@pytest.mark.parametrize(
    "text",
    [
        "A plain line\na | b\n--- | ---\nc | d\n",  # a table right under a paragraph
        "a | b\n--- | ---\nc | d\n",  # a table opening with a letter
        "Plain **x** here.\n===\n",  # setext heading
        "Plain here.\n---\n\nNext.\n",
        "Plain\n    indented\nmore\n",  # an indented line continues the paragraph
        "Plain\n- item\n\nB\n",
        "Plain\n> quote\nB\n",
        "Plain\n```\ncode\n```\n",
        "Plain\n<div>\n\nB\n",
        "Plain\n   \nB\n",  # a line of spaces ends the paragraph
        "Plain\n\u3000\nB\n",  # so does one of other white space (no rule matches it)
        "Plain\n\u00a0 \x1c\nB\n",
        "\n\n   \n\t\nA\n",  # empty lines, then lines of white space
        "    \nA\n",
        "A[^1] x\n\n[^1]: the **note**\n",
        "[ref]: https://x.org\n\nA [ref] b\n",
        "A\u2028B\nC\x0bD\n\x0cE\n",
    ],
)
def test_block_cases_equal_mistune(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert markdown.parse(text) == _mistune_blocks(text, monkeypatch)


def test_whole_documents_parse_the_same_without_the_block_fast_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = [path.read_text(encoding="utf-8", errors="replace") for path in _markdown_files()]
    for text in texts:
        assert markdown.parse(text) == _mistune_blocks(text, monkeypatch)


def test_plain_posts_take_the_block_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "\n\nA **first** one.\nStill it.\n\n\nB second.\n# H\nC | not plain\nD.\n"
    steps: list[int | None] = []
    step = markdown._Parser.plain_step

    def spy(self: markdown._Parser, state: markdown.BlockState) -> int | None:
        steps.append(step(self, state))
        return steps[-1]

    monkeypatch.setattr(markdown._Parser, "plain_step", spy)
    tokens = markdown.parse(text)
    assert [t["type"] for t in tokens] == [
        "blank_line", "paragraph", "blank_line", "paragraph", "heading", "paragraph",
    ]  # fmt: skip
    assert steps[:4] == [2, 29, 31, 41]  # blank lines, a paragraph of two lines, ...
    assert tokens == _mistune_blocks(text, monkeypatch)
