"""The mistune 3 parser, set up once, with each top-level block's source offset.

mistune's AST carries no positions. We subclass its block parser so that every
top-level token records where it starts (``_off``); the walker turns that into
a line number for messages. Nested tokens inherit their block's position.
Plain paragraphs (``**bold**`` and line breaks only) skip mistune's inline
parser: ``fastinline.plain_tokens`` builds the same tokens directly.
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

from .fastinline import plain_tokens
from .limits import TOO_NESTED, EmphasisBudget

Token = dict[str, Any]


class _State(BlockState):
    def add_paragraph(self, text: str) -> None:
        last = self.last_token()
        new = not (last and last["type"] == "paragraph")
        super().add_paragraph(text)
        if new and self.parent is None:
            self.tokens[-1]["_off"] = self.cursor


class _Parser(BlockParser):
    state_cls = _State

    def parse_method(self, m: Any, state: BlockState) -> Any:
        before = len(state.tokens)
        result = super().parse_method(m, state)
        if state.parent is None:
            for token in state.tokens[before:]:
                token.setdefault("_off", m.start())
        return result


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
