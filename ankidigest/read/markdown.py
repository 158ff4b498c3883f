"""The mistune 3 parser, set up once, with each top-level block's source offset.

mistune's AST carries no positions. We subclass its block parser so that every
top-level token records where it starts (``_off``); the walker turns that into
a line number for messages. Nested tokens inherit their block's position.
Plain paragraphs (``**bold**`` and line breaks only) skip mistune's inline
parser: ``fastinline.plain_tokens`` builds the same tokens directly. At the top
level, a run of empty lines or a paragraph of lines that open with a letter and
hold no "|" takes one step of mistune's block loop without trying every block
rule on each line (``_Parser.plain_step``; mistune 3.4's loop, through the hook it
calls first at each step: with another mistune the hook may simply never run).
Plugins: ``==mark==``, ``~~strikethrough~~``, tables, footnotes, task lists and Obsidian
``[[wikilinks]]``
(a ``wikilink`` token whose ``raw`` is the text shown).

mistune's emphasis matcher is quadratic in nesting depth, so each block's inline
text first goes through a linear estimate (``limits.EmphasisBudget``); a block
over budget becomes one plain text token marked ``_skip`` instead.
"""

from __future__ import annotations

import re
from typing import Any

import mistune
from mistune.block_parser import BlockParser
from mistune.core import BlockState
from mistune.inline_parser import InlineParser

from ankidigest.limits import TOO_NESTED, EmphasisBudget
from ankidigest.read.fastinline import plain_tokens

Token = dict[str, Any]


class _State(BlockState):
    def add_paragraph(self, text: str) -> None:
        last = self.last_token()
        new = not (last and last["type"] == "paragraph")
        super().add_paragraph(text)
        if new and self.parent is None:
            self.tokens[-1]["_off"] = self.cursor


# The block rules our parser has (mistune 3.4 with our plugins): plain_step below knows
# that none of them matches an empty line but "blank_line", nor a line opening with a
# letter and holding no "|" (all open with a mark, white space or a digit but "nptable",
# which needs a "|").
_KNOWN_RULES = frozenset(
    "fenced_code indent_code atx_heading setex_heading thematic_break block_quote list "
    "ref_footnote ref_link raw_html blank_line table nptable".split()
)
_BLANK_LINES = re.compile(BlockParser.SPECIFICATION["blank_line"], re.M)


class _Parser(BlockParser):
    state_cls = _State
    plain_steps = False  # plain_step may run: a top-level parse with known rules only

    def parse(self, state: BlockState, rules: list[str] | None = None) -> None:
        if state.parent is None:
            self.plain_steps = rules is None and _KNOWN_RULES.issuperset(self.rules)
        super().parse(state, rules)

    def parse_method(self, m: Any, state: BlockState) -> Any:
        before = len(state.tokens)
        result = super().parse_method(m, state)
        if state.parent is None:
            for token in state.tokens[before:]:
                token.setdefault("_off", m.start())
        return result

    def _parse_indent_code_fast(self, state: BlockState) -> int | None:
        """mistune's parse loop calls this first at each step, and goes on from the
        position it returns (None: the step goes on as usual). Besides its own check,
        it takes the two steps of most of a post at the top level (plain_step)."""
        if self.plain_steps and state.parent is None:
            end = self.plain_step(state)
            if end is not None:
                return end
        result: int | None = super()._parse_indent_code_fast(state)
        return result

    def plain_step(self, state: BlockState) -> int | None:
        """One top-level step of mistune's loop over blocks, where it is a run of empty
        lines or a paragraph whose lines open with a letter and hold no "|" (None for
        any other step): the same tokens and end, without trying every block rule on
        each line. At such lines mistune's own step finds no indented code, matches no
        rule (_KNOWN_RULES) and reads a plain paragraph, or matches "blank_line".
        tests/test_fastinline.py checks documents against mistune's own parse.
        """
        src = state.src
        start = state.cursor
        if start and src[start - 1] != "\n":
            return None  # (rules start with "^": not in the middle of a line)
        first = src[start]
        if first == "\n":
            m = _BLANK_LINES.match(src, start)
            before = len(state.tokens)
            end: int = self.parse_blank_line(m, state)  # type: ignore[arg-type]
            for token in state.tokens[before:]:
                token.setdefault("_off", start)
            return end
        pos = _next_line(src, start)
        if not (first.isalpha() and not first.isdigit() and src.find("|", start, pos) < 0):
            return None
        sc = self.compile_sc()
        while pos < state.cursor_max:  # mistune's plain paragraph: up to a rule's match
            head = src[pos]
            if head == "\n":
                break  # "blank_line" matches
            end = _next_line(src, pos)
            plain = head.isalpha() and not head.isdigit() and src.find("|", pos, end) < 0
            if not plain and (sc.match(src, pos) or not src[pos:end].strip()):
                break
            pos = end
        state.add_paragraph(src[start:pos])
        return pos


def _next_line(src: str, pos: int) -> int:
    end = src.find("\n", pos)
    return len(src) if end < 0 else end + 1


class _Inline(InlineParser):
    budget = EmphasisBudget()

    def __call__(self, s: str, env: Any) -> list[Token]:
        plain = plain_tokens(s)
        if plain is not None:
            return plain
        if not self.budget.allows(s):
            return [{"type": "text", "raw": s, "_skip": TOO_NESTED}]
        tokens: list[Token] = super().__call__(s, env)
        return tokens


# Obsidian wikilinks: [[target]], [[target|alias]], [[target#heading]]; ![[embeds]] too.
_WIKILINK = r"!?\[\[(?P<wl_target>[^\[\]|\n]*?)(?:\|(?P<wl_alias>[^\[\]\n]*?))?\]\]"
_WIKI_SUFFIX = re.compile(r"[#^].*$")


def _parse_wikilink(inline: Any, m: re.Match[str], state: Any) -> int:
    target = m.group("wl_target") or ""
    alias = m.group("wl_alias")
    if m.group(0).startswith("!"):
        shown = ""  # an embed shows a note or an image, not words of the sentence
    else:
        shown = alias if alias is not None else _WIKI_SUFFIX.sub("", target) or target
    state.append_token({"type": "wikilink", "raw": shown.strip()})
    return m.end()


def _wikilink(md: Any) -> None:
    try:
        md.inline.register(
            "wikilink", _WIKILINK, _parse_wikilink, before="link", start_chars={"!", "["}
        )
    except TypeError:  # mistune before 3.1 has no start_chars
        md.inline.register("wikilink", _WIKILINK, _parse_wikilink, before="link")


_MARKDOWN: mistune.Markdown | None = None
_INLINE: _Inline | None = None


def _parser() -> tuple[mistune.Markdown, _Inline]:
    """The parser and its inline parser, set up on first use."""
    global _MARKDOWN, _INLINE
    if _MARKDOWN is None or _INLINE is None:
        from mistune.plugins.footnotes import footnotes
        from mistune.plugins.formatting import mark, strikethrough
        from mistune.plugins.table import table
        from mistune.plugins.task_lists import task_lists

        _INLINE = _Inline()
        _MARKDOWN = mistune.Markdown(
            renderer=None,
            block=_Parser(),
            inline=_INLINE,
            plugins=[mark, strikethrough, table, footnotes, task_lists, _wikilink],
        )
    return _MARKDOWN, _INLINE


def parse(text: str) -> list[Token]:
    """Parse markdown into mistune's AST (a list of token dicts)."""
    md, inline = _parser()
    inline.budget = EmphasisBudget()
    tokens = md(text)
    assert isinstance(tokens, list)
    return tokens


def mistune_inline(s: str) -> list[Token]:
    """mistune's own inline tokens for ``s``, with our plugins (no fast path, no budget)."""
    _, inline = _parser()
    tokens: list[Token] = InlineParser.__call__(inline, s, {})
    return tokens
